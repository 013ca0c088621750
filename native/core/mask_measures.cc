#include "mask_measures.h"

#include <algorithm>

namespace fastsam {

MaskStats maskStats(const CropView& crop) {
  MaskStats s;
  if (crop.empty()) return s;
  int x0 = crop.width, y0 = crop.height, x1 = -1, y1 = -1;
  uint32_t area = 0;
  for (int row = 0; row < crop.height; ++row) {
    const uint8_t* bits = crop.bits + static_cast<size_t>(row) * crop.width;
    int first = -1, last = -1;
    uint32_t rowArea = 0;
    for (int col = 0; col < crop.width; ++col) {
      const uint32_t set = bits[col] != 0;
      rowArea += set;
      if (set) {
        if (first < 0) first = col;
        last = col;
      }
    }
    if (rowArea == 0) continue;
    area += rowArea;
    x0 = std::min(x0, first);
    x1 = std::max(x1, last);
    y0 = std::min(y0, row);
    y1 = row;
  }
  s.area = area;
  if (area > 0) {
    s.bounds[0] = crop.x + x0;
    s.bounds[1] = crop.y + y0;
    s.bounds[2] = crop.x + x1 + 1;
    s.bounds[3] = crop.y + y1 + 1;
  }
  return s;
}

std::vector<uint32_t> pixelsInside(const CropView& crop, const int32_t* rects, size_t rectCount) {
  std::vector<uint32_t> out(rectCount, 0);
  if (crop.empty() || rectCount == 0) return out;
  // sums[(r) * (w + 1) + c] = pixels set in rows [0, r) x cols [0, c) of the crop.
  const size_t stride = static_cast<size_t>(crop.width) + 1;
  std::vector<uint32_t> sums(stride * (static_cast<size_t>(crop.height) + 1), 0);
  for (int row = 0; row < crop.height; ++row) {
    uint32_t running = 0;
    const uint32_t* above = &sums[static_cast<size_t>(row) * stride];
    uint32_t* here = &sums[static_cast<size_t>(row + 1) * stride];
    for (int col = 0; col < crop.width; ++col) {
      running += crop.at(col, row) != 0;
      here[col + 1] = above[col + 1] + running;
    }
  }
  for (size_t r = 0; r < rectCount; ++r) {
    const int32_t* rect = rects + r * 4;
    // The rect in crop coordinates, clipped to the crop (64-bit: rects are caller data).
    const int64_t c0 = std::max<int64_t>(int64_t{rect[0]} - crop.x, 0);
    const int64_t r0 = std::max<int64_t>(int64_t{rect[1]} - crop.y, 0);
    const int64_t c1 = std::min<int64_t>(int64_t{rect[2]} - crop.x, crop.width);
    const int64_t r1 = std::min<int64_t>(int64_t{rect[3]} - crop.y, crop.height);
    if (c1 <= c0 || r1 <= r0) continue;
    auto at = [&](int64_t row, int64_t col) {
      return sums[static_cast<size_t>(row) * stride + static_cast<size_t>(col)];
    };
    out[r] = at(r1, c1) - at(r0, c1) - at(r1, c0) + at(r0, c0);
  }
  return out;
}

std::vector<uint32_t> pixelsHeld(const CropView& crop, const int32_t* pixels, size_t pixelCount) {
  std::vector<uint32_t> held;
  if (crop.empty()) return held;
  for (size_t p = 0; p < pixelCount; ++p) {
    const int64_t col = int64_t{pixels[p * 2]} - crop.x, row = int64_t{pixels[p * 2 + 1]} - crop.y;
    if (col >= 0 && row >= 0 && col < crop.width && row < crop.height &&
        crop.at(static_cast<int>(col), static_cast<int>(row)) != 0)
      held.push_back(static_cast<uint32_t>(p));
  }
  return held;
}

std::vector<uint32_t> boxesNearPixels(const double* boxes, size_t boxCount, const int32_t* pixels, size_t pixelCount,
                                      double reach) {
  std::vector<uint32_t> near;
  for (size_t i = 0; i < boxCount; ++i) {
    const double* b = boxes + i * 4;
    for (size_t p = 0; p < pixelCount; ++p) {
      const double x = pixels[p * 2], y = pixels[p * 2 + 1];
      if (x >= b[0] - reach && x <= b[2] + reach && y >= b[1] - reach && y <= b[3] + reach) {
        near.push_back(static_cast<uint32_t>(i));
        break;
      }
    }
  }
  return near;
}

}  // namespace fastsam
