#include "full_image_box.h"

#include <algorithm>

namespace fastsam {

namespace {

constexpr float kBorderThreshold = 20.f;
constexpr float kFullBoxIou = 0.9f;

void snapToBorder(float* box, float h, float w) {
  if (box[0] < kBorderThreshold) box[0] = 0.f;
  if (box[1] < kBorderThreshold) box[1] = 0.f;
  if (box[2] > w - kBorderThreshold) box[2] = w;
  if (box[3] > h - kBorderThreshold) box[3] = h;
}

// fastsam/utils.py::bbox_iou: IoU without eps, intersections clamped at 0.
float iouWithFull(const float* full, const float* b) {
  const float x1 = std::max(full[0], b[0]), y1 = std::max(full[1], b[1]);
  const float x2 = std::min(full[2], b[2]), y2 = std::min(full[3], b[3]);
  const float inter = std::max(x2 - x1, 0.f) * std::max(y2 - y1, 0.f);
  const float fullArea = (full[2] - full[0]) * (full[3] - full[1]);
  const float boxArea = (b[2] - b[0]) * (b[3] - b[1]);
  return inter / (fullArea + boxArea - inter);
}

}  // namespace

void applyFullImageBox(std::vector<Detection>& dets, int inputH, int inputW) {
  const float h = static_cast<float>(inputH), w = static_cast<float>(inputW);
  const float full[4] = {0.f, 0.f, w, h};
  for (Detection& d : dets) snapToBorder(d.box, h, w);
  for (Detection& d : dets) {
    if (iouWithFull(full, d.box) > kFullBoxIou) {
      std::copy(full, full + 4, d.box);
      d.cls = 0;
    }
  }
}

}  // namespace fastsam
