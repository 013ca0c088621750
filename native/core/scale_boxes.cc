#include "scale_boxes.h"

#include <algorithm>
#include <cmath>

#include "letterbox.h"

namespace fastsam {

void scaleBoxToOriginal(float* box, int inputH, int inputW, int origH, int origW) {
  const double gain = std::min(static_cast<double>(inputH) / origH, static_cast<double>(inputW) / origW);
  const float padX = static_cast<float>(roundHalfEven((inputW - origW * gain) / 2 - 0.1));
  const float padY = static_cast<float>(roundHalfEven((inputH - origH * gain) / 2 - 0.1));
  const float gainF = static_cast<float>(gain);
  box[0] = (box[0] - padX) / gainF;
  box[2] = (box[2] - padX) / gainF;
  box[1] = (box[1] - padY) / gainF;
  box[3] = (box[3] - padY) / gainF;
  box[0] = std::clamp(box[0], 0.f, static_cast<float>(origW));
  box[2] = std::clamp(box[2], 0.f, static_cast<float>(origW));
  box[1] = std::clamp(box[1], 0.f, static_cast<float>(origH));
  box[3] = std::clamp(box[3], 0.f, static_cast<float>(origH));
}

}  // namespace fastsam
