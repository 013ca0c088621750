// non_max_suppression of Ultralytics 8.0.120 (spec 3.1) on one image's raw output0.
#pragma once
#include <vector>

#include "detection.h"
#include "geometry.h"

namespace fastsam {

struct NmsOptions {
  float confThreshold = 0.25f;  // keep score > conf (strict)
  float iouThreshold = 0.7f;    // suppress IoU > iou (strict)
  bool agnostic = false;        // class-aware unless set (no effect when nc == 1)
  int maxDet = 300;
  int maxNms = 30000;
  std::vector<int> classes;  // empty: every class
  bool multiLabel = false;   // validation: every class score above conf is its own candidate
};

// `output0` is [rows][anchors] row-major with rows = 4 + nc + nm: cx, cy, w, h, class scores, coefficients.
// Returns detections in descending confidence, as torchvision.ops.nms orders them.
std::vector<Detection> nonMaxSuppression(const float* output0, int rows, int anchors, int nc,
                                         const NmsOptions& options);

}  // namespace fastsam
