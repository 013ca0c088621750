// A TensorRT engine for a FastSAM / YOLOv8-seg ONNX model, and the execution slots that run it.
// Built once per model, GPU and TensorRT version, then loaded from the cache (engine_cache.h).
// TensorRT types stay out of this header (pimpl), so code that only runs engines needs the CUDA
// headers but not TensorRT's.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine_options.h"

namespace fastsam::trt {

struct TensorShape {
  int batch, channels, height, width;
};  // input [B,3,H,W]

struct OutputLayout {
  int rows, anchors, nm, protoH, protoW;
};  // output0 [B,rows,anchors], output1 [B,nm,protoH,protoW]

// One per in-flight request: its own IExecutionContext and device buffers, reused across calls.
// Slots may be used from different threads at once (one thread per slot at a time). A slot keeps the
// engine's TensorRT objects alive, so it may outlive the Engine that created it.
class ExecutionSlot {
 public:
  struct Impl;
  explicit ExecutionSlot(std::unique_ptr<Impl> impl);
  ~ExecutionSlot();
  ExecutionSlot(const ExecutionSlot&) = delete;
  ExecutionSlot& operator=(const ExecutionSlot&) = delete;

  // Device pointers, allocated once for maxBatch and bound to the context; they never move. The network
  // IO is float32 even in FP16 engines.
  float* input();                // capacity maxBatch*3*H*W floats
  const float* output0() const;  // capacity maxBatch*rows*anchors
  const float* output1() const;  // capacity maxBatch*nm*protoH*protoW

  // Runs the first `batch` images of input() on `stream` (no sync). With a static-batch ONNX the engine
  // always computes maxBatch images; only the first `batch` outputs are meaningful then.
  // Throws std::invalid_argument for a batch outside 1..maxBatch, std::runtime_error when TensorRT fails.
  void enqueue(int batch, cudaStream_t stream);

 private:
  std::unique_ptr<Impl> impl_;
};

class Engine {
 public:
  struct State;

  // Loads the cached serialized engine for this model, GPU, TensorRT version and options, or builds it
  // (ONNX parser, optimisation profile batch 1..maxBatch at the model's input size, FP16 where supported,
  // timing cache persisted in cacheDir) and caches it. Throws std::invalid_argument for a model this
  // backend cannot run (not ONNX, dynamic image size, non-float32 IO, outputs other than one rank-3 and
  // one rank-4 tensor), fastsam::cuda::CudaError for CUDA failures and std::runtime_error when TensorRT
  // fails. Blocks for minutes on a first build: call it off the JS thread.
  static std::unique_ptr<Engine> load(const std::vector<uint8_t>& onnx, const EngineOptions& options);

  Engine(std::shared_ptr<State> state, bool fromCache);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  TensorShape inputShape() const;  // batch = maxBatch
  OutputLayout outputLayout() const;
  int maxBatch() const;
  bool fromCache() const;
  // Thread-safe. Each slot holds its own activation memory and IO buffers on the GPU. With a dynamic-batch
  // ONNX, each slot beyond the first live one also holds its own copy of the engine (TensorRT requires a
  // separate optimisation profile per concurrently used context).
  std::unique_ptr<ExecutionSlot> createSlot();
  // The loaded TensorRT library's version, e.g. "10.13.0".
  static std::string tensorrtVersion();

 private:
  std::shared_ptr<State> state_;
  bool fromCache_;
};

}  // namespace fastsam::trt
