// Letterbox: the reference's LetterBox (Ultralytics 8.0.120) reproduced bit for bit,
// including Python's round-half-to-even and OpenCV's fixed-point INTER_LINEAR resize.
// The geometry (sizes, padding) is geometry.h's computeLetterbox, shared with the GPU.
#pragma once
#include <cstdint>
#include <vector>

#include "geometry.h"

namespace fastsam {

// One axis of OpenCV's linear interpolation table: source indices and 11-bit fixed-point weights.
struct ResizeTap {
  int s0, s1;
  int16_t w0, w1;
};
// The table for resizing srcLen -> dstLen; x clamps at the borders like OpenCV's horizontal pass.
// Shared with the GPU letterbox kernel, so both resize bit for bit alike.
std::vector<ResizeTap> resizeTaps(int srcLen, int dstLen, bool clampLikeX);

// The fixed-point vertical blend of two horizontally resized values: OpenCV's x86 SIMD formula
// (spec 2.4a), not the plain scalar one. Usable from CUDA code too.
FASTSAM_HD inline int32_t blendRowsFixedPoint(int32_t h0, int32_t h1, int32_t b0, int32_t b1) {
  const int32_t v = ((((h0 >> 4) * b0) >> 16) + (((h1 >> 4) * b1) >> 16) + 2) >> 2;
  return v < 0 ? 0 : (v > 255 ? 255 : v);
}

// OpenCV cv2.resize(INTER_LINEAR) on interleaved uint8, exact (spec 2.4a).
void resizeBilinearU8(const uint8_t* src, int srcW, int srcH, int channels, uint8_t* dst, int dstW, int dstH);

// Resize + pad with 114 + HWC->CHW + /255 into a float tensor of 3 x outHeight x outWidth.
// `rgb` holds srcW*srcH*3 bytes in RGB order (the reference converts BGR->RGB before the tensor).
void letterboxToTensor(const uint8_t* rgb, int srcW, int srcH, const LetterboxGeometry& g, float* chw);

}  // namespace fastsam
