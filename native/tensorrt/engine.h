// A TensorRT engine for a FastSAM / YOLOv8-seg ONNX model, and the execution slots that run it.
// Built once per model, GPU and TensorRT version, then loaded from the cache (engine_cache.h).
// TensorRT types stay out of this header (interfaces), so code that only runs engines needs the CUDA
// headers but not TensorRT's, and one addon can carry engines for several TensorRT majors.
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <stdexcept>
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
  virtual ~ExecutionSlot() = default;

  // Device pointers, allocated once for maxBatch and bound to the context; they never move. The network
  // IO is float32 even in FP16 engines.
  virtual float* input() = 0;                // capacity maxBatch*3*H*W floats
  virtual const float* output0() const = 0;  // capacity maxBatch*rows*anchors
  virtual const float* output1() const = 0;  // capacity maxBatch*nm*protoH*protoW

  // Runs the first `batch` images of input() on `stream` (no sync). With a static-batch ONNX the engine
  // always computes maxBatch images; only the first `batch` outputs are meaningful then.
  // Throws std::invalid_argument for a batch outside 1..maxBatch, std::runtime_error when TensorRT fails.
  virtual void enqueue(int batch, cudaStream_t stream) = 0;
};

// Implemented once per TensorRT major the addon is built against (engine.cc, compiled per major into
// its own namespace: tensorrt_api.h); load() picks the one whose libnvinfer this machine has.
class Engine {
 public:
  virtual ~Engine() = default;

  // Loads the cached serialized engine for this model, GPU, TensorRT version and options, or builds it
  // (ONNX parser, optimisation profile batch 1..maxBatch at the model's input size, FP16 where supported,
  // timing cache persisted in cacheDir) and caches it. Throws std::invalid_argument for a model this
  // backend cannot run (not ONNX, dynamic image size, non-float32 IO, outputs other than one rank-3 and
  // one rank-4 tensor), TensorRtUnavailable when no TensorRT library this addon can use is installed,
  // fastsam::cuda::CudaError for CUDA failures and std::runtime_error when TensorRT fails. Blocks for
  // minutes on a first build: call it off the JS thread.
  static std::unique_ptr<Engine> load(const std::vector<uint8_t>& onnx, const EngineOptions& options);

  virtual TensorShape inputShape() const = 0;  // batch = maxBatch
  virtual OutputLayout outputLayout() const = 0;
  virtual int maxBatch() const = 0;
  virtual bool fromCache() const = 0;
  // Thread-safe. Each slot holds its own activation memory and IO buffers on the GPU. With a dynamic-batch
  // ONNX, each slot beyond the first live one also holds its own copy of the engine (TensorRT requires a
  // separate optimisation profile per concurrently used context).
  virtual std::unique_ptr<ExecutionSlot> createSlot() = 0;
};

// TensorRT cannot be used here: no libnvinfer of a major this addon was built for, or it lacks an entry
// point. The message names every library tried and why it failed.
class TensorRtUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// What this addon can use and what this machine has, for probe(): the TensorRT versions whose headers the
// addon was compiled against ("10.16.0", ...; empty for a kernels-only build), and the loaded library's
// version or, when none loads, why not.
struct TensorRtStatus {
  std::vector<std::string> builtFor;
  std::string version;  // empty when no library loaded
  std::string whyNot;   // empty when one did
};
TensorRtStatus tensorrtStatus();

}  // namespace fastsam::trt
