// COCO uncompressed RLE of a cropped mask placed in a full height x width frame.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "masks.h"

namespace fastsam {

// Runs over the full mask in column-major order, starting with a (possibly empty) run of zeros.
std::vector<uint32_t> encodeRle(const MaskCrop& crop, int height, int width);

}  // namespace fastsam
