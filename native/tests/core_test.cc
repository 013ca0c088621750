// Pixel-level tests of the pure C++ core, meant to run under ASan + UBSan and valgrind
// (scripts/native-sanitize.sh). Plain C++17: no framework, no N-API. Exit code 0 = every check passed.
//
// Edge cases (NaN, inverted, huge or outside boxes, 1x1 and 1x4000 images, 2x2 prototypes) are here
// because the binding forwards user data to these functions, and the design promises no crash on any
// input. Where a result is defined, it is compared with a hand computation or a dense re-computation.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../core/bitpack.h"
#include "../core/contours.h"
#include "../core/full_image_box.h"
#include "../core/letterbox.h"
#include "../core/masks.h"
#include "../core/morphology.h"
#include "../core/nms.h"
#include "../core/parallel.h"
#include "../core/postprocess.h"
#include "../core/rle.h"
#include "../core/scale_boxes.h"

// Prints where it failed and exits non-zero: the first failure is the one worth reading.
#define CHECK(cond)                                                                 \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                 \
    }                                                                               \
  } while (0)

using namespace fastsam;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Deterministic pseudo-random numbers (an LCG), so failures reproduce.
struct Rng {
  uint32_t s = 12345;
  uint32_t next() { return s = s * 1664525u + 1013904223u; }
  uint8_t byte() { return static_cast<uint8_t>(next() >> 24); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.f; }
};

std::vector<uint8_t> randomImage(Rng& rng, int w, int h, int channels) {
  std::vector<uint8_t> img(static_cast<size_t>(w) * h * channels);
  for (uint8_t& v : img) v = rng.byte();
  return img;
}

// ----------------------------------------------------------------------------------------- letterbox

void testRoundHalfEven() {
  CHECK(roundHalfEven(766.5) == 766.0);  // Python round(), as the spec's example
  CHECK(roundHalfEven(0.5) == 0.0);
  CHECK(roundHalfEven(1.5) == 2.0);
  CHECK(roundHalfEven(-0.1) == 0.0);
  CHECK(roundHalfEven(106.4) == 106.0);
}

void testComputeLetterbox() {
  // Spec 2.4 examples: 1000x667 at 640 (square and auto), bus.jpg 810x1080 at 1024 with auto.
  LetterboxGeometry g = computeLetterbox(667, 1000, 640, 640, false, true, 32);
  CHECK(g.unpadWidth == 640 && g.unpadHeight == 427);
  CHECK(g.top == 106 && g.bottom == 107 && g.left == 0 && g.right == 0);
  CHECK(g.outWidth == 640 && g.outHeight == 640);
  g = computeLetterbox(667, 1000, 640, 640, true, true, 32);
  CHECK(g.top == 10 && g.bottom == 11 && g.outHeight == 448 && g.outWidth == 640);
  g = computeLetterbox(1080, 810, 1024, 1024, true, true, 32);
  CHECK(g.unpadWidth == 768 && g.unpadHeight == 1024 && g.outWidth == 768 && g.outHeight == 1024);
  g = computeLetterbox(1080, 810, 1024, 1024, false, true, 32);
  CHECK(g.left == 128 && g.right == 128 && g.outWidth == 1024);

  // scaleUp=false keeps a small image at its size; a 1x1 image fills the whole input when upscaled.
  g = computeLetterbox(50, 100, 640, 640, false, false, 32);
  CHECK(g.unpadWidth == 100 && g.unpadHeight == 50 && g.outWidth == 640 && g.outHeight == 640);
  g = computeLetterbox(1, 1, 640, 640, false, true, 32);
  CHECK(g.unpadWidth == 640 && g.unpadHeight == 640 && g.top == 0 && g.left == 0);

  // Extreme aspect ratios: the short side rounds to 0 px (the binding rejects that), the rest still fits.
  g = computeLetterbox(1, 4000, 640, 640, false, true, 32);
  CHECK(g.unpadWidth == 640 && g.unpadHeight == 0 && g.outHeight == 640 && g.top == 320);
  g = computeLetterbox(4000, 1, 640, 640, true, true, 32);
  CHECK(g.unpadHeight == 640 && g.unpadWidth == 0 && g.outWidth == 0);

  // Invariants over odd sizes: padding adds up; square mode fills the input; auto pads to the stride.
  const int sizes[] = {1, 2, 3, 7, 31, 33, 333, 641, 1999};
  for (int h : sizes)
    for (int w : sizes)
      for (int autoPad = 0; autoPad < 2; ++autoPad) {
        g = computeLetterbox(h, w, 96, 160, autoPad, true, 32);
        CHECK(g.unpadWidth <= 160 && g.unpadHeight <= 96 && g.unpadWidth >= 0 && g.unpadHeight >= 0);
        CHECK(g.top >= 0 && g.bottom >= g.top && g.bottom - g.top <= 1);
        CHECK(g.left >= 0 && g.right >= g.left && g.right - g.left <= 1);
        CHECK(g.outWidth == g.unpadWidth + g.left + g.right && g.outHeight == g.unpadHeight + g.top + g.bottom);
        if (autoPad)
          CHECK((160 - g.outWidth) % 32 == 0 && (96 - g.outHeight) % 32 == 0);
        else
          CHECK(g.outWidth == 160 && g.outHeight == 96);
      }
}

void testResizeKnownValues() {
  // 2x2 -> 4x4, worked by hand with the spec's fixed-point formula (2.4a). x taps (clamped):
  // (s=0,a=0) (0,.25) (0,.75) (s=1,a=0); y taps are not clamped: (s=-1,a=.75) -> rows 0 and 0, so row 0.
  // Every exact bilinear value here is an integer, and the fixed-point path lands on it.
  const uint8_t src[4] = {0, 64, 128, 192};
  const uint8_t want[16] = {0, 16, 48, 64, 32, 48, 80, 96, 96, 112, 144, 160, 128, 144, 176, 192};
  uint8_t dst[16];
  resizeBilinearU8(src, 2, 2, 1, dst, 4, 4);
  for (int i = 0; i < 16; ++i) CHECK(dst[i] == want[i]);

  // 2x2 -> 1x1: weights 1024/1024 each way: ((4096*1024>>16) + (20480*1024>>16) + 2) >> 2 = 96.
  resizeBilinearU8(src, 2, 2, 1, dst, 1, 1);
  CHECK(dst[0] == 96);

  // 3x1 -> 2x1: a = .25 then .75; 12.5 and 27.5 round up through the +2 >> 2 step.
  const uint8_t row[3] = {10, 20, 30};
  resizeBilinearU8(row, 3, 1, 1, dst, 2, 1);
  CHECK(dst[0] == 13 && dst[1] == 28);
}

// Each output channel value lies within its source channel's [min, max] (bilinear is a convex blend).
void checkWithinSourceRange(const std::vector<uint8_t>& src, const std::vector<uint8_t>& dst, int channels) {
  for (int c = 0; c < channels; ++c) {
    int lo = 255, hi = 0;
    for (size_t i = c; i < src.size(); i += channels) lo = std::min<int>(lo, src[i]), hi = std::max<int>(hi, src[i]);
    for (size_t i = c; i < dst.size(); i += channels) CHECK(dst[i] >= lo && dst[i] <= hi);
  }
}

void testResizeProperties() {
  Rng rng;
  struct Case {
    int sw, sh, dw, dh, ch;
  };
  const Case cases[] = {{1, 1, 1, 1, 3},       {1, 1, 7, 5, 3},       {5, 7, 1, 1, 1},      {37, 23, 64, 41, 3},
                        {64, 41, 37, 23, 3},   {13, 11, 13, 11, 4},   {4000, 1, 640, 1, 3}, {1, 4000, 1, 640, 3},
                        {4000, 1, 8000, 2, 1}, {1, 4000, 3, 9000, 1}, {3, 3, 640, 2, 3},    {640, 2, 3, 3, 3},
                        {2, 2, 3, 1000, 1}};
  for (const Case& k : cases) {
    const std::vector<uint8_t> src = randomImage(rng, k.sw, k.sh, k.ch);
    std::vector<uint8_t> dst(static_cast<size_t>(k.dw) * k.dh * k.ch);
    resizeBilinearU8(src.data(), k.sw, k.sh, k.ch, dst.data(), k.dw, k.dh);
    checkWithinSourceRange(src, dst, k.ch);
    if (k.sw == k.dw && k.sh == k.dh) CHECK(dst == src);  // same size: identity

    // A constant image stays constant at any scale (weights sum to 2048 on both axes).
    std::vector<uint8_t> flat(src.size(), 200);
    resizeBilinearU8(flat.data(), k.sw, k.sh, k.ch, dst.data(), k.dw, k.dh);
    for (uint8_t v : dst) CHECK(v == 200);
  }
}

