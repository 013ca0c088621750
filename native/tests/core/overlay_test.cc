// The plots' index-map blend: the truncated multiply-add, the letterbox lookup, and values it must ignore.
#include <doctest/doctest.h>

#include "../../core/overlay.h"
#include "support.h"

using namespace fastsam;

namespace {

TEST_CASE("blend: trunc(rgb * (1 - alpha) + tint) where the index names a colour") {
  std::vector<uint8_t> rgb = {100, 100, 100, 100, 100, 100, 7, 8, 9};
  const std::vector<int32_t> index = {0, -1, 5};  // 5: no such colour, left alone
  const float tint[3] = {30 * 0.6f + 0.5f, 144 * 0.6f + 0.5f, 255 * 0.6f + 0.5f};
  blendIndexMap(rgb.data(), 3, 1, index.data(), OverlayFrame{1, 3, 1, 0, 0}, tint, 1, 0.6);
  CHECK(rgb[0] == static_cast<uint8_t>(100 * 0.4 + static_cast<double>(tint[0])));
  CHECK(rgb[1] == 126);
  CHECK(rgb[2] == 193);
  CHECK(rgb[3] == 100);
  CHECK(rgb[6] == 7);
}

TEST_CASE("blend: letterboxed masks are looked up at each pixel's centre; NaN tints give 0") {
  // A 4 x 2 image in a 4 x 4 mask at gain 1 with one row of padding on top: image row y reads mask row y + 1.
  std::vector<uint8_t> rgb(4 * 2 * 3, 50);
  std::vector<int32_t> index(16, -1);
  for (int x = 0; x < 4; ++x) index[2 * 4 + x] = 0;  // mask row 2 = image row 1
  const float tint[6] = {std::numeric_limits<float>::quiet_NaN(), 255.5f, 1000.f};
  blendIndexMap(rgb.data(), 4, 2, index.data(), OverlayFrame{4, 4, 1, 0, 1}, tint, 1, 1.0);
  CHECK(rgb[0] == 50);  // row 0 untouched
  CHECK(rgb[4 * 3] == 0);
  CHECK(rgb[4 * 3 + 1] == 255);
  CHECK(rgb[4 * 3 + 2] == 255);
}

}  // namespace
