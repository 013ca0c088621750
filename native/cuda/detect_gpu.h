// Detection on the GPU: candidate filter, a stable sort by confidence, torchvision-style bitmask NMS, the
// FastSAM full-image box and scale_boxes, for one image's output0 already on the device. It follows
// native/core/{nms,full_image_box,scale_boxes}.cc operation for operation in float32 (the kernels are
// compiled without FMA contraction), so boxes and their order are bit-identical to the CPU path.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

#include "../core/postprocess.h"
#include "cuda_resources.h"

namespace fastsam::cuda {

// Where one image's detections land on the device: count, then per detection `stride` floats:
// box (original pixels) x4, inputBox x4, conf, cls, nm coefficients.
struct DetectionSlot {
  int* count;     // device
  float* values;  // device, maxDet * stride
};

#if defined(__CUDACC__)
__host__ __device__
#endif
    inline int
    detectionStride(int nm) {
  return 10 + nm;
}

// One per stream; buffers are reused across calls and images.
class GpuDetector {
 public:
  // Enqueues the whole detection for one image; nothing is synchronised. `options.nms.multiLabel` is not
  // supported on the GPU (the validator runs on the CPU).
  void enqueue(const float* dOutput0, int rows, int anchors, const PostprocessOptions& options, DetectionSlot slot,
               cudaStream_t stream);

 private:
  DeviceBuffer<float> scores_, sortedScores_;
  DeviceBuffer<int32_t> classes_, order_, sortedOrder_;
  DeviceBuffer<float> boxes_;       // candidates in sorted order: box x4, shifted box x4
  DeviceBuffer<uint64_t> overlap_;  // n x ceil(n/64) IoU bitmask
  DeviceBuffer<int32_t> kept_, counters_;
  DeviceBuffer<uint8_t> allowedClasses_, sortScratch_;
  std::vector<uint8_t> allowedHost_;
};

}  // namespace fastsam::cuda
