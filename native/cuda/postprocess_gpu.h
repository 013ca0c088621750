// A batch's post-processing on the GPU, from the network's outputs on the device to what the CPU path
// returns (native/core/postprocess.h detections and cropped masks). Two synchronisations per batch, both
// where results are read: the detections (whose boxes decide the mask windows), then the masks.
#pragma once
#include <cuda_runtime_api.h>

#include <utility>
#include <vector>

#include "cuda_resources.h"
#include "detect_gpu.h"
#include "masks_gpu.h"

namespace fastsam::cuda {

struct ImageResult {
  ImageDetections detections;
  PackedCrops masks;  // empty when masks were not asked for
};

struct BatchOutputs {
  const float* dOutput0;  // [batch][rows][anchors]
  int rows, anchors;
  const float* dProtos;  // [batch][nm][protoH][protoW]
  int nm, protoH, protoW;
};

struct BatchRequest {
  PostprocessOptions options;                  // origH/origW are taken from origSizes
  std::vector<std::pair<int, int>> origSizes;  // per image: height, width
  MaskMode maskMode = MaskMode::Native;
  bool masks = true;
};

// Milliseconds per stage, measured with CUDA events on the stream.
struct StageTimes {
  float detect = 0.f, masks = 0.f;
  float masksKernels = 0.f;  // the part of `masks` spent uploading the windows and in the kernels
  float masksCopy = 0.f;     // the part of `masks` spent copying the packed bits back
};

// One per stream (not thread-safe: give each in-flight request its own).
class GpuPostprocessor {
 public:
  std::vector<ImageResult> run(const BatchOutputs& outputs, const BatchRequest& request, cudaStream_t stream,
                               StageTimes* times = nullptr);

 private:
  GpuDetector detector_;
  GpuMaskAssembler assembler_;
  DeviceBuffer<uint8_t> slots_;
  PinnedBuffer<uint8_t> slotsHost_;
  Event start_, detected_, assembled_;
};

}  // namespace fastsam::cuda