void testLetterboxToTensor() {
  Rng rng;
  const float pad = 114.f / 255.f;
  // Same size (r = 1): no resize, pixels copied to CHW and divided by 255, padding top and bottom.
  {
    const int w = 32, h = 17;
    const std::vector<uint8_t> rgb = randomImage(rng, w, h, 3);
    const LetterboxGeometry g = computeLetterbox(h, w, 32, 32, false, true, 32);
    CHECK(g.unpadWidth == w && g.unpadHeight == h && g.top == 7 && g.bottom == 8);
    std::vector<float> t(3 * 32 * 32, -1.f);
    letterboxToTensor(rgb.data(), w, h, g, t.data());
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 32; ++x) {
          const float v = t[(c * 32 + y) * 32 + x];
          const int sy = y - g.top;
          if (sy < 0 || sy >= h)
            CHECK(v == pad);
          else
            CHECK(v == static_cast<float>(rgb[(sy * w + x) * 3 + c]) / 255.f);
        }
  }
  // Resized (odd sizes, up and down, auto and square): the inside is resizeBilinearU8's output / 255.
  struct Case {
    int w, h, newSize;
    bool autoPad;
  };
  const Case cases[] = {{37, 23, 64, true}, {37, 23, 64, false},   {101, 7, 32, false},
                        {1, 1, 64, false},  {4000, 1, 8000, true}, {5, 500, 64, false}};
  for (const Case& k : cases) {
    const std::vector<uint8_t> rgb = randomImage(rng, k.w, k.h, 3);
    const LetterboxGeometry g = computeLetterbox(k.h, k.w, k.newSize, k.newSize, k.autoPad, true, 32);
    CHECK(g.unpadWidth >= 1 && g.unpadHeight >= 1);
    std::vector<uint8_t> resized(static_cast<size_t>(g.unpadWidth) * g.unpadHeight * 3);
    resizeBilinearU8(rgb.data(), k.w, k.h, 3, resized.data(), g.unpadWidth, g.unpadHeight);
    const size_t plane = static_cast<size_t>(g.outWidth) * g.outHeight;
    std::vector<float> t(plane * 3, -1.f);
    letterboxToTensor(rgb.data(), k.w, k.h, g, t.data());
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < g.outHeight; ++y)
        for (int x = 0; x < g.outWidth; ++x) {
          const float v = t[c * plane + static_cast<size_t>(y) * g.outWidth + x];
          CHECK(v >= 0.f && v <= 1.f);
          const int sy = y - g.top, sx = x - g.left;
          if (sy < 0 || sy >= g.unpadHeight || sx < 0 || sx >= g.unpadWidth)
            CHECK(v == pad);
          else
            CHECK(v == static_cast<float>(resized[(static_cast<size_t>(sy) * g.unpadWidth + sx) * 3 + c]) / 255.f);
        }
    if (k.w == 1 && k.h == 1)  // a 1x1 image upscales to one flat colour
      for (size_t i = 0; i < plane * 3; ++i) CHECK(t[i] == static_cast<float>(rgb[i / plane]) / 255.f);
  }
  // A side that rounds to 0 px must not touch memory: the tensor is all padding.
  {
    const std::vector<uint8_t> rgb = randomImage(rng, 4000, 1, 3);
    const LetterboxGeometry g = computeLetterbox(1, 4000, 640, 640, false, true, 32);
    std::vector<float> t(static_cast<size_t>(g.outWidth) * g.outHeight * 3, -1.f);
    letterboxToTensor(rgb.data(), 4000, 1, g, t.data());
    for (float v : t) CHECK(v == pad);
  }
}

// ----------------------------------------------------------------------------------------------- NMS

// output0 builder: one anchor per call, columns filled row by row as the network lays them out.
struct Output0 {
  int nc, nm;
  std::vector<std::vector<float>> anchors;
  void add(float cx, float cy, float w, float h, std::vector<float> scores, std::vector<float> coef = {}) {
    std::vector<float> col = {cx, cy, w, h};
    scores.resize(nc, 0.f);
    coef.resize(nm, 0.f);
    col.insert(col.end(), scores.begin(), scores.end());
    col.insert(col.end(), coef.begin(), coef.end());
    anchors.push_back(col);
  }
  int rows() const { return 4 + nc + nm; }
  int count() const { return static_cast<int>(anchors.size()); }
  std::vector<float> data() const {
    std::vector<float> out(static_cast<size_t>(rows()) * count() + 1);  // +1: never a null pointer
    for (int a = 0; a < count(); ++a)
      for (int r = 0; r < rows(); ++r) out[static_cast<size_t>(r) * count() + a] = anchors[a][r];
    return out;
  }
};

std::vector<Detection> runNms(const Output0& o, const NmsOptions& opt) {
  const std::vector<float> d = o.data();
  return nonMaxSuppression(d.data(), o.rows(), o.count(), o.nc, opt);
}

void testNmsMultiLabel() {
  // The validator's multi_label: each class score above conf is a candidate, NMS runs per class (offset).
  Output0 o{3, 0, {}};
  o.add(10, 10, 4, 4, {0.9f, 0.6f, 0.1f});
  o.add(40, 40, 4, 4, {0.3f, 0.2f, 0.8f});
  NmsOptions opt;
  opt.multiLabel = true;
  std::vector<Detection> d = runNms(o, opt);
  CHECK(d.size() == 4);
  CHECK(d[0].cls == 0 && d[0].anchor == 0 && d[1].cls == 2 && d[1].anchor == 1);
  CHECK(d[2].cls == 1 && d[2].anchor == 0 && d[3].cls == 0 && d[3].anchor == 1);
  opt.agnostic = true;  // same boxes, no class offset: the lower-scored duplicates are suppressed
  CHECK(runNms(o, opt).size() == 2);
  opt.multiLabel = false;
  opt.agnostic = false;
  CHECK(runNms(o, opt).size() == 2);  // best class only
}

void testNms() {
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
    CHECK(d.size() == 1 && d[0].anchor == 1 && d[0].cls == 0 && d[0].conf == 0.9f);
    CHECK(d[0].box[0] == 8.f && d[0].box[1] == 17.f && d[0].box[2] == 12.f && d[0].box[3] == 23.f);
  }
  {  // All scores equal: identical boxes collapse to the first anchor; disjoint ones keep anchor order.
    Output0 same{1, 0, {}}, apart{1, 0, {}};
    for (int i = 0; i < 5; ++i) same.add(50, 50, 20, 20, {0.5f});
    for (int i = 0; i < 5; ++i) apart.add(50.f * i + 10, 10, 10, 10, {0.5f});
    std::vector<Detection> d = runNms(same, opt);
    CHECK(d.size() == 1 && d[0].anchor == 0);
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
    CHECK(d.size() == 3 && d[0].anchor == 1 && d[1].anchor == 2 && d[2].anchor == 0);
    at.iouThreshold = 0.49f;
    d = runNms(o, at);
    CHECK(d.size() == 2 && d[0].anchor == 1 && d[1].anchor == 2);
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
    CHECK(d.size() == 2 && d[0].cls == 0 && d[1].cls == 1);
    NmsOptions agnostic = opt;
    agnostic.agnostic = true;
    d = runNms(o, agnostic);
    CHECK(d.size() == 1 && d[0].cls == 0);
    NmsOptions only1 = opt;
    only1.classes = {1};
    d = runNms(o, only1);
    CHECK(d.size() == 1 && d[0].cls == 1 && d[0].anchor == 1);
    // Equal class scores: the first maximum wins, like torch.max.
    Output0 tie{2, 0, {}};
    tie.add(50, 50, 20, 20, {0.5f, 0.5f});
    d = runNms(tie, opt);
    CHECK(d.size() == 1 && d[0].cls == 0);
  }
  {  // boxIou: torchvision's formula; identical and disjoint boxes.
    const float a[4] = {0, 0, 10, 10}, b[4] = {5, 0, 15, 10}, c[4] = {20, 20, 30, 30};
    CHECK(boxIou(a, a) == 1.f);
    CHECK(boxIou(a, b) == 50.f / 150.f);
    CHECK(boxIou(a, c) == 0.f);
  }
}

// --------------------------------------------------------------------------- full-image box, scaling

Detection det(float x1, float y1, float x2, float y2, float conf, int cls) {
  Detection d;
  d.box[0] = x1, d.box[1] = y1, d.box[2] = x2, d.box[3] = y2;
  d.conf = conf, d.cls = cls, d.anchor = 0;
  return d;
}

void testFullImageBox() {
  std::vector<Detection> none;
  applyFullImageBox(none, 640, 640);
  CHECK(none.empty());

  std::vector<Detection> d = {
      det(5, 3, 630, 635, 0.9f, 2),    // snapped to the border, then IoU 1: becomes the full box
      det(25, 25, 600, 600, 0.8f, 1),  // not within 20 px, IoU 0.81: unchanged
      det(10, 30, 100, 630, 0.7f, 1),  // only snapped
      det(1, 1, 639, 639, 0.6f, 3),    // a second full-image match: also the full box (a deliberate deviation)
      det(kNaN, kNaN, kNaN, kNaN, 0.5f, 1), det(300, 300, 200, 200, 0.4f, 1),  // inverted
  };
  applyFullImageBox(d, 640, 640);
  CHECK(d[0].box[0] == 0 && d[0].box[1] == 0 && d[0].box[2] == 640 && d[0].box[3] == 640 && d[0].cls == 0);
  CHECK(d[0].conf == 0.9f);
  CHECK(d[1].box[0] == 25 && d[1].box[2] == 600 && d[1].cls == 1);
  CHECK(d[2].box[0] == 0 && d[2].box[1] == 30 && d[2].box[2] == 100 && d[2].box[3] == 640 && d[2].cls == 1);
  CHECK(d[3].box[2] == 640 && d[3].cls == 0 && d[3].conf == 0.6f);
  CHECK(std::isnan(d[4].box[0]) && d[4].cls == 1);
  CHECK(d[5].box[0] == 300 && d[5].cls == 1);
}

void testScaleBoxes() {
  // 1000x667 letterboxed into 640x640: gain 0.64, pad (0, 106).
  float full[4] = {0, 106, 640, 533};
  scaleBoxToOriginal(full, 640, 640, 667, 1000);
  CHECK(full[0] == 0 && full[1] == 0 && full[2] == 1000 && full[3] == 667);  // 667.19 clipped
  float mid[4] = {64, 170, 128, 234};
  scaleBoxToOriginal(mid, 640, 640, 667, 1000);
  CHECK(std::fabs(mid[0] - 100) < 1e-3f && std::fabs(mid[1] - 100) < 1e-3f);
  CHECK(std::fabs(mid[2] - 200) < 1e-3f && std::fabs(mid[3] - 200) < 1e-3f);
  float wild[4] = {-1e30f, kInf, 1e30f, kNaN};
  scaleBoxToOriginal(wild, 640, 640, 1, 1);
  CHECK(wild[0] == 0 && wild[1] == 1 && wild[2] == 1);
  CHECK(std::isnan(wild[3]));  // NaN stays NaN: clamp does not invent a number
}

