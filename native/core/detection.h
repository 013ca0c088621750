// One detection as it flows through post-processing.
#pragma once

namespace fastsam {

struct Detection {
  float box[4];  // x1, y1, x2, y2
  float conf;
  int cls;
  int anchor;  // column of output0 holding this detection's mask coefficients
};

}  // namespace fastsam
