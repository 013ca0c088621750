// GPU results to JS objects: detections as the core addon's detect() gives them, masks bit-packed
// (the core addon's unpackMasks() turns them into renderMasks(format: 'crop')'s layout).
#pragma once
#include <napi.h>

#include <utility>
#include <vector>

#include "../../cuda/postprocess_gpu.h"

namespace fastsam_binding {

// {boxes, inputBoxes, conf, cls, coef, nm, windows, packedStarts, packed}, handing the vectors over without copies.
Napi::Object imageResultToJs(Napi::Env env, fastsam::cuda::ImageResult&& result);

// {images: [imageResultToJs...], times: {name: ms}}: what postprocess() and GpuEngine.predict() resolve to.
Napi::Object batchResultToJs(Napi::Env env, std::vector<fastsam::cuda::ImageResult>&& results,
                             const std::vector<std::pair<const char*, float>>& times);

}  // namespace fastsam_binding
