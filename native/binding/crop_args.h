// Cropped masks from JS ({bits, windows, offsets}, as renderMasks returns them) copied into memory the
// worker owns, checked so every crop lies inside its bits (and, when asked, inside the mask).
#pragma once
#include <napi.h>

#include <cstdint>
#include <vector>

#include "../core/crop_set.h"
#include "owned_array.h"

namespace fastsam_binding {

struct OwnedCrops {
  OwnedArray<uint8_t> bits;
  OwnedArray<int32_t> windows;  // count x [x, y, width, height]
  OwnedArray<double> offsets;   // count + 1
  size_t count() const { return windows.size() / 4; }
  fastsam::CropSet view() const { return {bits.data(), windows.data(), offsets.data(), count()}; }
};

// info[first], info[first + 1], info[first + 2]: bits (Uint8Array), windows (Int32Array), offsets
// (Float64Array). With maskHeight and maskWidth > 0, every window must lie inside the mask.
OwnedCrops readCrops(const Napi::CallbackInfo& info, size_t first, int maskHeight = 0, int maskWidth = 0);

}  // namespace fastsam_binding
