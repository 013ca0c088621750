// scale_boxes of Ultralytics 8.0.120 (spec 3.4): letterbox coordinates back to the original image.
#pragma once

namespace fastsam {

// In place on one xyxy box: subtract the rounded pad, divide by the float32 gain, clip to the image.
void scaleBoxToOriginal(float* box, int inputH, int inputW, int origH, int origW);

}  // namespace fastsam
