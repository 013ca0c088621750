// Core results as JS objects, shared by the core addon and the GPU addon so both hand JS the same shapes.
#pragma once
#include <napi.h>

#include "../core/letterbox.h"
#include "../core/postprocess.h"

namespace fastsam_binding {

// {unpadWidth, unpadHeight, top, bottom, left, right, width, height, gain, padX, padY}: LetterBox's sizes
// and padding, plus scale_boxes' mapping between this letterbox and the srcH x srcW image (what JS maps
// masks and prompts with).
Napi::Object letterboxGeometryToJs(Napi::Env env, const fastsam::LetterboxGeometry& g, int srcH, int srcW);

// {nm, boxes, inputBoxes, conf, cls, coef}, handing the vectors over without copies.
Napi::Object detectionsToJs(Napi::Env env, fastsam::ImageDetections&& detections);

}  // namespace fastsam_binding
