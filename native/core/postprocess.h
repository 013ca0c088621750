// One image's post-processing up to (not including) the masks: NMS, the FastSAM full-image box,
// scale_boxes. Masks are rendered later, on request, from what this returns.
#pragma once
#include <cstddef>
#include <vector>

#include "nms.h"

namespace fastsam {

struct PostprocessOptions {
  NmsOptions nms;
  int nc = 1;                // class rows in output0
  bool fullImageBox = true;  // FastSAM's step (spec 3.2); off for plain YOLOv8-seg
  int inputH = 0, inputW = 0;
  int origH = 0, origW = 0;
};

struct ImageDetections {
  std::vector<float> boxes;       // n x 4, original pixels
  std::vector<float> inputBoxes;  // n x 4, letterbox pixels (what process_mask crops with)
  std::vector<float> conf;        // n
  std::vector<float> cls;         // n
  std::vector<float> coef;        // n x nm
  int nm = 0;
  size_t count() const { return conf.size(); }
};

// `output0` is one image's [rows][anchors] block.
ImageDetections detect(const float* output0, int rows, int anchors, const PostprocessOptions& options);

}  // namespace fastsam
