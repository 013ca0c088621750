// What the prompt rules measure on cropped masks: areas and bounds, pixels inside rects (summed-area
// tables) and pixels held, against brute force on random crops, with rects and points of any value.
#include <doctest/doctest.h>

#include "../../core/mask_measures.h"
#include "support.h"

using namespace fastsam;

namespace {

struct OwnedCrop {
  int x, y, w, h;
  std::vector<uint8_t> bits;
  CropView view() const { return {x, y, w, h, bits.data()}; }
};

OwnedCrop randomCrop(Rng& rng) {
  OwnedCrop c{static_cast<int>(rng.next() % 40) - 10,
              static_cast<int>(rng.next() % 40) - 10,
              static_cast<int>(rng.next() % 17),
              static_cast<int>(rng.next() % 13),
              {}};
  const float density = rng.uniform(0.f, 1.f);
  c.bits.resize(static_cast<size_t>(c.w) * c.h);
  for (uint8_t& b : c.bits) b = rng.uniform(0.f, 1.f) < density ? static_cast<uint8_t>(1 + rng.byte() % 3) : 0;
  return c;
}

bool held(const OwnedCrop& c, int64_t x, int64_t y) {
  return x >= c.x && y >= c.y && x < int64_t{c.x} + c.w && y < int64_t{c.y} + c.h &&
         c.bits[static_cast<size_t>(y - c.y) * c.w + static_cast<size_t>(x - c.x)] != 0;
}

TEST_CASE("mask stats: area and tight bounds") {
  const OwnedCrop c{5, 7, 4, 3, {0, 0, 0, 0, 0, 1, 2, 0, 0, 1, 0, 0}};
  const MaskStats s = maskStats(c.view());
  CHECK(s.area == 3);
  CHECK(s.bounds[0] == 6);
  CHECK(s.bounds[1] == 8);
  CHECK(s.bounds[2] == 8);
  CHECK(s.bounds[3] == 10);
  const MaskStats none = maskStats(OwnedCrop{3, 3, 2, 1, {0, 0}}.view());
  CHECK(none.area == 0);
  CHECK(none.bounds[2] == 0);
  CHECK(maskStats(CropView{}).area == 0);
}

TEST_CASE("pixels inside rects and pixels held equal brute force, for any rect or point") {
  Rng rng{77};
  const int32_t big = std::numeric_limits<int32_t>::max(), small = std::numeric_limits<int32_t>::min();
  for (int round = 0; round < 300; ++round) {
    const OwnedCrop c = randomCrop(rng);
    std::vector<int32_t> rects, pixels;
    for (int r = 0; r < 12; ++r)
      for (int k = 0; k < 4; ++k) rects.push_back(static_cast<int32_t>(rng.next() % 60) - 20);
    rects.insert(rects.end(), {small, small, big, big, big, big, small, small, 0, 0, 0, 0});
    for (int p = 0; p < 20; ++p) {
      pixels.push_back(static_cast<int32_t>(rng.next() % 50) - 15);
      pixels.push_back(static_cast<int32_t>(rng.next() % 50) - 15);
    }
    pixels.insert(pixels.end(), {big, small, small, big});
    const std::vector<uint32_t> inside = pixelsInside(c.view(), rects.data(), rects.size() / 4);
    REQUIRE(inside.size() == rects.size() / 4);
    for (size_t r = 0; r < inside.size(); ++r) {
      const int64_t x1 = rects[r * 4], y1 = rects[r * 4 + 1], x2 = rects[r * 4 + 2], y2 = rects[r * 4 + 3];
      uint32_t want = 0;
      for (int64_t y = std::max<int64_t>(y1, c.y); y < std::min<int64_t>(y2, int64_t{c.y} + c.h); ++y)
        for (int64_t x = std::max<int64_t>(x1, c.x); x < std::min<int64_t>(x2, int64_t{c.x} + c.w); ++x)
          want += held(c, x, y);
      CHECK(inside[r] == want);
    }
    std::vector<uint32_t> want;
    for (size_t p = 0; p < pixels.size() / 2; ++p)
      if (held(c, pixels[p * 2], pixels[p * 2 + 1])) want.push_back(static_cast<uint32_t>(p));
    CHECK(pixelsHeld(c.view(), pixels.data(), pixels.size() / 2) == want);
  }
}

TEST_CASE("boxes near pixels: widened by the reach, NaN boxes hold nothing") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> boxes = {0, 0, 10, 10, 20, 20, 30, 30, nan, 0, 100, 100, 50, 50, 40, 40};
  const std::vector<int32_t> pixels = {17, 17, 5, 5};
  CHECK(boxesNearPixels(boxes.data(), 4, pixels.data(), 2, 0) == std::vector<uint32_t>{0});
  CHECK(boxesNearPixels(boxes.data(), 4, pixels.data(), 2, 3) == std::vector<uint32_t>{0, 1});
  CHECK(boxesNearPixels(boxes.data(), 4, pixels.data(), 0, 3).empty());
}

}  // namespace
