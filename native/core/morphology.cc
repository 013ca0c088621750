#include "morphology.h"

#include <algorithm>

namespace fastsam {

namespace {

// Binary max (dilate) or min (erode) over the taps p - anchor .. p - anchor + k - 1 (anchor = k / 2).
// Out-of-image taps are skipped, which is OpenCV's border rule for binary images (the border value never
// wins). Each tap is one pass over a whole row, so the loops vectorise.
inline void combine(uint8_t* __restrict out, const uint8_t* __restrict in, int n, bool takeMax) {
  if (takeMax) {
    for (int i = 0; i < n; ++i) out[i] = out[i] | in[i];
  } else {
    for (int i = 0; i < n; ++i) out[i] = out[i] & in[i];
  }
}

void rowPass(const std::vector<uint8_t>& src, std::vector<uint8_t>& dst, int width, int height, int k, bool takeMax) {
  const int anchor = k / 2;
  for (int y = 0; y < height; ++y) {
    const uint8_t* in = &src[static_cast<size_t>(y) * width];
    uint8_t* out = &dst[static_cast<size_t>(y) * width];
    std::fill(out, out + width, takeMax ? 0 : 1);
    for (int t = 0; t < k; ++t) {
      const int shift = t - anchor;  // out[x] takes in[x + shift]
      const int from = std::max(0, -shift), to = std::min(width, width - shift);
      if (to > from) combine(out + from, in + from + shift, to - from, takeMax);
    }
  }
}

void columnPass(const std::vector<uint8_t>& src, std::vector<uint8_t>& dst, int width, int height, int k,
                bool takeMax) {
  const int anchor = k / 2;
  for (int y = 0; y < height; ++y) {
    uint8_t* out = &dst[static_cast<size_t>(y) * width];
    std::fill(out, out + width, takeMax ? 0 : 1);
    for (int t = 0; t < k; ++t) {
      const int row = y + t - anchor;
      if (row >= 0 && row < height) combine(out, &src[static_cast<size_t>(row) * width], width, takeMax);
    }
  }
}

void filter(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH, bool takeMax) {
  std::vector<uint8_t> tmp(bits.size());
  for (uint8_t& b : bits) b = b ? 1 : 0;
  rowPass(bits, tmp, width, height, kernelW, takeMax);
  columnPass(tmp, bits, width, height, kernelH, takeMax);
}

}  // namespace

void dilate(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH) {
  filter(bits, width, height, kernelW, kernelH, true);
}

void erode(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH) {
  filter(bits, width, height, kernelW, kernelH, false);
}

void refineMask(std::vector<uint8_t>& bits, int width, int height) {
  dilate(bits, width, height, 3, 3);  // close 3x3
  erode(bits, width, height, 3, 3);
  erode(bits, width, height, 8, 8);  // open 8x8
  dilate(bits, width, height, 8, 8);
}

}  // namespace fastsam
