// The geometry rules of the reference (Ultralytics 8.0.120, spec 2-3.4), each written once and shared by
// the CPU core and the CUDA kernels (FASTSAM_HD): LetterBox's padding, scale_boxes' mapping back to the
// original image, FastSAM's full-image box, box decoding and torchvision's IoU. JS takes its geometry from
// here too (the addon's letterboxGeometry), never recomputing it.
#pragma once
#include <math.h>

#include <cstddef>

#include "hd.h"

namespace fastsam {

// Python's round() on a double: half to even (nearbyint under the default rounding mode).
FASTSAM_HD inline double roundHalfEven(double v) { return nearbyint(v); }

struct LetterboxGeometry {
  int unpadWidth = 0;  // size of the resized image inside the padding
  int unpadHeight = 0;
  int top = 0, bottom = 0, left = 0, right = 0;
  int outWidth = 0;  // unpad + padding: the tensor's spatial size
  int outHeight = 0;
};

// LetterBox for an image of srcH x srcW into newH x newW: the scale (at most 1 without scaleUp), the
// resized size rounded half to even, and the padding split around it with the reference's -0.1 / +0.1
// (so an odd padding puts the extra pixel after the image). autoPad takes the padding modulo `stride`.
FASTSAM_HD inline LetterboxGeometry computeLetterbox(int srcH, int srcW, int newH, int newW, bool autoPad, bool scaleUp,
                                                     int stride) {
  double r = minOf(static_cast<double>(newH) / srcH, static_cast<double>(newW) / srcW);
  if (!scaleUp) r = minOf(r, 1.0);
  LetterboxGeometry g;
  g.unpadWidth = static_cast<int>(roundHalfEven(srcW * r));
  g.unpadHeight = static_cast<int>(roundHalfEven(srcH * r));
  double dw = newW - g.unpadWidth;
  double dh = newH - g.unpadHeight;
  if (autoPad) {
    dw = fmod(dw, static_cast<double>(stride));
    dh = fmod(dh, static_cast<double>(stride));
  }
  dw /= 2;
  dh /= 2;
  g.top = static_cast<int>(roundHalfEven(dh - 0.1));
  g.bottom = static_cast<int>(roundHalfEven(dh + 0.1));
  g.left = static_cast<int>(roundHalfEven(dw - 0.1));
  g.right = static_cast<int>(roundHalfEven(dw + 0.1));
  g.outWidth = g.unpadWidth + g.left + g.right;
  g.outHeight = g.unpadHeight + g.top + g.bottom;
  return g;
}

// scale_boxes' mapping between letterbox (input) pixels and original pixels: input = orig * gain + pad,
// with gain = min(inputH / origH, inputW / origW) in double and the pad rounded half to even after -0.1.
// Boxes use the float32 gain (the reference's tensors are float32); JS maps prompts with the double.
struct ScaleGeometry {
  double gain = 1;
  double padX = 0, padY = 0;
};

FASTSAM_HD inline ScaleGeometry scaleGeometry(int inputH, int inputW, int origH, int origW) {
  ScaleGeometry s;
  s.gain = minOf(static_cast<double>(inputH) / origH, static_cast<double>(inputW) / origW);
  s.padX = roundHalfEven((inputW - origW * s.gain) / 2 - 0.1);
  s.padY = roundHalfEven((inputH - origH * s.gain) / 2 - 0.1);
  return s;
}

// One xyxy box from input to original pixels, in place: subtract the pad, divide by the float32 gain,
// clip to the image (NaN stays NaN).
FASTSAM_HD inline void scaleBox(float* box, const ScaleGeometry& s, int origH, int origW) {
  const float gain = static_cast<float>(s.gain), padX = static_cast<float>(s.padX), padY = static_cast<float>(s.padY);
  const float w = static_cast<float>(origW), h = static_cast<float>(origH);
  box[0] = clampTo((box[0] - padX) / gain, 0.f, w);
  box[2] = clampTo((box[2] - padX) / gain, 0.f, w);
  box[1] = clampTo((box[1] - padY) / gain, 0.f, h);
  box[3] = clampTo((box[3] - padY) / gain, 0.f, h);
}

// cx, cy, w, h -> xyxy in float32, as the reference's xywh2xyxy.
FASTSAM_HD inline void decodeBox(float cx, float cy, float w, float h, float* xyxy) {
  xyxy[0] = cx - w / 2.f;
  xyxy[1] = cy - h / 2.f;
  xyxy[2] = cx + w / 2.f;
  xyxy[3] = cy + h / 2.f;
}

// The class offset that keeps boxes of different classes apart in class-aware NMS.
constexpr float kMaxWh = 7680.f;

// torchvision's IoU: inter / (area1 + area2 - inter), no eps, no +1.
FASTSAM_HD inline float boxIou(const float* a, const float* b) {
  const float areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const float areaB = (b[2] - b[0]) * (b[3] - b[1]);
  const float w = maxOf(0.f, minOf(a[2], b[2]) - maxOf(a[0], b[0]));
  const float h = maxOf(0.f, minOf(a[3], b[3]) - maxOf(a[1], b[1]));
  const float inter = w * h;
  return inter / (areaA + areaB - inter);
}

// FastSAM's full-image box (CASIA flavour, spec 3.2), in input pixels: edges within 20 px of the border
// snap onto it; a box then overlapping the whole input with IoU > 0.9 (fastsam/utils.py::bbox_iou: no
// eps, intersections clamped at 0) becomes exactly the whole input. Returns whether it did.
FASTSAM_HD inline bool fullImageBox(float* box, int inputH, int inputW) {
  constexpr float kBorderThreshold = 20.f;
  constexpr float kFullBoxIou = 0.9f;
  const float h = static_cast<float>(inputH), w = static_cast<float>(inputW);
  if (box[0] < kBorderThreshold) box[0] = 0.f;
  if (box[1] < kBorderThreshold) box[1] = 0.f;
  if (box[2] > w - kBorderThreshold) box[2] = w;
  if (box[3] > h - kBorderThreshold) box[3] = h;
  const float x1 = maxOf(0.f, box[0]), y1 = maxOf(0.f, box[1]);
  const float x2 = minOf(w, box[2]), y2 = minOf(h, box[3]);
  const float inter = maxOf(x2 - x1, 0.f) * maxOf(y2 - y1, 0.f);
  const float fullArea = (w - 0.f) * (h - 0.f);
  const float boxArea = (box[2] - box[0]) * (box[3] - box[1]);
  if (!(inter / (fullArea + boxArea - inter) > kFullBoxIou)) return false;
  box[0] = 0.f;
  box[1] = 0.f;
  box[2] = w;
  box[3] = h;
  return true;
}

// The candidate filter of non_max_suppression for one anchor of output0 ([rows][anchors], `stride` =
// anchors): the best class (first maximum, like torch.max), dropped when any class score is NaN (torch's
// max propagates it) or the score is not above conf. `allowed(c)` is the classes filter.
template <typename Allowed>
FASTSAM_HD inline bool bestCandidate(const float* out, size_t stride, int anchor, int nc, float conf, Allowed&& allowed,
                                     int& cls, float& score) {
  int best = 0;
  float top = out[4 * stride + anchor];
  bool nan = top != top;
  for (int c = 1; c < nc; ++c) {
    const float s = out[(4 + c) * stride + anchor];
    nan = nan || s != s;
    if (s > top) {
      top = s;
      best = c;
    }
  }
  cls = best;
  score = top;
  return !nan && top > conf && allowed(best);
}

}  // namespace fastsam
