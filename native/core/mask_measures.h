// What the prompt rules (lib/prompts/rules.ts) measure on cropped masks, natively: each mask's area and
// tight bounds, its pixels inside planned rects (box prompts), which planned pixels it holds (point
// prompts), and which masks a point can reach at all (to render only those).
#pragma once
#include <cstdint>
#include <vector>

#include "crop_set.h"

namespace fastsam {

struct MaskStats {
  uint32_t area = 0;
  int32_t bounds[4] = {0, 0, 0, 0};  // tight [x1, y1, x2, y2) of the set pixels in mask coordinates; 0s when empty
};

MaskStats maskStats(const CropView& crop);

// Pixels of `crop` inside each rect [x1, x2) x [y1, y2) (rects: count x 4, any values; empty rects count 0).
// One summed-area table per mask makes each rect O(1), so k rects cost O(pixels + k), not O(k * pixels).
std::vector<uint32_t> pixelsInside(const CropView& crop, const int32_t* rects, size_t rectCount);

// Indices of the pixels (count x [x, y]) that `crop` holds.
std::vector<uint32_t> pixelsHeld(const CropView& crop, const int32_t* pixels, size_t pixelCount);

// Indices of the boxes (count x [x1, y1, x2, y2], mask coordinates) that hold at least one pixel when
// widened by `reach` on every side (comparisons in double, as the JS it replaces).
std::vector<uint32_t> boxesNearPixels(const double* boxes, size_t boxCount, const int32_t* pixels, size_t pixelCount,
                                      double reach);

}  // namespace fastsam
