#include "letterbox_gpu.h"

#include <cstring>
#include <stdexcept>

namespace fastsam::cuda {

namespace {

// What one kernel launch needs (passed by value).
struct KernelJob {
  int srcW, srcH;
  LetterboxGeometry g;
  bool resize;
};

// One thread per output pixel, all three channels: padding, a plain copy, or OpenCV's two-pass blend
// evaluated for just this pixel (the same integers the CPU computes row by row).
__global__ void letterboxKernel(const uint8_t* __restrict__ rgb, const ResizeTap* __restrict__ xt,
                                const ResizeTap* __restrict__ yt, KernelJob job, float* __restrict__ chw) {
  const int x = blockIdx.x * blockDim.x + threadIdx.x;
  const int y = blockIdx.y * blockDim.y + threadIdx.y;
  const LetterboxGeometry& g = job.g;
  if (x >= g.outWidth || y >= g.outHeight) return;
  const size_t plane = static_cast<size_t>(g.outWidth) * g.outHeight;
  const size_t at = static_cast<size_t>(y) * g.outWidth + x;
  const int ux = x - g.left, uy = y - g.top;
  if (ux < 0 || uy < 0 || ux >= g.unpadWidth || uy >= g.unpadHeight) {
    const float pad = 114.f / 255.f;
    chw[at] = pad;
    chw[plane + at] = pad;
    chw[2 * plane + at] = pad;
    return;
  }
  int v[3];
  if (!job.resize) {
    const uint8_t* p = rgb + (static_cast<size_t>(uy) * job.srcW + ux) * 3;
    v[0] = p[0];
    v[1] = p[1];
    v[2] = p[2];
  } else {
    const ResizeTap tx = xt[ux], ty = yt[uy];
    const uint8_t* r0 = rgb + static_cast<size_t>(ty.s0) * job.srcW * 3;
    const uint8_t* r1 = rgb + static_cast<size_t>(ty.s1) * job.srcW * 3;
    for (int c = 0; c < 3; ++c) {
      const int32_t h0 = r0[tx.s0 * 3 + c] * tx.w0 + r0[tx.s1 * 3 + c] * tx.w1;
      const int32_t h1 = r1[tx.s0 * 3 + c] * tx.w0 + r1[tx.s1 * 3 + c] * tx.w1;
      v[c] = blendRowsFixedPoint(h0, h1, ty.w0, ty.w1);
    }
  }
  // The reference divides a float32 tensor by 255 (IEEE division, as nvcc compiles '/' by default).
  chw[at] = static_cast<float>(v[0]) / 255.f;
  chw[plane + at] = static_cast<float>(v[1]) / 255.f;
  chw[2 * plane + at] = static_cast<float>(v[2]) / 255.f;
}

}  // namespace

void GpuLetterbox::stage(const std::vector<HostImage>& images, const std::vector<LetterboxGeometry>& geometries,
                         int tensorH, int tensorW) {
  if (images.size() != geometries.size()) throw std::invalid_argument("one letterbox geometry per image");
  jobs_.assign(images.size(), ImageJob{});
  tensorH_ = tensorH;
  tensorW_ = tensorW;
  std::vector<std::vector<ResizeTap>> xTaps(images.size()), yTaps(images.size());
  size_t total = 0;
  for (size_t i = 0; i < images.size(); ++i) {
    const HostImage& im = images[i];
    const LetterboxGeometry& g = geometries[i];
    if (g.outHeight != tensorH || g.outWidth != tensorW)
      throw std::invalid_argument("letterbox geometry does not match the tensor");
    if (im.width < 1 || im.height < 1 || g.unpadWidth < 1 || g.unpadHeight < 1)
      throw std::invalid_argument("empty image");
    ImageJob& job = jobs_[i];
    job.srcW = im.width;
    job.srcH = im.height;
    job.g = g;
    job.resize = g.unpadWidth != im.width || g.unpadHeight != im.height;
    if (job.resize) {
      xTaps[i] = resizeTaps(im.width, g.unpadWidth, true);
      yTaps[i] = resizeTaps(im.height, g.unpadHeight, false);
    }
    job.rgbOffset = total;
    total = alignUp(total + static_cast<size_t>(im.width) * im.height * 3);
    job.xTapsOffset = total;
    total = alignUp(total + xTaps[i].size() * sizeof(ResizeTap));
    job.yTapsOffset = total;
    total = alignUp(total + yTaps[i].size() * sizeof(ResizeTap));
  }
  uint8_t* host = staging_.reserve(total);
  for (size_t i = 0; i < images.size(); ++i) {
    std::memcpy(host + jobs_[i].rgbOffset, images[i].rgb, static_cast<size_t>(images[i].width) * images[i].height * 3);
    std::memcpy(host + jobs_[i].xTapsOffset, xTaps[i].data(), xTaps[i].size() * sizeof(ResizeTap));
    std::memcpy(host + jobs_[i].yTapsOffset, yTaps[i].data(), yTaps[i].size() * sizeof(ResizeTap));
  }
  staged_ = total;
}

void GpuLetterbox::enqueue(float* dTensor, cudaStream_t stream) {
  if (jobs_.empty()) return;
  uint8_t* dev = device_.reserve(staged_);
  check(cudaMemcpyAsync(dev, staging_.data(), staged_, cudaMemcpyHostToDevice, stream),
        "cannot upload images to the GPU");
  const dim3 block(32, 8);
  const dim3 grid((tensorW_ + block.x - 1) / block.x, (tensorH_ + block.y - 1) / block.y);
  const size_t tensorSize = static_cast<size_t>(3) * tensorH_ * tensorW_;
  for (size_t i = 0; i < jobs_.size(); ++i) {
    const ImageJob& job = jobs_[i];
    const KernelJob kernelJob{job.srcW, job.srcH, job.g, job.resize};
    letterboxKernel<<<grid, block, 0, stream>>>(
        dev + job.rgbOffset, reinterpret_cast<const ResizeTap*>(dev + job.xTapsOffset),
        reinterpret_cast<const ResizeTap*>(dev + job.yTapsOffset), kernelJob, dTensor + i * tensorSize);
  }
  check(cudaGetLastError(), "letterbox kernel launch failed");
}

}  // namespace fastsam::cuda