// --------------------------------------------------------------------------------------------- masks

// PyTorch bilinear (align_corners=False) source taps, written out independently of bilinear.cc.
void torchTap(int srcLen, int dstLen, int d, int& i0, int& i1, float& w0, float& w1) {
  const float scale = static_cast<float>(srcLen) / static_cast<float>(dstLen);
  const float real = std::max(scale * (static_cast<float>(d) + 0.5f) - 0.5f, 0.f);
  i0 = std::min(static_cast<int>(std::floor(real)), srcLen - 1);
  i1 = std::min(i0 + 1, srcLen - 1);
  w1 = std::min(std::max(real - static_cast<float>(i0), 0.f), 1.f);
  w0 = 1.f - w1;
}

// The prototype region that is upsampled: all of it (Letterbox), or process_mask_native's slice without
// the letterbox padding, truncated with int() (Native).
struct ReferenceRegion {
  int top = 0, left = 0, h = 0, w = 0;
};
ReferenceRegion referenceRegion(int ph, int pw, const MaskGeometry& g) {
  ReferenceRegion r{0, 0, ph, pw};
  if (g.mode == MaskMode::Native) {
    const double gain = std::min(static_cast<double>(ph) / g.outH, static_cast<double>(pw) / g.outW);
    const double padW = (pw - g.outW * gain) / 2, padH = (ph - g.outH * gain) / 2;
    r.top = static_cast<int>(padH), r.left = static_cast<int>(padW);
    r.h = static_cast<int>(ph - padH) - r.top, r.w = static_cast<int>(pw - padW) - r.left;
  }
  return r;
}

// The reference's mask, dense: logits (cropped at prototype resolution in Letterbox mode) -> upsample
// -> crop in output space (Native mode) -> logit > 0. Same float operation order as the core.
std::vector<uint8_t> denseMask(const std::vector<float>& protos, int nm, int ph, int pw, const MaskGeometry& g,
                               const float* coef, const float* box) {
  const ReferenceRegion region = referenceRegion(ph, pw, g);
  const int top = region.top, left = region.left, sh = region.h, sw = region.w;
  std::vector<uint8_t> out(static_cast<size_t>(g.outH) * g.outW, 0);
  if (sh <= 0 || sw <= 0) return out;
  const float sx = static_cast<float>(static_cast<double>(pw) / g.inputW);
  const float sy = static_cast<float>(static_cast<double>(ph) / g.inputH);
  std::vector<float> logits(static_cast<size_t>(sh) * sw);
  for (int r = 0; r < sh; ++r)
    for (int c = 0; c < sw; ++c) {
      float sum = 0.f;
      for (int k = 0; k < nm; ++k) sum += coef[k] * protos[(static_cast<size_t>(k) * ph + top + r) * pw + left + c];
      const bool inside = c >= box[0] * sx && c < box[2] * sx && r >= box[1] * sy && r < box[3] * sy;
      logits[static_cast<size_t>(r) * sw + c] = (g.mode == MaskMode::Native || inside) ? sum : 0.f;
    }
  for (int y = 0; y < g.outH; ++y) {
    int r0, r1, c0, c1;
    float v0, v1, h0, h1;
    torchTap(sh, g.outH, y, r0, r1, v0, v1);
    for (int x = 0; x < g.outW; ++x) {
      torchTap(sw, g.outW, x, c0, c1, h0, h1);
      const float a = logits[r0 * sw + c0] * h0 + logits[r0 * sw + c1] * h1;
      const float b = logits[r1 * sw + c0] * h0 + logits[r1 * sw + c1] * h1;
      bool keep = a * v0 + b * v1 > 0.f;
      if (g.mode == MaskMode::Native) keep = keep && x >= box[0] && x < box[2] && y >= box[1] && y < box[3];
      out[static_cast<size_t>(y) * g.outW + x] = keep ? 1 : 0;
    }
  }
  return out;
}

// A crop placed back into its full frame.
std::vector<uint8_t> placeCrop(const MaskCrop& crop, int h, int w) {
  CHECK(crop.x >= 0 && crop.y >= 0 && crop.width >= 0 && crop.height >= 0);
  CHECK(crop.x + crop.width <= w && crop.y + crop.height <= h);
  CHECK(crop.bits.size() == static_cast<size_t>(crop.width) * crop.height);
  std::vector<uint8_t> full(static_cast<size_t>(h) * w, 0);
  for (int y = 0; y < crop.height; ++y)
    for (int x = 0; x < crop.width; ++x) {
      const uint8_t v = crop.bits[static_cast<size_t>(y) * crop.width + x];
      CHECK(v == 0 || v == 1);
      full[static_cast<size_t>(crop.y + y) * w + crop.x + x] = v;
    }
  return full;
}

// COCO uncompressed RLE back to a row-major bitmap: runs alternate 0/1, column-major, zeros first.
std::vector<uint8_t> decodeRle(const std::vector<uint32_t>& counts, int h, int w) {
  uint64_t total = 0;
  for (uint32_t c : counts) total += c;
  CHECK(total == static_cast<uint64_t>(h) * w);
  std::vector<uint8_t> out(static_cast<size_t>(h) * w, 0);
  uint64_t pos = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i > 0) CHECK(counts[i] > 0);  // only the leading zero run may be empty
    for (uint32_t k = 0; k < counts[i]; ++k, ++pos) {
      const int x = static_cast<int>(pos / h), y = static_cast<int>(pos % h);
      out[static_cast<size_t>(y) * w + x] = static_cast<uint8_t>(i % 2);
    }
  }
  return out;
}

// The boxes every mask test renders: ordinary, empty, inverted, NaN, partly or fully outside, huge.
std::vector<std::vector<float>> edgeBoxes(float w, float h, Rng& rng) {
  std::vector<std::vector<float>> boxes = {
      {0, 0, w, h},
      {w * 0.2f, h * 0.3f, w * 0.7f, h * 0.9f},
      {w * 0.5f, h * 0.5f, w * 0.5f, h * 0.5f},  // empty
      {w * 0.8f, h * 0.8f, w * 0.2f, h * 0.2f},  // inverted
      {w * 0.8f, h * 0.2f, w * 0.2f, h * 0.9f},  // inverted in x only
      {kNaN, 0, w, h},
      {0, kNaN, kNaN, kNaN},
      {-w, -h, w * 0.3f, h * 0.4f},        // partly outside (top-left)
      {w * 0.6f, h * 0.5f, w * 3, h * 3},  // partly outside (bottom-right)
      {w * 2, h * 2, w * 3, h * 3},        // fully outside
      {-w * 3, -h * 3, -w, -h},
      {-1e30f, -1e30f, 1e30f, 1e30f},  // huge
      {-kInf, -kInf, kInf, kInf},
      {0.5f, 0.5f, 1.5f, 1.5f},  // sub-pixel
  };
  for (int i = 0; i < 6; ++i) {
    const float x1 = rng.uniform(-0.2f * w, w), y1 = rng.uniform(-0.2f * h, h);
    boxes.push_back({x1, y1, x1 + rng.uniform(0, w), y1 + rng.uniform(0, h)});
  }
  return boxes;
}

void testMasks() {
  Rng rng;
  struct Case {
    MaskMode mode;
    int nm, ph, pw, inH, inW, outH, outW;
  };
  const Case cases[] = {
      {MaskMode::Letterbox, 3, 2, 2, 8, 8, 8, 8},  // 2x2 prototypes
      {MaskMode::Letterbox, 4, 3, 5, 12, 20, 12, 20},
      {MaskMode::Letterbox, 2, 4, 4, 16, 16, 13, 11},  // output not a multiple of the prototype size
      {MaskMode::Letterbox, 32, 8, 6, 32, 24, 32, 24},
      {MaskMode::Letterbox, 1, 1, 1, 4, 4, 4, 4},
      {MaskMode::Letterbox, 8, 16, 16, 64, 64, 64, 64},  // many boundary pixels: float order matters
      {MaskMode::Native, 3, 2, 2, 8, 8, 5, 7},
      {MaskMode::Native, 4, 4, 4, 16, 16, 9, 16},  // letterbox padding top and bottom
      {MaskMode::Native, 4, 4, 4, 16, 16, 16, 9},
      {MaskMode::Native, 2, 5, 3, 20, 12, 37, 23},
      {MaskMode::Native, 32, 8, 8, 32, 32, 61, 29},
      {MaskMode::Native, 8, 16, 16, 64, 64, 48, 64},
      {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1000},  // extreme aspect: a one-row original
      {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1},
  };
  int nonEmpty = 0;
  for (const Case& k : cases) {
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    MaskGeometry g;
    g.mode = k.mode, g.inputH = k.inH, g.inputW = k.inW, g.outH = k.outH, g.outW = k.outW;
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;  // box coordinate space
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      std::vector<float> coef(k.nm);
      for (float& c : coef) c = rng.uniform(-1.f, 1.f);
      const MaskCrop crop = renderer.render(coef.data(), box.data());
      const std::vector<uint8_t> full = placeCrop(crop, k.outH, k.outW);
      CHECK(full == denseMask(protos, k.nm, k.ph, k.pw, g, coef.data(), box.data()));
      if (!(box[0] < box[2]) || !(box[1] < box[3])) CHECK(crop.bits.empty());  // empty/inverted/NaN
      const std::vector<uint32_t> rle = encodeRle(crop, k.outH, k.outW);
      CHECK(decodeRle(rle, k.outH, k.outW) == full);
      CHECK(renderer.renderRle(coef.data(), box.data()) == rle);  // the fused path: same runs, no bitmap
      for (uint8_t v : full) nonEmpty += v;
    }
  }
  CHECK(nonEmpty > 0);  // the comparisons above are not all of empty masks
}

