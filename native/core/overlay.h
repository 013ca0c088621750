// Masks blended over a picture for plots: each image pixel looks up its mask pixel through the letterbox
// (nearest), and the index map there says which colour, if any, to blend in.
#pragma once
#include <cstddef>
#include <cstdint>

namespace fastsam {

struct OverlayFrame {
  int maskHeight = 0, maskWidth = 0;
  double gain = 1, padX = 0, padY = 0;  // image pixel -> mask pixel: mask = image * gain + pad
};

// rgb (width x height x 3, in place): where index[maskPixel] = k >= 0,
//   rgb = trunc(rgb * (1 - alpha) + tints[k]), tints[k] = colour[k] * alpha + 0.5 rounded to float32
// (the rounding of the plots it replaces). Index values outside [0, tintCount) leave the pixel alone.
void blendIndexMap(uint8_t* rgb, int width, int height, const int32_t* index, const OverlayFrame& frame,
                   const float* tints, size_t tintCount, double alpha);

}  // namespace fastsam
