// The detection options object (conf, iou, classes, sizes...) read into the core's PostprocessOptions;
// shared by the core addon's detect() and the GPU addon's postprocess().
#pragma once
#include <napi.h>

#include "../core/postprocess.h"
#include "convert.h"

namespace fastsam_binding {

// Reads conf, iou, agnostic, maxDet, classes, multiLabel, nc, fullImageBox, inputHeight/Width and
// origHeight/Width (the last two only when `withOriginalSize`: the GPU batch carries one size per image).
fastsam::PostprocessOptions readPostprocessOptions(const Napi::Object& o, bool withOriginalSize = true);

}  // namespace fastsam_binding