// Geometries for the plot path (paintUnassigned, approximateArea): both modes, odd sizes, one-row and
// one-column originals, heights that do not split evenly into two bands.
struct PlotCase {
  MaskMode mode;
  int nm, ph, pw, inH, inW, outH, outW;
};
const PlotCase kPlotCases[] = {
    {MaskMode::Letterbox, 3, 2, 2, 8, 8, 8, 8},
    {MaskMode::Letterbox, 4, 3, 5, 12, 20, 12, 20},
    {MaskMode::Letterbox, 2, 4, 4, 16, 16, 13, 11},
    {MaskMode::Letterbox, 8, 16, 16, 64, 64, 64, 64},
    {MaskMode::Letterbox, 1, 1, 1, 4, 4, 4, 4},
    {MaskMode::Native, 3, 2, 2, 8, 8, 5, 7},
    {MaskMode::Native, 4, 4, 4, 16, 16, 9, 16},   // padding top and bottom
    {MaskMode::Native, 4, 8, 8, 32, 32, 40, 20},  // padding left and right
    {MaskMode::Native, 2, 5, 3, 20, 12, 37, 23},
    {MaskMode::Native, 8, 16, 16, 64, 64, 48, 64},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1000},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1000, 1},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1},
    {MaskMode::Native, 1, 1, 1, 4, 4, 1, 1000},  // odd 1x1 prototypes: the slice keeps no prototype row
};

MaskGeometry plotGeometry(const PlotCase& k) {
  MaskGeometry g;
  g.mode = k.mode, g.inputH = k.inH, g.inputW = k.inW, g.outH = k.outH, g.outW = k.outW;
  return g;
}

// An index map (-1 = no mask) and its `assigned` bytes, as a plot paints them.
struct PaintMap {
  std::vector<int32_t> index;
  std::vector<uint8_t> assigned;
};

constexpr int32_t kSentinelIndex = 0x5E5E5E5E;

// A fresh map whose rows [rowBegin, rowEnd) are blank and whose other rows hold a sentinel index. Their
// `assigned` bytes are 0, so a stray paint there would write (a set byte would make it skip the row).
PaintMap bandMap(int h, int w, int rowBegin, int rowEnd) {
  PaintMap m{std::vector<int32_t>(static_cast<size_t>(h) * w), std::vector<uint8_t>(static_cast<size_t>(h) * w)};
  for (int y = 0; y < h; ++y) {
    const bool inside = y >= rowBegin && y < rowEnd;
    for (int x = 0; x < w; ++x) {
      m.index[static_cast<size_t>(y) * w + x] = inside ? -1 : kSentinelIndex;
      m.assigned[static_cast<size_t>(y) * w + x] = 0;
    }
  }
  return m;
}

// What the plot must show, built from render()'s crops: masks in `order`, the first painter of a pixel wins.
PaintMap referencePaint(const MaskRenderer& r, const MaskGeometry& g, const std::vector<std::vector<float>>& coefs,
                        const std::vector<std::vector<float>>& boxes, const std::vector<int>& order) {
  PaintMap m = bandMap(g.outH, g.outW, 0, g.outH);
  for (int i : order) {
    const MaskCrop crop = r.render(coefs[i].data(), boxes[i].data());
    for (int y = 0; y < crop.height; ++y)
      for (int x = 0; x < crop.width; ++x) {
        const size_t p = static_cast<size_t>(crop.y + y) * g.outW + crop.x + x;
        if (crop.bits[static_cast<size_t>(y) * crop.width + x] && !m.assigned[p]) m.index[p] = i, m.assigned[p] = 1;
      }
  }
  return m;
}

void paintAll(const MaskRenderer& r, const std::vector<std::vector<float>>& coefs,
              const std::vector<std::vector<float>>& boxes, const std::vector<int>& order, PaintMap& m, int rowBegin,
              int rowEnd) {
  for (int i : order)
    r.paintUnassigned(coefs[i].data(), boxes[i].data(), i, m.index.data(), m.assigned.data(), rowBegin, rowEnd);
}

// Rows [rowBegin, rowEnd) equal the reference; every other row still holds the sentinel.
bool bandMatches(const PaintMap& got, const PaintMap& want, int h, int w, int rowBegin, int rowEnd) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t p = static_cast<size_t>(y) * w + x;
      const bool inside = y >= rowBegin && y < rowEnd;
      if (got.index[p] != (inside ? want.index[p] : kSentinelIndex)) return false;
      if (got.assigned[p] != (inside ? want.assigned[p] : 0)) return false;
    }
  return true;
}

void testPaintUnassigned() {
  Rng rng{4242};
  int painted = 0, overlapped = 0;
  for (const PlotCase& k : kPlotCases) {
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    const MaskGeometry g = plotGeometry(k);
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;  // box coordinate space
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    const std::vector<std::vector<float>> boxes = edgeBoxes(bw, bh, rng);
    std::vector<std::vector<float>> coefs(boxes.size(), std::vector<float>(k.nm));
    for (auto& c : coefs)
      for (float& v : c) v = rng.uniform(-1.f, 1.f);
    // A shuffled painting order (the binding paints smallest first): the index is the mask, not the step.
    std::vector<int> order(boxes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[(rng.next() >> 16) % (i + 1)]);

    const int h = k.outH, w = k.outW, mid = h / 2;
    const PaintMap want = referencePaint(renderer, g, coefs, boxes, order);

    PaintMap whole = bandMap(h, w, 0, h);  // one band: all rows
    paintAll(renderer, coefs, boxes, order, whole, 0, h);
    CHECK(whole.index == want.index && whole.assigned == want.assigned);

    // Each half alone writes only its own rows (the binding paints bands on different threads).
    const int bands[2][2] = {{0, mid}, {mid, h}};
    for (const auto& band : bands) {
      PaintMap m = bandMap(h, w, band[0], band[1]);
      paintAll(renderer, coefs, boxes, order, m, band[0], band[1]);
      CHECK(bandMatches(m, want, h, w, band[0], band[1]));
    }
    // Both halves into one map, the second half first: bands are independent, the result is the whole.
    PaintMap halves = bandMap(h, w, 0, h);
    paintAll(renderer, coefs, boxes, order, halves, mid, h);
    paintAll(renderer, coefs, boxes, order, halves, 0, mid);
    CHECK(halves.index == want.index && halves.assigned == want.assigned);

    // Bands reaching past the image are clipped; empty and inverted bands touch nothing.
    PaintMap wide = bandMap(h, w, 0, h);
    paintAll(renderer, coefs, boxes, order, wide, -5, h + 5);
    CHECK(wide.index == want.index && wide.assigned == want.assigned);
    const int emptyBands[4][2] = {{mid, mid}, {h, 0}, {-9, 0}, {h, h + 9}};
    for (const auto& band : emptyBands) {
      PaintMap none = bandMap(h, w, 0, 0);  // all sentinel
      paintAll(renderer, coefs, boxes, order, none, band[0], band[1]);
      CHECK(bandMatches(none, want, h, w, 0, 0));
    }

    // Boxes that render nothing (empty, inverted, NaN, outside) paint nothing.
    for (size_t i = 0; i < boxes.size(); ++i) {
      if (!renderer.render(coefs[i].data(), boxes[i].data()).bits.empty()) continue;
      PaintMap m = bandMap(h, w, 0, 0);
      renderer.paintUnassigned(coefs[i].data(), boxes[i].data(), 7, m.index.data(), m.assigned.data(), 0, h);
      for (size_t p = 0; p < m.index.size(); ++p) CHECK(m.index[p] == kSentinelIndex && m.assigned[p] == 0);
    }

    // The comparison is not vacuous: masks were painted, and later masks lost pixels to earlier ones.
    for (int i : order) {
      const MaskCrop crop = renderer.render(coefs[i].data(), boxes[i].data());
      for (int y = 0; y < crop.height; ++y)
        for (int x = 0; x < crop.width; ++x)
          if (crop.bits[static_cast<size_t>(y) * crop.width + x])
            overlapped += want.index[static_cast<size_t>(crop.y + y) * w + crop.x + x] != i;
    }
    for (int32_t v : want.index) painted += v >= 0;
  }
  CHECK(painted > 0 && overlapped > 0);
}

// Cells c with lo <= c < hi among [0, limit): the cells crop_mask keeps at prototype resolution.
int cellsInside(double lo, double hi, int limit) {
  int n = 0;
  for (int c = 0; c < limit; ++c) n += c >= lo && c < hi;
  return n;
}

// A box edge, scaled to cells, within rounding of a cell boundary: whether that cell counts depends on
// float vs double arithmetic, which an estimate need not pin down.
bool nearCellEdge(double v) {
  const double d = std::fabs(v - std::round(v));
  return d > 0 && d < 1e-4;
}

