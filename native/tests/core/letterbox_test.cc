// OpenCV's fixed-point bilinear resize and the letterboxed tensor (the geometry: geometry_test.cc).
#include <doctest/doctest.h>

#include "../../core/letterbox.h"
#include "support.h"

using namespace fastsam;

namespace {

TEST_CASE("resize known values") {
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
  CHECK((dst[0] == 13 && dst[1] == 28));
}

// Each output channel value lies within its source channel's [min, max] (bilinear is a convex blend).
void checkWithinSourceRange(const std::vector<uint8_t>& src, const std::vector<uint8_t>& dst, int channels) {
  for (int c = 0; c < channels; ++c) {
    int lo = 255, hi = 0;
    for (size_t i = c; i < src.size(); i += channels) lo = std::min<int>(lo, src[i]), hi = std::max<int>(hi, src[i]);
    for (size_t i = c; i < dst.size(); i += channels) CHECK((dst[i] >= lo && dst[i] <= hi));
  }
}

TEST_CASE("resize properties") {
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

TEST_CASE("letterbox to tensor") {
  Rng rng;
  const float pad = 114.f / 255.f;
  // Same size (r = 1): no resize, pixels copied to CHW and divided by 255, padding top and bottom.
  {
    const int w = 32, h = 17;
    const std::vector<uint8_t> rgb = randomImage(rng, w, h, 3);
    const LetterboxGeometry g = computeLetterbox(h, w, 32, 32, false, true, 32);
    CHECK((g.unpadWidth == w && g.unpadHeight == h && g.top == 7 && g.bottom == 8));
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
    CHECK((g.unpadWidth >= 1 && g.unpadHeight >= 1));
    std::vector<uint8_t> resized(static_cast<size_t>(g.unpadWidth) * g.unpadHeight * 3);
    resizeBilinearU8(rgb.data(), k.w, k.h, 3, resized.data(), g.unpadWidth, g.unpadHeight);
    const size_t plane = static_cast<size_t>(g.outWidth) * g.outHeight;
    std::vector<float> t(plane * 3, -1.f);
    letterboxToTensor(rgb.data(), k.w, k.h, g, t.data());
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < g.outHeight; ++y)
        for (int x = 0; x < g.outWidth; ++x) {
          const float v = t[c * plane + static_cast<size_t>(y) * g.outWidth + x];
          CHECK((v >= 0.f && v <= 1.f));
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

}  // namespace
