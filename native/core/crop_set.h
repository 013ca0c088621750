// Cropped masks as the bindings exchange them: mask i is the window (x, y, width, height) of a full mask,
// its width * height bytes (0 or 1, row-major) starting at bits + offsets[i]; everything outside the
// window is 0. A view: the memory belongs to the caller (in the bindings, a copy the worker owns).
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastsam {

struct CropView {
  int x = 0, y = 0, width = 0, height = 0;
  const uint8_t* bits = nullptr;
  bool empty() const { return width <= 0 || height <= 0; }
  uint8_t at(int col, int row) const { return bits[static_cast<size_t>(row) * width + col]; }
};

struct CropSet {
  const uint8_t* bits = nullptr;
  const int32_t* windows = nullptr;  // count x [x, y, width, height]
  const double* offsets = nullptr;   // count + 1 byte offsets into bits
  size_t count = 0;

  CropView operator[](size_t i) const {
    const int32_t* w = windows + i * 4;
    return {w[0], w[1], w[2], w[3], bits + static_cast<size_t>(offsets[i])};
  }
};

}  // namespace fastsam
