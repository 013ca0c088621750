// One image's post-processing end to end: NMS, full-image box, scale_boxes, coefficients.
#include <doctest/doctest.h>

#include "../../core/postprocess.h"
#include "support.h"

using namespace fastsam;

namespace {

TEST_CASE("detect") {
  // nc = 1, nm = 2; a 64x32 (w x h) original in a 64x64 input: gain 1, pad (0, 16).
  Output0 o{1, 2, {}};
  o.add(25, 32.5f, 30, 15, {0.9f}, {1.f, 2.f});  // [10,25,40,40]: x1 snapped to 0 (within 20 px)
  o.add(32, 32, 4, 4, {0.95f}, {3.f, 4.f});      // [30,30,34,34]: untouched
  o.add(32, 32, 62, 62, {0.5f}, {5.f, 6.f});     // [1,1,63,63]: becomes the full input box
  const std::vector<float> data = o.data();
  PostprocessOptions opt;
  opt.nms.iouThreshold = 0.99f;
  opt.inputH = 64, opt.inputW = 64, opt.origH = 32, opt.origW = 64;
  const ImageDetections r = detect(data.data(), o.rows(), o.count(), opt);
  CHECK((r.count() == 3 && r.nm == 2));
  const float wantInput[12] = {30, 30, 34, 34, 0, 25, 40, 40, 0, 0, 64, 64};
  const float wantOrig[12] = {30, 14, 34, 18, 0, 9, 40, 24, 0, 0, 64, 32};
  const float wantCoef[6] = {3, 4, 1, 2, 5, 6};
  for (int i = 0; i < 12; ++i) CHECK((r.inputBoxes[i] == wantInput[i] && r.boxes[i] == wantOrig[i]));
  for (int i = 0; i < 6; ++i) CHECK(r.coef[i] == wantCoef[i]);
  CHECK((r.conf[0] == 0.95f && r.conf[1] == 0.9f && r.conf[2] == 0.5f && r.cls[2] == 0.f));

  bool threw = false;
  try {
    detect(data.data(), 4, 1, opt);  // rows < 4 + nc
  } catch (const std::invalid_argument&) { threw = true; }
  CHECK(threw);
}

}  // namespace