void testApproximateArea() {
  const float plus = 1.f, minus = -1.f, zero = 0.f;
  {  // Letterbox, 4x4 prototypes for a 16x16 input and output: a cell is 4x4 px. Logit +1 everywhere.
    const std::vector<float> ones(16, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Letterbox, g.inputH = 16, g.inputW = 16, g.outH = 16, g.outW = 16;
    const MaskRenderer r(ones.data(), 1, 4, 4, g);
    const float full[4] = {0, 0, 16, 16}, part[4] = {4, 4, 12, 8}, narrow[4] = {4, 4, 5, 8};
    CHECK(r.approximateArea(&plus, full) == 256.0);
    CHECK(r.approximateArea(&plus, part) == 32.0);    // cells x 1..2, y 1
    CHECK(r.approximateArea(&plus, narrow) == 16.0);  // 1 <= x < 1.25: cell 1 only
    CHECK(r.approximateArea(&minus, full) == 0.0);
    CHECK(r.approximateArea(&zero, full) == 0.0);  // logit 0 is outside, as render() thresholds (> 0)
  }
  {  // Native: the same prototypes for a 16x9 original: 3 prototype rows are the image, a cell is 4x3 px.
    const std::vector<float> ones(16, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Native, g.inputH = 16, g.inputW = 16, g.outH = 9, g.outW = 16;
    const MaskRenderer r(ones.data(), 1, 4, 4, g);
    const float full[4] = {0, 0, 16, 9}, part[4] = {4, 4.5f, 12, 7.5f};
    CHECK(std::fabs(r.approximateArea(&plus, full) - 144.0) < 1e-9);
    CHECK(std::fabs(r.approximateArea(&plus, part) - 24.0) < 1e-9);  // cells x 1..2, y 2 (1.5 <= y < 2.5)
  }
  {  // Native, 8x8 prototypes for a 40x20 original: rows 2..5 are the image (cells of 5x5 px), rows 0, 1, 6
     // and 7 padding. Logit +1 in the image and -1 in the padding: only the image counts.
    std::vector<float> protos(64, -1.f);
    std::fill(protos.begin() + 2 * 8, protos.begin() + 6 * 8, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Native, g.inputH = 32, g.inputW = 32, g.outH = 20, g.outW = 40;
    const MaskRenderer r(protos.data(), 1, 8, 8, g);
    const float full[4] = {0, 0, 40, 20};
    CHECK(std::fabs(r.approximateArea(&plus, full) - 800.0) < 1e-9);
    CHECK(r.approximateArea(&minus, full) == 0.0);
  }

  Rng rng{9001};
  for (const PlotCase& k : kPlotCases) {
    const MaskGeometry g = plotGeometry(k);
    const ReferenceRegion region = referenceRegion(k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    const double total = static_cast<double>(k.outW) * k.outH;

    // A constant +1 logit: every cell in the crop counts, each worth (outW / srcW) x (outH / srcH) px.
    const std::vector<float> ones(static_cast<size_t>(k.ph) * k.pw, 1.f);
    const MaskRenderer flat(ones.data(), 1, k.ph, k.pw, g);
    if (region.h <= 0 || region.w <= 0) {
      // An odd prototype size with an extreme aspect leaves no prototype row: nothing renders, so every
      // area is 0 (not 0 cells times an infinite cell area, NaN).
      for (const std::vector<float>& box : edgeBoxes(bw, bh, rng))
        CHECK(flat.approximateArea(&plus, box.data()) == 0.0);
      continue;
    }
    const double sx =
        k.mode == MaskMode::Letterbox ? static_cast<double>(k.pw) / k.inW : static_cast<double>(region.w) / k.outW;
    const double sy =
        k.mode == MaskMode::Letterbox ? static_cast<double>(k.ph) / k.inH : static_cast<double>(region.h) / k.outH;
    const double cellArea = (static_cast<double>(k.outW) / region.w) * (static_cast<double>(k.outH) / region.h);
    int checked = 0;
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      const double edges[4] = {box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy};
      if (nearCellEdge(edges[0]) || nearCellEdge(edges[1]) || nearCellEdge(edges[2]) || nearCellEdge(edges[3]))
        continue;
      const int cells = cellsInside(edges[0], edges[2], region.w) * cellsInside(edges[1], edges[3], region.h);
      const double want = cells * cellArea;
      CHECK(std::fabs(flat.approximateArea(&plus, box.data()) - want) <= 1e-9 * (1 + want));
      CHECK(flat.approximateArea(&minus, box.data()) == 0.0);
      ++checked;
    }
    CHECK(checked > 0);
    const float full[4] = {0, 0, bw, bh};  // the whole image: the whole output
    CHECK(std::fabs(flat.approximateArea(&plus, full) - total) <= 1e-9 * total);

    // Random prototypes: never negative or more than the image; nothing for empty, inverted or NaN boxes.
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      std::vector<float> coef(k.nm);
      for (float& c : coef) c = rng.uniform(-1.f, 1.f);
      const double area = renderer.approximateArea(coef.data(), box.data());
      CHECK(area >= 0.0 && area <= total * (1 + 1e-12));
      if (!(box[0] < box[2]) || !(box[1] < box[3])) CHECK(area == 0.0);
    }
  }
}

void testRleKnown() {
  // Crop [[1,0],[1,1]] at (1,1) in a 3x3 frame; column-major it reads 0000 11 00 1.
  MaskCrop crop;
  crop.x = 1, crop.y = 1, crop.width = 2, crop.height = 2;
  crop.bits = {1, 0, 1, 1};
  CHECK((encodeRle(crop, 3, 3) == std::vector<uint32_t>{4, 2, 2, 1}));
  CHECK((encodeRle(MaskCrop(), 4, 5) == std::vector<uint32_t>{20}));
  MaskCrop ones;
  ones.width = 3, ones.height = 2;
  ones.bits.assign(6, 1);
  CHECK((encodeRle(ones, 2, 3) == std::vector<uint32_t>{0, 6}));
  CHECK((encodeRle(MaskCrop(), 0, 0) == std::vector<uint32_t>{0}));

  // RunBuilder directly: a leading 1 opens with an empty zero run, and adjacent zero runs merge.
  RunBuilder b;
  b.zeros(0);
  b.scan(3, [](int i) { return i != 1; });  // 1 0 1
  b.zeros(2);
  b.scan(0, [](int) { return true; });
  b.scan(2, [](int) { return false; });
  CHECK((b.finish() == std::vector<uint32_t>{0, 1, 1, 1, 4}));
}

// ------------------------------------------------------------------------------------------ contours

// A bitmap, drawn as text in the hand-checked tests: one string per row, '#' = foreground.
struct Bitmap {
  int w = 0, h = 0;
  std::vector<uint8_t> bits;
  bool on(int x, int y) const { return x >= 0 && y >= 0 && x < w && y < h && bits[static_cast<size_t>(y) * w + x]; }
};

Bitmap art(std::initializer_list<const char*> rows) {
  Bitmap b;
  for (const char* row : rows) {
    const int len = static_cast<int>(std::strlen(row));
    CHECK(b.h == 0 || len == b.w);
    b.w = len, ++b.h;
    for (int x = 0; x < len; ++x) b.bits.push_back(row[x] == '#' ? 1 : 0);
  }
  return b;
}

using Points = std::vector<int32_t>;

std::vector<Contour> trace(const Bitmap& b, ContourRetrieval mode, bool simple) {
  return findContours(b.bits.data(), b.w, b.h, mode, simple);
}

// Contours as text, for hand-checked expectations: "outer: (x,y) ..." for a top-level border, "outer in
// P: ..." for one inside contour P, "hole of P: ..." for a hole; " | " between contours, in order.
std::string describe(const std::vector<Contour>& contours) {
  std::string s;
  for (size_t i = 0; i < contours.size(); ++i) {
    const Contour& c = contours[i];
    if (i > 0) s += " | ";
    s += c.hole         ? "hole of " + std::to_string(c.parent)
         : c.parent < 0 ? std::string("outer")
                        : "outer in " + std::to_string(c.parent);
    s += ":";
    for (size_t k = 0; k + 1 < c.points.size(); k += 2)
      s += " (" + std::to_string(c.points[k]) + "," + std::to_string(c.points[k + 1]) + ")";
  }
  return s;
}

// Traces and compares with the expected text; prints both on a mismatch, so a failure is readable.
bool traces(const Bitmap& b, ContourRetrieval mode, bool simple, const std::string& want) {
  const std::string got = describe(trace(b, mode, simple));
  if (got != want) std::fprintf(stderr, "  got:  %s\n  want: %s\n", got.c_str(), want.c_str());
  return got == want;
}

const ContourRetrieval kModes[] = {ContourRetrieval::External, ContourRetrieval::All};
constexpr ContourRetrieval kAll = ContourRetrieval::All, kExternal = ContourRetrieval::External;

// A filled rectangle: traced down its left side first (cv2's order); SIMPLE keeps the 4 corners.
void testContoursRectangle() {
  const Bitmap b = art({"........", ".######.", ".######.", ".######.", ".######.", "........"});
  std::string border = "outer:";
  const auto add = [&border](int x, int y) { border += " (" + std::to_string(x) + "," + std::to_string(y) + ")"; };
  for (int y = 1; y <= 4; ++y) add(1, y);  // left side, down
  for (int x = 2; x <= 6; ++x) add(x, 4);  // bottom, rightwards
  for (int y = 3; y >= 1; --y) add(6, y);  // right side, up
  for (int x = 5; x >= 2; --x) add(x, 1);  // top, leftwards
  const std::vector<Contour> full = trace(b, kAll, false);
  CHECK(full.size() == 1 && full[0].points.size() == 2 * (2 * (6 + 4) - 4));
  for (ContourRetrieval mode : kModes) {
    CHECK(traces(b, mode, true, "outer: (1,1) (1,4) (6,4) (6,1)"));
    CHECK(traces(b, mode, false, border));
  }
}

void testContoursSinglePixel() {
  for (ContourRetrieval mode : kModes)
    for (bool simple : {true, false}) {
      CHECK(traces(art({"...", ".#.", "..."}), mode, simple, "outer: (1,1)"));
      CHECK(traces(art({"#"}), mode, simple, "outer: (0,0)"));
      CHECK(traces(art({"."}), mode, simple, ""));
    }
}

// One-pixel-wide lines: the border runs out and back, so inner pixels appear twice (as in cv2); SIMPLE
// keeps the two ends.
void testContoursLines() {
  struct Line {
    Bitmap b;
    const char *full, *simple;
  };
  const Line lines[] = {
      {art({".......", ".#####.", "......."}), "outer: (1,1) (2,1) (3,1) (4,1) (5,1) (4,1) (3,1) (2,1)",
       "outer: (1,1) (5,1)"},
      {art({"...", ".#.", ".#.", ".#.", ".#.", "..."}), "outer: (1,1) (1,2) (1,3) (1,4) (1,3) (1,2)",
       "outer: (1,1) (1,4)"},
      {art({"#...", ".#..", "..#.", "...#"}), "outer: (0,0) (1,1) (2,2) (3,3) (2,2) (1,1)", "outer: (0,0) (3,3)"},
      {art({"...#", "..#.", ".#..", "#..."}), "outer: (3,0) (2,1) (1,2) (0,3) (1,2) (2,1)", "outer: (3,0) (0,3)"},
      {art({".##."}), "outer: (1,0) (2,0)", "outer: (1,0) (2,0)"},  // two pixels: nothing to drop
  };
  for (const Line& line : lines)
    for (ContourRetrieval mode : kModes) {
      CHECK(traces(line.b, mode, false, line.full));
      CHECK(traces(line.b, mode, true, line.simple));
    }
}

// Separate blobs are separate contours, in raster order of their first pixel; pixels touching at a corner
// are one blob (8-connectivity), also in the bitmap's corners.
void testContoursBlobs() {
  const Bitmap b = art({"##....", "##....", "......", "....#."});
  for (ContourRetrieval mode : kModes)
    for (bool simple : {true, false}) CHECK(traces(b, mode, simple, "outer: (0,0) (0,1) (1,1) (1,0) | outer: (4,3)"));
  CHECK(traces(art({"#.", ".#"}), kAll, false, "outer: (0,0) (1,1)"));
  CHECK(traces(art({".#", "#."}), kAll, false, "outer: (1,0) (0,1)"));
  CHECK(traces(art({"#.#", "...", "#.#"}), kAll, true, "outer: (0,0) | outer: (2,0) | outer: (0,2) | outer: (2,2)"));
}

// A 5x5 ring, inside a margin and touching the bitmap's edges: All mode gives the outer border and the
// hole (child of the outer border); External only the outer one. The hole border cuts the ring's corners,
// which are not 4-adjacent to the hole.
void testContoursRing() {
  const Bitmap margin = art({".......", ".#####.", ".#...#.", ".#...#.", ".#...#.", ".#####.", "......."});
  CHECK(traces(margin, kAll, true,
               "outer: (1,1) (1,5) (5,5) (5,1) | hole of 0: (1,2) (2,1) (4,1) (5,2) (5,4) (4,5) (2,5) (1,4)"));
  CHECK(traces(margin, kAll, false,
               "outer: (1,1) (1,2) (1,3) (1,4) (1,5) (2,5) (3,5) (4,5) (5,5) (5,4) (5,3) (5,2) (5,1) (4,1) (3,1) (2,1)"
               " | hole of 0: (1,2) (2,1) (3,1) (4,1) (5,2) (5,3) (5,4) (4,5) (3,5) (2,5) (1,4) (1,3)"));
  CHECK(traces(margin, kExternal, true, "outer: (1,1) (1,5) (5,5) (5,1)"));
  const Bitmap edge = art({"#####", "#...#", "#...#", "#...#", "#####"});
  CHECK(traces(edge, kAll, true,
               "outer: (0,0) (0,4) (4,4) (4,0) | hole of 0: (0,1) (1,0) (3,0) (4,1) (4,3) (3,4) (1,4) (0,3)"));
  CHECK(traces(edge, kAll, false,
               "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (1,4) (2,4) (3,4) (4,4) (4,3) (4,2) (4,1) (4,0) (3,0) (2,0) (1,0)"
               " | hole of 0: (0,1) (1,0) (2,0) (3,0) (4,1) (4,2) (4,3) (3,4) (2,4) (1,4) (0,3) (0,2)"));
  CHECK(traces(edge, kExternal, false,
               "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (1,4) (2,4) (3,4) (4,4) (4,3) (4,2) (4,1) (4,0) (3,0) (2,0)"
               " (1,0)"));
}

// Nesting: a ring inside the hole of a ring. Parents chain outer -> hole -> inner outer -> inner hole;
// External keeps only the outermost border.
void testContoursNested() {
  const Bitmap b = art({"...........", ".#########.", ".#.......#.", ".#.......#.", ".#..###..#.", ".#..#.#..#.",
                        ".#..###..#.", ".#.......#.", ".#.......#.", ".#########.", "..........."});
  CHECK(traces(b, kAll, true,
               "outer: (1,1) (1,9) (9,9) (9,1) | hole of 0: (1,2) (2,1) (8,1) (9,2) (9,8) (8,9) (2,9) (1,8)"
               " | outer in 1: (4,4) (4,6) (6,6) (6,4) | hole of 2: (4,5) (5,4) (6,5) (5,6)"));
  CHECK(traces(b, kExternal, true, "outer: (1,1) (1,9) (9,9) (9,1)"));
}

// Degenerate shapes: the whole bitmap, nothing, zero sizes, one row or one column.
void testContoursDegenerate() {
  const uint8_t one = 1;
  for (ContourRetrieval mode : kModes) {
    CHECK(traces(art({"####", "####", "####"}), mode, true, "outer: (0,0) (0,2) (3,2) (3,0)"));
    CHECK(traces(art({".....", "....."}), mode, false, ""));
    CHECK(findContours(nullptr, 0, 0, mode, true).empty());
    CHECK(findContours(&one, 0, 1, mode, true).empty());
    CHECK(findContours(&one, 1, 0, mode, true).empty());
    CHECK(findContours(&one, -1, -1, mode, true).empty());
    const Bitmap column = art({"#", "#", "#", "#", "#"}), row = art({"#####"});
    CHECK(traces(column, mode, false, "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (0,3) (0,2) (0,1)"));
    CHECK(traces(column, mode, true, "outer: (0,0) (0,4)"));
    CHECK(traces(row, mode, false, "outer: (0,0) (1,0) (2,0) (3,0) (4,0) (3,0) (2,0) (1,0)"));
    CHECK(traces(row, mode, true, "outer: (0,0) (4,0)"));
    CHECK(traces(art({"#", ".", "#", "#", "."}), mode, true, "outer: (0,0) | outer: (0,2) (0,3)"));
    CHECK(traces(art({"##.#"}), mode, true, "outer: (0,0) (1,0) | outer: (3,0)"));
  }
}

// Components of the bitmap framed by one background pixel: foreground 8-connected, background
// 4-connected (the pairing Suzuki-Abe traces). Background component 0 is the outside.
struct Components {
  int w = 0, h = 0;        // framed size
  std::vector<int> label;  // framed pixel -> its component (foreground and background numbered apart)
  int foreground = 0, background = 0;
  int at(int x, int y) const { return label[static_cast<size_t>(y + 1) * w + x + 1]; }  // bitmap coordinates
};

Components components(const Bitmap& b) {
  Components c;
  c.w = b.w + 2, c.h = b.h + 2;
  c.label.assign(static_cast<size_t>(c.w) * c.h, -1);
  std::vector<int> stack;
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) {
      if (c.label[static_cast<size_t>(y) * c.w + x] >= 0) continue;
      const bool fg = b.on(x - 1, y - 1);
      const int id = fg ? c.foreground++ : c.background++;
      c.label[static_cast<size_t>(y) * c.w + x] = id;
      stack.assign(1, y * c.w + x);
      while (!stack.empty()) {
        const int qx = stack.back() % c.w, qy = stack.back() / c.w;
        stack.pop_back();
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = qx + dx, ny = qy + dy;
            if ((dx == 0 && dy == 0) || (!fg && dx != 0 && dy != 0)) continue;
            if (nx < 0 || ny < 0 || nx >= c.w || ny >= c.h || b.on(nx - 1, ny - 1) != fg) continue;
            if (c.label[static_cast<size_t>(ny) * c.w + nx] >= 0) continue;
            c.label[static_cast<size_t>(ny) * c.w + nx] = id;
            stack.push_back(ny * c.w + nx);
          }
      }
    }
  return c;
}

