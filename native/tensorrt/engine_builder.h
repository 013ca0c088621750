// ONNX → serialized TensorRT engine: parsing, the checks on the model's inputs and outputs, precision,
// the batch optimisation profile and the persisted timing cache. Building takes minutes; the result is
// cached by engine.cc, so this runs once per model, GPU and TensorRT version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine_options.h"
#include "logger.h"
#include "tensorrt_library.h"

namespace fastsam::trt::FASTSAM_TRT_ABI {

struct BuildRequest {
  int maxBatch = 1;                       // the engine's largest batch (equal to the ONNX's batch when that is fixed)
  bool dynamicBatch = false;              // ONNX input dim 0 is symbolic: one optimisation profile 1..maxBatch
  Precision precision = Precision::FP16;  // as requested; see BuildResult::precision for what was built
  std::string timingCachePath;            // read if usable, written back after the build; empty: none
  ProgressFn progress;                    // may be empty
};

struct BuildResult {
  std::vector<uint8_t> plan;  // the serialized engine
  Precision precision;        // what was built: FP32 when FP16 is not possible here
};

// Throws std::invalid_argument when the model cannot be run by this layer (ONNX parse errors, dynamic
// height/width, IO that is not one float32 [B,3,H,W] input and float32 rank-3 + rank-4 outputs), and
// std::runtime_error when TensorRT fails to build (with the errors it logged), TensorRtUnavailable when
// the ONNX parser library cannot be loaded.
BuildResult buildSerializedEngine(const std::vector<uint8_t>& onnx, const BuildRequest& request,
                                  const TensorRtLibrary& library, Logger& logger);

// The message for an ONNX exported with a dynamic image size, shared with engine.cc's early check.
std::string dynamicImageSizeMessage(const std::string& inputName);
// The message for IO tensors that are not float32.
std::string floatIoMessage(const std::string& tensorName);

}  // namespace fastsam::trt::FASTSAM_TRT_ABI
