// The detection and mask options both GPU entry points take (postprocess() and GpuEngine.predict()).
#pragma once
#include <napi.h>

#include <utility>
#include <vector>

#include "../../core/masks.h"
#include "../../core/postprocess.h"

namespace fastsam_binding {

struct GpuRequest {
  fastsam::PostprocessOptions options;  // no sizes: the caller sets them (per batch, per image, or the engine's)
  fastsam::MaskMode maskMode = fastsam::MaskMode::Native;
  bool masks = true;
};

// conf, iou, agnostic, maxDet, classes, nc, fullImageBox, mode ('letterbox' | 'native') and masks
// (default true); refuses what the GPU path does not do (multi-label NMS) with an ArgumentError.
GpuRequest readGpuRequest(const Napi::Object& o);

// [height, width] pairs, one per image.
std::vector<std::pair<int, int>> readSizes(const Napi::Object& o, const char* key, size_t count);

}  // namespace fastsam_binding