int sign(int v) { return (v > 0) - (v < 0); }

// CHAIN_APPROX_SIMPLE's points, joined by straight or diagonal unit steps, give back the full border (from
// a later point when the start was mid-run), and no kept point is mid-run.
bool simplifies(const Points& simple, const Points& full) {
  const size_t n = simple.size() / 2, m = full.size() / 2;
  if (m <= 2) return simple == full;
  if (n < 2 || simple.size() % 2 != 0) return false;
  Points joined;
  for (size_t i = 0; i < n; ++i) {
    const size_t next = (i + 1) % n, prev = (i + n - 1) % n;
    const int dx = simple[2 * next] - simple[2 * i], dy = simple[2 * next + 1] - simple[2 * i + 1];
    if ((dx == 0 && dy == 0) || (dx != 0 && dy != 0 && std::abs(dx) != std::abs(dy))) return false;
    const int inX = sign(simple[2 * i] - simple[2 * prev]), inY = sign(simple[2 * i + 1] - simple[2 * prev + 1]);
    if (inX == sign(dx) && inY == sign(dy)) return false;  // mid-run: SIMPLE should have dropped it
    for (int k = 0; k < std::max(std::abs(dx), std::abs(dy)); ++k)
      joined.insert(joined.end(), {simple[2 * i] + k * sign(dx), simple[2 * i + 1] + k * sign(dy)});
  }
  if (joined.size() != full.size()) return false;
  for (size_t r = 0; r < m; ++r) {
    bool match = true;
    for (size_t k = 0; match && k < m; ++k)
      match = joined[2 * ((k + r) % m)] == full[2 * k] && joined[2 * ((k + r) % m) + 1] == full[2 * k + 1];
    if (match) return true;
  }
  return false;
}

