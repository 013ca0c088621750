// The whole predict on the GPU: decoded RGB in, detections and cropped masks out. Per lane (one per
// in-flight request): upload + letterbox kernel into the engine's input, TensorRT, then the detection and
// mask kernels on the engine's outputs, with the CPU's exact arithmetic (native/cuda).
#pragma once
#include <memory>
#include <vector>

#include "../cuda/lane_pool.h"
#include "../cuda/letterbox_gpu.h"
#include "../cuda/postprocess_gpu.h"
#include "engine.h"

namespace fastsam::trt {

struct PredictRequest {
  PostprocessOptions options;  // NMS, nc, full-image box; input and original sizes are filled in here
  MaskMode maskMode = MaskMode::Native;
  bool masks = true;
};

// Milliseconds per stage (CUDA events), summed over the chunks of a batch larger than maxBatch.
struct PredictTimes {
  float letterbox = 0.f, inference = 0.f, detect = 0.f, masks = 0.f;
};

class Pipeline {
 public:
  Pipeline(std::unique_ptr<Engine> engine, int device);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Thread-safe: concurrent calls lease different lanes. Batches larger than the engine's maxBatch run
  // as several enqueues on the same lane.
  std::vector<cuda::ImageResult> predict(const std::vector<cuda::HostImage>& images, const PredictRequest& request,
                                         PredictTimes* times = nullptr);

  const Engine& engine() const { return *engine_; }
  int device() const { return device_; }

 private:
  struct Lane {
    std::unique_ptr<ExecutionSlot> slot;
    cuda::Stream stream;
    cuda::GpuLetterbox letterbox;
    cuda::GpuPostprocessor postprocessor;
    cuda::Event start, letterboxed, inferred;
  };
  void runChunk(Lane& lane, const std::vector<cuda::HostImage>& images, const PredictRequest& request,
                std::vector<cuda::ImageResult>& out, PredictTimes* times);

  std::unique_ptr<Engine> engine_;
  int device_;
  cuda::LanePool<Lane> lanes_;
};

}  // namespace fastsam::trt
