// PyTorch's F.interpolate(mode='bilinear', align_corners=False) index and weight tables, in float32.
#pragma once
#include <vector>

namespace fastsam {

struct LinearTap {
  int i0, i1;    // source indices (i1 == i0 at the last source element)
  float w0, w1;  // weights of i0 and i1
};

// Taps for output indices [begin, end) when resizing srcLen -> dstLen.
std::vector<LinearTap> linearTaps(int srcLen, int dstLen, int begin, int end);

}  // namespace fastsam
