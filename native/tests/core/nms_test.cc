// Non-maximum suppression as Ultralytics 8.0.120 runs it: thresholds, class offsets, NaN, multi-label.
#include <doctest/doctest.h>

#include "../../core/nms.h"
#include "support.h"

using namespace fastsam;

namespace {

TEST_CASE("nms multi label") {
  // The validator's multi_label: each class score above conf is a candidate, NMS runs per class (offset).
  Output0 o{3, 0, {}};
  o.add(10, 10, 4, 4, {0.9f, 0.6f, 0.1f});
  o.add(40, 40, 4, 4, {0.3f, 0.2f, 0.8f});
  NmsOptions opt;
  opt.multiLabel = true;
  std::vector<Detection> d = runNms(o, opt);
  CHECK(d.size() == 4);
  CHECK((d[0].cls == 0 && d[0].anchor == 0 && d[1].cls == 2 && d[1].anchor == 1));
  CHECK((d[2].cls == 1 && d[2].anchor == 0 && d[3].cls == 0 && d[3].anchor == 1));
  opt.agnostic = true;  // same boxes, no class offset: the lower-scored duplicates are suppressed
  CHECK(runNms(o, opt).size() == 2);
  opt.multiLabel = false;
  opt.agnostic = false;
  CHECK(runNms(o, opt).size() == 2);  // best class only
}

TEST_CASE("nms") {
  NmsOptions opt;
  {  // No anchors at all, and anchors all at or below the (strict) threshold.
    Output0 o{1, 2, {}};
    CHECK(runNms(o, opt).empty());
    o.add(10, 10, 4, 4, {0.25f});
    o.add(20, 20, 4, 4, {0.1f});
    CHECK(runNms(o, opt).empty());
  }
  {  // xywh -> xyxy, coefficients column recorded.
    Output0 o{1, 2, {}};
    o.add(1, 1, 1, 1, {0.1f});
    o.add(10, 20, 4, 6, {0.9f});
    const std::vector<Detection> d = runNms(o, opt);
    CHECK((d.size() == 1 && d[0].anchor == 1 && d[0].cls == 0 && d[0].conf == 0.9f));
    CHECK((d[0].box[0] == 8.f && d[0].box[1] == 17.f && d[0].box[2] == 12.f && d[0].box[3] == 23.f));
  }
  {  // All scores equal: identical boxes collapse to the first anchor; disjoint ones keep anchor order.
    Output0 same{1, 0, {}}, apart{1, 0, {}};
    for (int i = 0; i < 5; ++i) same.add(50, 50, 20, 20, {0.5f});
    for (int i = 0; i < 5; ++i) apart.add(50.f * i + 10, 10, 10, 10, {0.5f});
    std::vector<Detection> d = runNms(same, opt);
    CHECK((d.size() == 1 && d[0].anchor == 0));
    d = runNms(apart, opt);
    CHECK(d.size() == 5);
    for (int i = 0; i < 5; ++i) CHECK(d[i].anchor == i);
  }
  {  // Descending confidence, suppression strictly above the IoU threshold (IoU here is exactly 0.5).
    Output0 o{1, 0, {}};
    o.add(5, 5, 10, 10, {0.6f});    // [0,0,10,10]
    o.add(5, 2.5f, 10, 5, {0.8f});  // [0,0,10,5]: IoU 50/100
    o.add(100, 100, 2, 2, {0.7f});
    NmsOptions at = opt;
    at.iouThreshold = 0.5f;
    std::vector<Detection> d = runNms(o, at);
    CHECK((d.size() == 3 && d[0].anchor == 1 && d[1].anchor == 2 && d[2].anchor == 0));
    at.iouThreshold = 0.49f;
    d = runNms(o, at);
    CHECK((d.size() == 2 && d[0].anchor == 1 && d[1].anchor == 2));
    at.maxDet = 1;
    CHECK(runNms(o, at).size() == 1);
    at.maxDet = 0;
    CHECK(runNms(o, at).empty());
  }
  {  // NaN anywhere in output0: NaN scores never pass the threshold; NaN boxes neither crash nor suppress.
    Output0 o{1, 1, {}};
    o.add(50, 50, 20, 20, {kNaN});
    o.add(kNaN, 50, 20, 20, {0.9f}, {kNaN});
    o.add(50, 50, kNaN, kNaN, {0.8f});
    o.add(50, 50, 20, 20, {0.7f});
    o.add(kInf, -kInf, kInf, kInf, {0.6f});
    const std::vector<Detection> d = runNms(o, opt);
    CHECK(d.size() == 4);
    for (const Detection& x : d) CHECK(x.anchor != 0);
  }
  {  // Class-aware vs agnostic, and the classes filter (nc = 2, the same box twice).
    Output0 o{2, 0, {}};
    o.add(50, 50, 20, 20, {0.9f, 0.1f});
    o.add(50, 50, 20, 20, {0.2f, 0.8f});
    std::vector<Detection> d = runNms(o, opt);
    CHECK((d.size() == 2 && d[0].cls == 0 && d[1].cls == 1));
    NmsOptions agnostic = opt;
    agnostic.agnostic = true;
    d = runNms(o, agnostic);
    CHECK((d.size() == 1 && d[0].cls == 0));
    NmsOptions only1 = opt;
    only1.classes = {1};
    d = runNms(o, only1);
    CHECK((d.size() == 1 && d[0].cls == 1 && d[0].anchor == 1));
    // Equal class scores: the first maximum wins, like torch.max.
    Output0 tie{2, 0, {}};
    tie.add(50, 50, 20, 20, {0.5f, 0.5f});
    d = runNms(tie, opt);
    CHECK((d.size() == 1 && d[0].cls == 0));
  }
  {  // boxIou: torchvision's formula; identical and disjoint boxes.
    const float a[4] = {0, 0, 10, 10}, b[4] = {5, 0, 15, 10}, c[4] = {20, 20, 30, 30};
    CHECK(boxIou(a, a) == 1.f);
    CHECK(boxIou(a, b) == 50.f / 150.f);
    CHECK(boxIou(a, c) == 0.f);
  }
}

}  // namespace
