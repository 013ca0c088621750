// Core results as JS objects, shared by the core addon and the GPU addon so both hand JS the same shapes.
#pragma once
#include <napi.h>

#include "../core/letterbox.h"
#include "../core/postprocess.h"

namespace fastsam_binding {

// {unpadWidth, unpadHeight, top, bottom, left, right, width, height}
Napi::Object letterboxGeometryToJs(Napi::Env env, const fastsam::LetterboxGeometry& g);

// {nm, boxes, inputBoxes, conf, cls, coef}, handing the vectors over without copies.
Napi::Object detectionsToJs(Napi::Env env, fastsam::ImageDetections&& detections);

}  // namespace fastsam_binding
