#include "rle.h"

#include "masks.h"

namespace fastsam {

std::vector<uint32_t> encodeRle(const MaskCrop& crop, int height, int width) {
  RunBuilder runs;
  const int x0 = crop.width > 0 ? crop.x : width;  // an empty crop is all zeros
  const int x1 = crop.width > 0 ? crop.x + crop.width : width;
  runs.zeros(static_cast<uint64_t>(x0) * height);
  for (int x = x0; x < x1; ++x) {
    runs.zeros(static_cast<uint64_t>(crop.y));
    const uint8_t* column = crop.bits.data() + (x - crop.x);
    runs.scan(crop.height, [&](int y) { return column[static_cast<size_t>(y) * crop.width] != 0; });
    runs.zeros(static_cast<uint64_t>(height - crop.y - crop.height));
  }
  runs.zeros(static_cast<uint64_t>(width - x1) * height);
  return runs.finish();
}

}  // namespace fastsam
