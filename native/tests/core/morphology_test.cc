// The plot clean-up: MORPH_CLOSE / MORPH_OPEN against brute force, and refineMask.
#include <doctest/doctest.h>

#include "../../core/morphology.h"
#include "support.h"

using namespace fastsam;

namespace {

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

TEST_CASE("morphology known") {
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
TEST_CASE("morphology random") {
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
TEST_CASE("refine mask") {
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
  CHECK((kept > 0 && changed > 0));  // neither everything erased nor nothing done
}

}  // namespace
