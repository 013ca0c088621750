// Bit-packed crops: unpacking and RLE straight from the bits.
#include <doctest/doctest.h>

#include "../../core/bitpack.h"
#include "../../core/rle.h"
#include "support.h"

using namespace fastsam;

namespace {

// unpackBits against a bit-by-bit reading, for widths around the byte boundaries.
TEST_CASE("unpack bits") {
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

}  // namespace
