// The letterbox on the GPU: resize (OpenCV's fixed-point INTER_LINEAR) + pad with 114 + /255 + HWC->CHW in
// one kernel, straight from the decoded RGB bytes into the network's input tensor. Same bytes as the CPU
// letterbox (native/core/letterbox.*): it uses the same tap tables and the same integer blend.
#pragma once
#include <cuda_runtime_api.h>

#include <cstdint>
#include <vector>

#include "../core/letterbox.h"
#include "cuda_resources.h"

namespace fastsam::cuda {

struct HostImage {
  const uint8_t* rgb;  // width * height * 3 bytes, interleaved RGB
  int width, height;
};

// One per stream. Buffers are reused, so a call may only follow the previous one on the same stream
// after that request's results were read (which synchronises the stream).
class GpuLetterbox {
 public:
  // Host side: packs the images and their tap tables into pinned memory (images[i] with geometries[i];
  // each geometry's outHeight/outWidth must equal the tensor's H, W). Call before enqueue().
  void stage(const std::vector<HostImage>& images, const std::vector<LetterboxGeometry>& geometries, int tensorH,
             int tensorW);
  // GPU side, asynchronous on `stream`: one upload of what stage() packed, then one kernel per image into
  // dTensor + i * 3 * H * W.
  void enqueue(float* dTensor, cudaStream_t stream);

 private:
  struct ImageJob {
    size_t rgbOffset, xTapsOffset, yTapsOffset;  // into the staged block
    int srcW, srcH;
    LetterboxGeometry g;
    bool resize;
  };
  std::vector<ImageJob> jobs_;
  size_t staged_ = 0;
  int tensorH_ = 0, tensorW_ = 0;
  PinnedBuffer<uint8_t> staging_;  // images and tap tables, packed, for one H2D copy
  DeviceBuffer<uint8_t> device_;
};

}  // namespace fastsam::cuda
