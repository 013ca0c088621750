// Mask assembly on the GPU, only for kept detections and only inside their windows: coefficients x
// prototypes (one logit per prototype cell the crop keeps), PyTorch's bilinear upsample evaluated per output
// pixel from the same tap tables as the CPU renderer (native/core/masks.*), threshold at 0, and 8 pixels
// packed per byte so the copy back is small. Windows come from the CPU's own maskWindow(), so both paths
// materialise exactly the same crops.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

#include "../core/masks.h"
#include "cuda_resources.h"

namespace fastsam::cuda {

// One image's masks to assemble.
struct MaskRequest {
  const float* dProtos;  // device, [nm][protoH][protoW]
  int nm, protoH, protoW;
  MaskGeometry geometry;
  const float* dCoef;  // device: coefficients of mask k at dCoef + k * coefStride
  int coefStride;
  const float*
      boxes;  // host: crop box of mask k at boxes + k * boxStride (input pixels for Letterbox, original for Native)
  int boxStride;
  int count;
};

// Cropped masks, bit-packed (native/core/bitpack.h), in the layout the binding hands to JS: windows
// (x, y, width, height) and where each mask's packed rows start. Unpacked only when pixels are asked for.
struct PackedCrops {
  std::vector<int32_t> windows;
  std::vector<double> starts;  // count (double: what a JS Float64Array holds)
  std::vector<uint8_t> packed;
};

// One per stream; buffers are reused across calls.
class GpuMaskAssembler {
 public:
  // Computes the windows (host) and enqueues every image's kernels and the copy back; asynchronous.
  void enqueue(const std::vector<MaskRequest>& requests, cudaStream_t stream);
  // After the stream has synchronised: each request's packed masks.
  std::vector<PackedCrops> collect() const;
  // After the stream has synchronised: milliseconds of the GPU work (tables upload + kernels) and of the
  // copy back (0 when nothing ran). What `masks` adds on top is host work (windows, tap tables).
  float kernelsMs() const { return copyRecorded_ ? kernelsDone_.since(begin_) : 0.f; }
  float copyMs() const { return copyRecorded_ ? copied_.since(kernelsDone_) : 0.f; }

 private:
  struct Window {
    int32_t x, y, width, height;     // output window
    int32_t col0, col1, row0, row1;  // prototype cells the crop keeps (relative to the region)
    uint64_t packedOffset;           // into the packed output
  };
  struct ImagePlan {
    std::vector<Window> windows;
    ProtoRegion region;
    size_t windowsOffset = 0, xTapsOffset = 0, yTapsOffset = 0;  // into the staging block
    uint64_t packedBegin = 0, packedEnd = 0;
  };
  std::vector<ImagePlan> plans_;
  PinnedBuffer<uint8_t> staging_;
  DeviceBuffer<uint8_t> tables_;
  DeviceBuffer<float> logits_;
  DeviceBuffer<uint8_t> packed_;
  PinnedBuffer<uint8_t> packedHost_;
  Event begin_, kernelsDone_, copied_;  // bracket the GPU work and the copy back
  bool copyRecorded_ = false;
};

}  // namespace fastsam::cuda
