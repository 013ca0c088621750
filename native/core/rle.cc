#include "rle.h"

#include "masks.h"

namespace fastsam {

std::vector<uint32_t> encodeRle(const MaskCrop& crop, int height, int width) {
  const uint8_t* bits = crop.bits.data();
  return encodeWindowRle(crop.x, crop.y, crop.width, crop.height, height, width,
                         [&](int col, int row) { return bits[static_cast<size_t>(row) * crop.width + col] != 0; });
}

}  // namespace fastsam
