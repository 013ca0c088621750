#include "overlay.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fastsam {

namespace {

// Image pixel -> mask pixel (nearest, at pixel centres) along one axis.
std::vector<int> axisMap(int imageLen, int maskLen, double gain, double pad) {
  std::vector<int> map(static_cast<size_t>(imageLen));
  for (int i = 0; i < imageLen; ++i) {
    const double at = std::floor((i + 0.5) * gain + pad);
    map[i] = at >= 0 ? static_cast<int>(std::min(at, static_cast<double>(maskLen - 1))) : 0;  // NaN -> 0
  }
  return map;
}

}  // namespace

void blendIndexMap(uint8_t* rgb, int width, int height, const int32_t* index, const OverlayFrame& frame,
                   const float* tints, size_t tintCount, double alpha) {
  if (frame.maskWidth < 1 || frame.maskHeight < 1) return;
  const bool identity = frame.maskHeight == height && frame.maskWidth == width;
  std::vector<int> xs, ys;
  if (!identity) {
    xs = axisMap(width, frame.maskWidth, frame.gain, frame.padX);
    ys = axisMap(height, frame.maskHeight, frame.gain, frame.padY);
  }
  const double keep = 1 - alpha;
  for (int y = 0; y < height; ++y) {
    const int32_t* row = index + static_cast<size_t>(identity ? y : ys[y]) * frame.maskWidth;
    uint8_t* out = rgb + static_cast<size_t>(y) * width * 3;
    for (int x = 0; x < width; ++x) {
      const int32_t k = row[identity ? x : xs[x]];
      if (k < 0 || static_cast<size_t>(k) >= tintCount) continue;
      const float* t = tints + static_cast<size_t>(k) * 3;
      uint8_t* p = out + static_cast<size_t>(x) * 3;
      // In [0, 255.5): truncation is the Uint8Array store the JS plot did.
      for (int c = 0; c < 3; ++c) {
        const double v = p[c] * keep + static_cast<double>(t[c]);
        p[c] = v >= 0 ? static_cast<uint8_t>(std::min(v, 255.0)) : 0;  // NaN -> 0
      }
    }
  }
}

}  // namespace fastsam