// Suzuki-Abe's guarantees on any bitmap, checked against the flood fill above. In All mode with every
// border pixel kept: each foreground component has one outer border and each enclosed background
// component one hole border; a border is exactly the pixels of its component that are 4-adjacent to the
// background component on its other side (the left of an outer border's start, the right of a hole's);
// an outer border's parent is the hole it sits in, a hole's parent its component's outer border.
void checkContourProperties(const Bitmap& b) {
  const Components cc = components(b);
  const std::vector<Contour> all = trace(b, ContourRetrieval::All, false);
  CHECK(all.size() == static_cast<size_t>(cc.foreground + cc.background - 1));
  std::vector<int> outerOf(cc.foreground, -1), holeOf(cc.background, -1), faces(all.size());
  std::map<std::pair<int, int>, int> borderOf;  // (foreground, background component) -> contour
  for (size_t i = 0; i < all.size(); ++i) {
    const Points& p = all[i].points;
    CHECK(!p.empty() && p.size() % 2 == 0);
    const size_t n = p.size() / 2;
    const int x0 = p[0], y0 = p[1], fg = cc.at(x0, y0);
    for (size_t k = 0; k < n; ++k) {
      CHECK(b.on(p[2 * k], p[2 * k + 1]));  // inside the bitmap, foreground
      CHECK(cc.at(p[2 * k], p[2 * k + 1]) == fg);
      const size_t next = (k + 1) % n;  // consecutive points are 8-neighbours
      if (n > 1) CHECK(std::max(std::abs(p[2 * next] - p[2 * k]), std::abs(p[2 * next + 1] - p[2 * k + 1])) == 1);
    }
    const int side = all[i].hole ? x0 + 1 : x0 - 1;
    CHECK(!b.on(side, y0));
    const int bg = cc.at(side, y0);
    faces[i] = bg;
    if (all[i].hole) {
      CHECK(bg != 0 && holeOf[bg] < 0);
      holeOf[bg] = static_cast<int>(i);
    } else {
      CHECK(outerOf[fg] < 0);
      outerOf[fg] = static_cast<int>(i);
    }
    CHECK(borderOf.emplace(std::make_pair(fg, bg), static_cast<int>(i)).second);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    const Contour& c = all[i];
    CHECK(c.parent < static_cast<int>(i));
    if (c.hole)
      CHECK(c.parent == outerOf[cc.at(c.points[0], c.points[1])]);
    else
      CHECK(c.parent == (faces[i] == 0 ? -1 : holeOf[faces[i]]));
  }

  // Every border pixel (a 4-neighbour in the background or beyond the edge) lies on the border between its
  // component and that background component, and those borders hold nothing else.
  const int dx4[4] = {1, 0, -1, 0}, dy4[4] = {0, 1, 0, -1};
  std::vector<std::vector<int>> want(all.size());
  for (int y = 0; y < b.h; ++y)
    for (int x = 0; x < b.w; ++x) {
      if (!b.on(x, y)) continue;
      for (int d = 0; d < 4; ++d) {
        if (b.on(x + dx4[d], y + dy4[d])) continue;
        const auto found = borderOf.find({cc.at(x, y), cc.at(x + dx4[d], y + dy4[d])});
        CHECK(found != borderOf.end());
        want[found->second].push_back(y * b.w + x);
      }
    }
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<int> got;
    for (size_t k = 0; k < all[i].points.size(); k += 2) got.push_back(all[i].points[k + 1] * b.w + all[i].points[k]);
    for (std::vector<int>* v : {&got, &want[i]}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    CHECK(got == want[i]);
  }

  // External: the outer borders of the components that touch the outside, as All mode traces them.
  const std::vector<Contour> external = trace(b, ContourRetrieval::External, false);
  std::vector<const Contour*> topLevel;
  for (const Contour& c : all)
    if (!c.hole && c.parent == -1) topLevel.push_back(&c);
  std::vector<uint8_t> touchesOutside(cc.foreground, 0);
  for (int y = 0; y < b.h; ++y)
    for (int x = 0; x < b.w; ++x)
      for (int d = 0; d < 4; ++d)
        if (b.on(x, y) && !b.on(x + dx4[d], y + dy4[d]) && cc.at(x + dx4[d], y + dy4[d]) == 0)
          touchesOutside[cc.at(x, y)] = 1;
  CHECK(external.size() == topLevel.size());
  CHECK(external.size() == static_cast<size_t>(std::count(touchesOutside.begin(), touchesOutside.end(), 1)));
  for (size_t i = 0; i < external.size(); ++i)
    CHECK(!external[i].hole && external[i].parent == -1 && external[i].points == topLevel[i]->points);

  // SIMPLE: the same contours, each a compression of its full border.
  for (ContourRetrieval mode : kModes) {
    const std::vector<Contour>& full = mode == ContourRetrieval::All ? all : external;
    const std::vector<Contour> simple = trace(b, mode, true);
    CHECK(simple.size() == full.size());
    for (size_t i = 0; i < full.size(); ++i) {
      CHECK(simple[i].hole == full[i].hole && simple[i].parent == full[i].parent);
      CHECK(simplifies(simple[i].points, full[i].points));
    }
  }
}

// SIGALRM: a border that never closes would hang the run; fail it instead.
void onWatchdog(int) {
  const char message[] = "core_test: watchdog expired: findContours did not terminate?\n";
  if (write(2, message, sizeof message - 1) < 0) _exit(2);
  _exit(1);
}

void testContourProperties() {
  std::signal(SIGALRM, onWatchdog);
  alarm(200);  // generous: valgrind runs this ~50x slower than native
  Rng rng{2024};
  for (int i = 0; i < 2000; ++i) {
    Bitmap b;
    b.w = 1 + static_cast<int>((rng.next() >> 16) % 20);
    b.h = 1 + static_cast<int>((rng.next() >> 16) % 20);
    const float density = rng.uniform(0.1f, 0.9f);
    for (int p = 0; p < b.w * b.h; ++p) b.bits.push_back(rng.uniform(0.f, 1.f) < density ? 1 : 0);
    checkContourProperties(b);
    // Any non-zero byte is foreground: 255s (and other values) trace like 1s.
    Bitmap bytes = b;
    for (uint8_t& v : bytes.bits) v = v ? static_cast<uint8_t>(1 + rng.byte() % 255) : 0;
    const std::vector<Contour> a = trace(b, ContourRetrieval::All, true), c = trace(bytes, ContourRetrieval::All, true);
    CHECK(a.size() == c.size());
    for (size_t k = 0; k < a.size(); ++k) CHECK(a[k].points == c[k].points && a[k].parent == c[k].parent);
  }
  // Patterns random bitmaps rarely produce: checkerboards (every joint diagonal, every enclosed background
  // pixel its own hole), all ones, stripes, and larger bitmaps.
  for (int w = 1; w <= 12; ++w)
    for (int h = 1; h <= 12; ++h)
      for (int phase = 0; phase < 2; ++phase) {
        Bitmap b;
        b.w = w, b.h = h;
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) b.bits.push_back((x + y + phase) % 2 == 0);
        checkContourProperties(b);
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) b.bits[static_cast<size_t>(y) * w + x] = phase ? 1 : (y % 2 == 0);
        checkContourProperties(b);
      }
  for (float density : {0.3f, 0.5f, 0.6f, 0.7f}) {
    Bitmap b;
    b.w = 64, b.h = 48;
    for (int p = 0; p < b.w * b.h; ++p) b.bits.push_back(rng.uniform(0.f, 1.f) < density ? 1 : 0);
    checkContourProperties(b);
  }
  alarm(0);
}

// ---------------------------------------------------------------------------------------- morphology

// The definition, tap by tap: out(x, y) = max (dilate) or min (erode) of in(x + i - kw/2, y + j - kh/2)
// over i < kw, j < kh, skipping taps beyond the image. Non-zero input counts as 1.
std::vector<uint8_t> bruteMorph(const std::vector<uint8_t>& in, int w, int h, int kw, int kh, bool dilation) {
  std::vector<uint8_t> out(in.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      bool acc = !dilation;
      for (int j = 0; j < kh; ++j)
        for (int i = 0; i < kw; ++i) {
          const int sx = x + i - kw / 2, sy = y + j - kh / 2;
          if (sx < 0 || sy < 0 || sx >= w || sy >= h) continue;
          const bool v = in[static_cast<size_t>(sy) * w + sx] != 0;
          acc = dilation ? acc || v : acc && v;
        }
      out[static_cast<size_t>(y) * w + x] = acc ? 1 : 0;
    }
  return out;
}

std::vector<uint8_t> randomBits(Rng& rng, int w, int h, float density) {
  std::vector<uint8_t> bits(static_cast<size_t>(w) * h);
  for (uint8_t& v : bits) v = rng.uniform(0.f, 1.f) < density ? (rng.byte() < 128 ? 1 : 255) : 0;
  return bits;
}

std::vector<uint8_t> ones(std::initializer_list<int> set, int n) {
  std::vector<uint8_t> v(n, 0);
  for (int i : set) v[i] = 1;
  return v;
}

