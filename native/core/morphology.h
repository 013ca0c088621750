// Binary morphology with rectangular kernels, OpenCV semantics: anchor at the kernel centre (k / 2),
// pixels beyond the image never erode (they count as set for erosion and unset for dilation).
#pragma once
#include <cstdint>
#include <vector>

namespace fastsam {

void dilate(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH);
void erode(std::vector<uint8_t>& bits, int width, int height, int kernelW, int kernelH);

// FastSAM's plot clean-up (better_quality): MORPH_CLOSE with a 3x3 kernel, then MORPH_OPEN with 8x8.
void refineMask(std::vector<uint8_t>& bits, int width, int height);

}  // namespace fastsam
