// Letterbox: the reference's LetterBox (Ultralytics 8.0.120) reproduced bit for bit,
// including Python's round-half-to-even and OpenCV's fixed-point INTER_LINEAR resize.
#pragma once
#include <cstdint>

namespace fastsam {

struct LetterboxGeometry {
  int unpadWidth = 0;   // size of the resized image inside the padding
  int unpadHeight = 0;
  int top = 0, bottom = 0, left = 0, right = 0;
  int outWidth = 0;     // unpad + padding: the tensor's spatial size
  int outHeight = 0;
};

// Geometry for an image of srcH x srcW letterboxed into newH x newW.
// autoPad takes the padding modulo `stride` (minimal rectangle), scaleUp allows enlarging.
LetterboxGeometry computeLetterbox(int srcH, int srcW, int newH, int newW, bool autoPad, bool scaleUp,
                                   int stride);

// OpenCV cv2.resize(INTER_LINEAR) on interleaved uint8, exact (spec 2.4a).
void resizeBilinearU8(const uint8_t* src, int srcW, int srcH, int channels, uint8_t* dst, int dstW,
                      int dstH);

// Resize + pad with 114 + HWC->CHW + /255 into a float tensor of 3 x outHeight x outWidth.
// `rgb` holds srcW*srcH*3 bytes in RGB order (the reference converts BGR->RGB before the tensor).
void letterboxToTensor(const uint8_t* rgb, int srcW, int srcH, const LetterboxGeometry& g, float* chw);

// Python's round() on a double: half to even.
double roundHalfEven(double v);

}  // namespace fastsam
