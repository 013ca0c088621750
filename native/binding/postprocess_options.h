// The detection options object (conf, iou, classes, sizes...) read into the core's PostprocessOptions;
// shared by the core addon's detect() and the GPU addon's postprocess().
#pragma once
#include <napi.h>

#include "../core/postprocess.h"
#include "convert.h"

namespace fastsam_binding {

// Reads conf, iou, agnostic, maxDet, classes, multiLabel, nc, fullImageBox and, when `withSizes`,
// inputHeight/Width and origHeight/Width (the GPU entry points take sizes per batch, per image or from
// the engine instead).
fastsam::PostprocessOptions readPostprocessOptions(const Napi::Object& o, bool withSizes = true);

}  // namespace fastsam_binding
