// What a caller can ask of the TensorRT engine layer when loading a model.
#pragma once

#include <functional>
#include <string>

namespace fastsam::trt {

enum class Precision { FP32, FP16 };

// See EngineOptions::progress.
using ProgressFn = std::function<void(const std::string& stage, double fraction)>;

inline const char* precisionName(Precision precision) { return precision == Precision::FP16 ? "fp16" : "fp32"; }

struct EngineOptions {
  // SHA-256 of the ONNX bytes, lowercase hex, computed by the caller (node:crypto in JS): the engine
  // cache's key for the model.
  std::string onnxSha256;
  int device = 0;
  Precision precision = Precision::FP16;
  // Largest batch one enqueue may carry. A static-batch ONNX (input dim 0 fixed at N) forces N.
  int maxBatch = 1;
  // Where serialized engines and the timing cache live (created if missing). Empty: no caching, every
  // load builds.
  std::string cacheDir;
  // Build progress: stage text ("parsing ONNX", "building engine (first time for this GPU and model:
  // usually 1-5 minutes)", "loaded from cache", ...) and a fraction in [0,1], or -1 when unknown.
  // Called on the loading thread and on TensorRT's builder threads: it must be thread-safe and quick.
  // Exceptions it throws are swallowed (a progress report must never break a build).
  ProgressFn progress;
};

// Calls `progress` when set, and swallows what it throws: a progress report must never break a build.
inline void reportProgress(const ProgressFn& progress, const std::string& stage, double fraction) noexcept {
  if (!progress) return;
  try {
    progress(stage, fraction);
  } catch (...) {}
}

}  // namespace fastsam::trt
