#include "morphology.h"

#include <algorithm>

namespace fastsam {

namespace {

// One separable pass of a max (dilate) or min (erode) filter along rows or columns.
// dst(p) = op over src(p + i - anchor), i in [0, k); out-of-image taps are skipped, which gives OpenCV's
// border behaviour for binary images (the border value never wins).
void pass(const std::vector<uint8_t>& src, std::vector<uint8_t>& dst, int width, int height, int k, bool alongRows,
          bool takeMax) {
  const int anchor = k / 2;
  const int len = alongRows ? width : height;
  const int lines = alongRows ? height : width;
  for (int line = 0; line < lines; ++line) {
    for (int p = 0; p < len; ++p) {
      uint8_t acc = takeMax ? 0 : 1;
      const int from = std::max(0, p - anchor), to = std::min(len - 1, p - anchor + k - 1);
      for (int q = from; q <= to; ++q) {
        const size_t idx = alongRows ? static_cast<size_t>(line) * width + q : static_cast<size_t>(q) * width + line;
        acc = takeMax ? std::max(acc, src[idx]) : std::min(acc, src[idx]);
      }
      const size_t out = alongRows ? static_cast<size_t>(line) * width + p : static_cast<size_t>(p) * width + line;
      dst[out] = acc;
    }
  }
}

void filter(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH, bool takeMax) {
  std::vector<uint8_t> tmp(bits.size());
  pass(bits, tmp, width, height, kernelW, true, takeMax);
  pass(tmp, bits, width, height, kernelH, false, takeMax);
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
