// Pixel-level tests of the pure C++ core, meant to run under ASan + UBSan and valgrind
// (scripts/native-sanitize.sh). Plain C++17: no framework, no N-API. Exit code 0 = every check passed.
//
// Edge cases (NaN, inverted, huge or outside boxes, 1x1 and 1x4000 images, 2x2 prototypes) are here
// because the binding forwards user data to these functions, and the design promises no crash on any
// input. Where a result is defined, it is compared with a hand computation or a dense re-computation.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

#include "../core/full_image_box.h"
#include "../core/letterbox.h"
#include "../core/masks.h"
#include "../core/nms.h"
#include "../core/parallel.h"
#include "../core/postprocess.h"
#include "../core/rle.h"
#include "../core/scale_boxes.h"

// Prints where it failed and exits non-zero: the first failure is the one worth reading.
#define CHECK(cond)                                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
      std::exit(1);                                                                  \
    }                                                                                \
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
        if (autoPad) CHECK((160 - g.outWidth) % 32 == 0 && (96 - g.outHeight) % 32 == 0);
        else CHECK(g.outWidth == 160 && g.outHeight == 96);
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
  struct Case { int sw, sh, dw, dh, ch; };
  const Case cases[] = {
      {1, 1, 1, 1, 3},    {1, 1, 7, 5, 3},      {5, 7, 1, 1, 1},     {37, 23, 64, 41, 3}, {64, 41, 37, 23, 3},
      {13, 11, 13, 11, 4}, {4000, 1, 640, 1, 3}, {1, 4000, 1, 640, 3}, {4000, 1, 8000, 2, 1},
      {1, 4000, 3, 9000, 1}, {3, 3, 640, 2, 3},  {640, 2, 3, 3, 3},   {2, 2, 3, 1000, 1}};
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
          if (sy < 0 || sy >= h) CHECK(v == pad);
          else CHECK(v == static_cast<float>(rgb[(sy * w + x) * 3 + c]) / 255.f);
        }
  }
  // Resized (odd sizes, up and down, auto and square): the inside is resizeBilinearU8's output / 255.
  struct Case { int w, h, newSize; bool autoPad; };
  const Case cases[] = {{37, 23, 64, true}, {37, 23, 64, false}, {101, 7, 32, false}, {1, 1, 64, false},
                        {4000, 1, 8000, true}, {5, 500, 64, false}};
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
          if (sy < 0 || sy >= g.unpadHeight || sx < 0 || sx >= g.unpadWidth) CHECK(v == pad);
          else CHECK(v == static_cast<float>(resized[(static_cast<size_t>(sy) * g.unpadWidth + sx) * 3 + c]) / 255.f);
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
      det(5, 3, 630, 635, 0.9f, 2),      // snapped to the border, then IoU 1: becomes the full box
      det(25, 25, 600, 600, 0.8f, 1),    // not within 20 px, IoU 0.81: unchanged
      det(10, 30, 100, 630, 0.7f, 1),    // only snapped
      det(1, 1, 639, 639, 0.6f, 3),      // a second full-image match: also the full box (a deliberate deviation)
      det(kNaN, kNaN, kNaN, kNaN, 0.5f, 1),
      det(300, 300, 200, 200, 0.4f, 1),  // inverted
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

// The reference's mask, dense: logits (cropped at prototype resolution in Letterbox mode) -> upsample
// -> crop in output space (Native mode) -> logit > 0. Same float operation order as the core.
std::vector<uint8_t> denseMask(const std::vector<float>& protos, int nm, int ph, int pw, const MaskGeometry& g,
                               const float* coef, const float* box) {
  int top = 0, left = 0, sh = ph, sw = pw;
  if (g.mode == MaskMode::Native) {
    const double gain = std::min(static_cast<double>(ph) / g.outH, static_cast<double>(pw) / g.outW);
    const double padW = (pw - g.outW * gain) / 2, padH = (ph - g.outH * gain) / 2;
    top = static_cast<int>(padH), left = static_cast<int>(padW);
    sh = static_cast<int>(ph - padH) - top, sw = static_cast<int>(pw - padW) - left;
  }
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
      {w * 0.5f, h * 0.5f, w * 0.5f, h * 0.5f},   // empty
      {w * 0.8f, h * 0.8f, w * 0.2f, h * 0.2f},   // inverted
      {w * 0.8f, h * 0.2f, w * 0.2f, h * 0.9f},   // inverted in x only
      {kNaN, 0, w, h},
      {0, kNaN, kNaN, kNaN},
      {-w, -h, w * 0.3f, h * 0.4f},               // partly outside (top-left)
      {w * 0.6f, h * 0.5f, w * 3, h * 3},         // partly outside (bottom-right)
      {w * 2, h * 2, w * 3, h * 3},               // fully outside
      {-w * 3, -h * 3, -w, -h},
      {-1e30f, -1e30f, 1e30f, 1e30f},             // huge
      {-kInf, -kInf, kInf, kInf},
      {0.5f, 0.5f, 1.5f, 1.5f},                   // sub-pixel
  };
  for (int i = 0; i < 6; ++i) {
    const float x1 = rng.uniform(-0.2f * w, w), y1 = rng.uniform(-0.2f * h, h);
    boxes.push_back({x1, y1, x1 + rng.uniform(0, w), y1 + rng.uniform(0, h)});
  }
  return boxes;
}

void testMasks() {
  Rng rng;
  struct Case { MaskMode mode; int nm, ph, pw, inH, inW, outH, outW; };
  const Case cases[] = {
      {MaskMode::Letterbox, 3, 2, 2, 8, 8, 8, 8},        // 2x2 prototypes
      {MaskMode::Letterbox, 4, 3, 5, 12, 20, 12, 20},
      {MaskMode::Letterbox, 2, 4, 4, 16, 16, 13, 11},    // output not a multiple of the prototype size
      {MaskMode::Letterbox, 32, 8, 6, 32, 24, 32, 24},
      {MaskMode::Letterbox, 1, 1, 1, 4, 4, 4, 4},
      {MaskMode::Letterbox, 8, 16, 16, 64, 64, 64, 64},  // many boundary pixels: float order matters
      {MaskMode::Native, 3, 2, 2, 8, 8, 5, 7},
      {MaskMode::Native, 4, 4, 4, 16, 16, 9, 16},        // letterbox padding top and bottom
      {MaskMode::Native, 4, 4, 4, 16, 16, 16, 9},
      {MaskMode::Native, 2, 5, 3, 20, 12, 37, 23},
      {MaskMode::Native, 32, 8, 8, 32, 32, 61, 29},
      {MaskMode::Native, 8, 16, 16, 64, 64, 48, 64},
      {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1000},        // extreme aspect: a one-row original
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
  } catch (const std::invalid_argument&) {
    threw = true;
  }
  CHECK(threw);
}

void testParallelFor() {
  for (size_t count : {size_t(0), size_t(1), size_t(257)}) {
    std::vector<std::atomic<int>> hits(count);
    parallelFor(count, [&](size_t i) { hits[i]++; }, 4);
    for (auto& h : hits) CHECK(h.load() == 1);
  }
  bool threw = false;
  try {
    parallelFor(100, [](size_t i) { if (i == 37) throw std::runtime_error("boom"); }, 3);
  } catch (const std::runtime_error&) {
    threw = true;
  }
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
  testFullImageBox();
  testScaleBoxes();
  testMasks();
  testRleKnown();
  testDetect();
  testParallelFor();
  std::printf("core_test: all checks passed\n");
  return 0;
}
