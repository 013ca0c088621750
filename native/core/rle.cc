#include "rle.h"

namespace fastsam {

std::vector<uint32_t> encodeRle(const MaskCrop& crop, int height, int width) {
  std::vector<uint32_t> counts;
  uint8_t current = 0;
  uint64_t run = 0;
  auto push = [&](uint8_t value, uint64_t length) {
    if (length == 0) return;
    if (value != current) {
      counts.push_back(static_cast<uint32_t>(run));
      current = value;
      run = 0;
    }
    run += length;
  };
  for (int x = 0; x < width; ++x) {
    const bool columnInCrop = x >= crop.x && x < crop.x + crop.width;
    if (!columnInCrop) {
      push(0, static_cast<uint64_t>(height));
      continue;
    }
    push(0, static_cast<uint64_t>(crop.y));
    const uint8_t* column = crop.bits.data() + (x - crop.x);
    for (int y = 0; y < crop.height; ++y) push(column[static_cast<size_t>(y) * crop.width], 1);
    push(0, static_cast<uint64_t>(height - crop.y - crop.height));
  }
  counts.push_back(static_cast<uint32_t>(run));
  return counts;
}

}  // namespace fastsam
