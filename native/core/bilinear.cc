#include "bilinear.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace fastsam {

std::vector<LinearTap> linearTaps(int srcLen, int dstLen, int begin, int end) {
  // area_pixel_compute_scale / area_pixel_compute_source_index / guard_index_and_lambda, opmath float.
  const float scale = static_cast<float>(srcLen) / static_cast<float>(dstLen);
  std::vector<LinearTap> taps;
  taps.reserve(std::max(0, end - begin));
  for (int d = begin; d < end; ++d) {
    const float real = std::max(scale * (static_cast<float>(d) + 0.5f) - 0.5f, 0.f);
    const int i0 = std::min(static_cast<int>(std::floor(real)), srcLen - 1);
    const float lambda = std::min(std::max(real - static_cast<float>(i0), 0.f), 1.f);
    LinearTap t;
    t.i0 = i0;
    t.i1 = i0 < srcLen - 1 ? i0 + 1 : i0;
    t.w0 = 1.f - lambda;
    t.w1 = lambda;
    taps.push_back(t);
  }
  return taps;
}

}  // namespace fastsam