void testMorphologyKnown() {
  // Anchor k / 2: a 2-wide kernel takes taps x-1 and x, so dilation grows a pixel rightwards and erosion
  // eats a run's left end; an 8-wide one takes x-4 .. x+3. The same holds down a column.
  std::vector<uint8_t> v = ones({5}, 10);
  dilate(v, 10, 1, 2, 1);
  CHECK(v == ones({5, 6}, 10));
  v = ones({3, 4, 5, 6}, 10);
  erode(v, 10, 1, 2, 1);
  CHECK(v == ones({4, 5, 6}, 10));
  v = ones({10}, 20);
  dilate(v, 20, 1, 8, 1);
  CHECK(v == ones({7, 8, 9, 10, 11, 12, 13, 14}, 20));
  v = ones({10}, 20);
  dilate(v, 1, 20, 1, 8);
  CHECK(v == ones({7, 8, 9, 10, 11, 12, 13, 14}, 20));
  v = ones({10}, 20);
  dilate(v, 20, 1, 1, 8);  // a vertical kernel on a one-row image: nothing to reach
  CHECK(v == ones({10}, 20));

  // Beyond the image never wins: a full image survives any erosion (even a kernel larger than the image),
  // an empty one any dilation. Non-zero bytes count as set, and the output is 0/1.
  v.assign(6, 1);
  erode(v, 3, 2, 9, 9);
  CHECK(v == std::vector<uint8_t>(6, 1));
  v.assign(6, 0);
  dilate(v, 3, 2, 9, 9);
  CHECK(v == std::vector<uint8_t>(6, 0));
  v = {0, 255, 0, 0, 0};
  dilate(v, 5, 1, 3, 1);
  CHECK(v == ones({0, 1, 2}, 5));
  v = {7, 255, 1};
  erode(v, 3, 1, 3, 3);
  CHECK(v == std::vector<uint8_t>(3, 1));

  // refineMask: the 3x3 close fills a one-pixel hole, the 8x8 open keeps a 10x10 square but moves it one
  // pixel right and down (erode and dilate share the anchor 4, as in cv2.morphologyEx: opencv#22042) and
  // removes a 7-pixel-tall bar (3 rows below the square, so the close does not bridge them; clear of the
  // bottom edge, where erosion would spare it).
  const int w = 24, h = 28;
  std::vector<uint8_t> m(static_cast<size_t>(w) * h, 0), want(m.size(), 0);
  for (int y = 5; y < 15; ++y)
    for (int x = 5; x < 15; ++x) m[static_cast<size_t>(y) * w + x] = !(x == 9 && y == 9);
  for (int y = 18; y < 25; ++y)
    for (int x = 0; x < w; ++x) m[static_cast<size_t>(y) * w + x] = 1;
  for (int y = 6; y < 16; ++y)
    for (int x = 6; x < 16; ++x) want[static_cast<size_t>(y) * w + x] = 1;
  refineMask(m, w, h);
  CHECK(m == want);
}

// dilate and erode against the definition: kernels 1..9 each way, random sizes from 1x1 up, many smaller
// than the kernel.
void testMorphologyRandom() {
  Rng rng{31337};
  for (int i = 0; i < 40; ++i) {
    const int w = i == 0 ? 1 : 1 + static_cast<int>((rng.next() >> 16) % 12);
    const int h = i == 0 ? 1 : 1 + static_cast<int>((rng.next() >> 16) % 12);
    const std::vector<uint8_t> in = randomBits(rng, w, h, rng.uniform(0.1f, 0.9f));
    for (int kw = 1; kw <= 9; ++kw)
      for (int kh = 1; kh <= 9; ++kh) {
        std::vector<uint8_t> d = in, e = in;
        dilate(d, w, h, kw, kh);
        erode(e, w, h, kw, kh);
        CHECK(d == bruteMorph(in, w, h, kw, kh, true));
        CHECK(e == bruteMorph(in, w, h, kw, kh, false));
      }
  }
  // One row, one column and a wider image with odd kernels.
  const int sizes[][2] = {{1, 30}, {30, 1}, {37, 23}};
  for (const auto& s : sizes) {
    const std::vector<uint8_t> in = randomBits(rng, s[0], s[1], 0.5f);
    for (int k : {1, 2, 5, 8, 9}) {
      std::vector<uint8_t> d = in, e = in;
      dilate(d, s[0], s[1], k, 10 - k);
      erode(e, s[0], s[1], k, 10 - k);
      CHECK(d == bruteMorph(in, s[0], s[1], k, 10 - k, true));
      CHECK(e == bruteMorph(in, s[0], s[1], k, 10 - k, false));
    }
  }
}

// refineMask = close 3x3 (dilate, erode) then open 8x8 (erode, dilate), by the definition.
void testRefineMask() {
  Rng rng{777};
  int kept = 0, changed = 0;
  for (int i = 0; i < 60; ++i) {
    const int w = i < 2 ? 1 : 1 + static_cast<int>((rng.next() >> 16) % 40);
    const int h = i < 1 ? 1 : 1 + static_cast<int>((rng.next() >> 16) % 40);
    const std::vector<uint8_t> in = randomBits(rng, w, h, rng.uniform(0.5f, 0.97f));
    std::vector<uint8_t> want = bruteMorph(in, w, h, 3, 3, true);
    want = bruteMorph(want, w, h, 3, 3, false);
    want = bruteMorph(want, w, h, 8, 8, false);
    want = bruteMorph(want, w, h, 8, 8, true);
    std::vector<uint8_t> got = in;
    refineMask(got, w, h);
    CHECK(got == want);
    for (size_t p = 0; p < in.size(); ++p) kept += got[p], changed += got[p] != (in[p] != 0);
  }
  CHECK(kept > 0 && changed > 0);  // neither everything erased nor nothing done
}

// ------------------------------------------------------------------------------- detect, parallelFor

void testDetect() {
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
  CHECK(r.count() == 3 && r.nm == 2);
  const float wantInput[12] = {30, 30, 34, 34, 0, 25, 40, 40, 0, 0, 64, 64};
  const float wantOrig[12] = {30, 14, 34, 18, 0, 9, 40, 24, 0, 0, 64, 32};
  const float wantCoef[6] = {3, 4, 1, 2, 5, 6};
  for (int i = 0; i < 12; ++i) CHECK(r.inputBoxes[i] == wantInput[i] && r.boxes[i] == wantOrig[i]);
  for (int i = 0; i < 6; ++i) CHECK(r.coef[i] == wantCoef[i]);
  CHECK(r.conf[0] == 0.95f && r.conf[1] == 0.9f && r.conf[2] == 0.5f && r.cls[2] == 0.f);

  bool threw = false;
  try {
    detect(data.data(), 4, 1, opt);  // rows < 4 + nc
  } catch (const std::invalid_argument&) { threw = true; }
  CHECK(threw);
}

// unpackBits against a bit-by-bit reading, for widths around the byte boundaries.
void testUnpackBits() {
  for (int width : {1, 7, 8, 9, 15, 16, 17, 63, 64, 65}) {
    const int height = 3;
    std::vector<uint8_t> packed(fastsam::packedRowBytes(width) * height);
    for (size_t i = 0; i < packed.size(); ++i) packed[i] = static_cast<uint8_t>(i * 37 + width * 11);
    std::vector<uint8_t> out(static_cast<size_t>(width) * height, 7);
    fastsam::unpackBits(packed.data(), width, height, out.data());
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x) {
        const int expected = (packed[y * fastsam::packedRowBytes(width) + x / 8] >> (x % 8)) & 1;
        CHECK(out[static_cast<size_t>(y) * width + x] == expected);
      }
  }
  fastsam::unpackBits(nullptr, 0, 5, nullptr);  // an empty window touches nothing

  // packedRle reads the same runs as encodeRle of the unpacked crop.
  for (int width : {1, 9, 17, 40}) {
    const int height = 5;
    std::vector<uint8_t> packed(fastsam::packedRowBytes(width) * height);
    for (size_t i = 0; i < packed.size(); ++i) packed[i] = static_cast<uint8_t>(i * 97 + 13);
    MaskCrop crop;
    crop.x = 3;
    crop.y = 2;
    crop.width = width;
    crop.height = height;
    crop.bits.resize(static_cast<size_t>(width) * height);
    fastsam::unpackBits(packed.data(), width, height, crop.bits.data());
    CHECK(fastsam::packedRle(packed.data(), 3, 2, width, height, 9, width + 5) == encodeRle(crop, 9, width + 5));
    // And against runs counted over the whole frame, column by column, with no window logic at all.
    const int frameH = 9, frameW = width + 5;
    std::vector<uint32_t> expected;
    int value = 0;
    uint32_t run = 0;
    for (int x = 0; x < frameW; ++x)
      for (int y = 0; y < frameH; ++y) {
        const bool inside = x >= 3 && x < 3 + width && y >= 2 && y < 2 + height;
        const int v = inside ? crop.bits[static_cast<size_t>(y - 2) * width + (x - 3)] : 0;
        if (v != value) {
          expected.push_back(run);
          run = 0;
          value = v;
        }
        ++run;
      }
    expected.push_back(run);
    CHECK(fastsam::packedRle(packed.data(), 3, 2, width, height, frameH, frameW) == expected);
  }
  CHECK((fastsam::packedRle(nullptr, 0, 0, 0, 0, 4, 5) == std::vector<uint32_t>{20}));
}

void testParallelFor() {
  for (size_t count : {size_t(0), size_t(1), size_t(257)}) {
    std::vector<std::atomic<int>> hits(count);
    parallelFor(
        count, [&](size_t i) { hits[i]++; }, 4);
    for (auto& h : hits) CHECK(h.load() == 1);
  }
  bool threw = false;
  try {
    parallelFor(
        100,
        [](size_t i) {
          if (i == 37) throw std::runtime_error("boom");
        },
        3);
  } catch (const std::runtime_error&) { threw = true; }
  CHECK(threw);
}

}  // namespace

int main() {
  testRoundHalfEven();
  testComputeLetterbox();
  testResizeKnownValues();
  testResizeProperties();
  testLetterboxToTensor();
  testNms();
  testNmsMultiLabel();
  testFullImageBox();
  testScaleBoxes();
  testMasks();
  testPaintUnassigned();
  testApproximateArea();
  testRleKnown();
  testContoursRectangle();
  testContoursSinglePixel();
  testContoursLines();
  testContoursBlobs();
  testContoursRing();
  testContoursNested();
  testContoursDegenerate();
  testContourProperties();
  testMorphologyKnown();
  testMorphologyRandom();
  testRefineMask();
  testDetect();
  testParallelFor();
  testUnpackBits();
  std::printf("core_test: all checks passed\n");
  return 0;
}
