#include "masks_gpu.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "../core/bitpack.h"

namespace fastsam::cuda {

namespace {

struct DeviceWindow {
  int32_t x, y, width, height;
  int32_t col0, col1, row0, row1;
  uint64_t packedOffset;
};

struct RegionParams {
  int top, left, height, width;  // the prototype region that is upsampled
  int protoW, plane, nm, coefStride;
};

// One logit per region cell: the sequential float dot product of masks.cc (no FMA), 0 where the crop
// removes the cell, like the CPU's horizontal pass input.
__global__ void logitsKernel(const float* __restrict__ protos, const float* __restrict__ coef,
                             const DeviceWindow* __restrict__ windows, RegionParams p, float* __restrict__ logits) {
  extern __shared__ float sharedCoef[];
  const int m = blockIdx.y;
  for (int c = threadIdx.x; c < p.nm; c += blockDim.x) sharedCoef[c] = coef[static_cast<size_t>(m) * p.coefStride + c];
  __syncthreads();
  const int cells = p.height * p.width;
  const DeviceWindow w = windows[m];
  for (int cell = blockIdx.x * blockDim.x + threadIdx.x; cell < cells; cell += gridDim.x * blockDim.x) {
    const int r = cell / p.width, c = cell % p.width;
    float sum = 0.f;
    if (r >= w.row0 && r < w.row1 && c >= w.col0 && c < w.col1) {
      const float* at = protos + static_cast<size_t>(p.top + r) * p.protoW + (p.left + c);
      for (int k = 0; k < p.nm; ++k) sum += sharedCoef[k] * at[static_cast<size_t>(k) * p.plane];
    }
    logits[static_cast<size_t>(m) * cells + cell] = sum;
  }
}

// One output pixel per thread, a warp per 32 consecutive pixels of a row: the horizontal then vertical
// blend of masks.cc, then a warp ballot packs the 32 results LSB first into 4 bytes of the packed row.
// Consecutive lanes read consecutive taps and nearly consecutive logits, so the loads coalesce.
__global__ void pixelKernel(const float* __restrict__ logits, const DeviceWindow* __restrict__ windows,
                            const LinearTap* __restrict__ xt, const LinearTap* __restrict__ yt, int regionW,
                            int regionCells, uint8_t* __restrict__ packed) {
  const int m = blockIdx.y;
  const DeviceWindow w = windows[m];
  const int rowBytes = (w.width + 7) / 8;
  const int chunksPerRow = (w.width + 31) / 32;
  const int chunks = chunksPerRow * w.height;  // < 2^31, checked on the host: 32-bit index math is cheaper
  const float* L = logits + static_cast<size_t>(m) * regionCells;
  const int lane = threadIdx.x & 31;
  const int warps = static_cast<int>((gridDim.x * blockDim.x) >> 5);
  // The loop bound is the same for every lane of a warp, so the ballot below always has all 32 lanes.
  for (int chunk = static_cast<int>((blockIdx.x * blockDim.x + threadIdx.x) >> 5); chunk < chunks; chunk += warps) {
    const int row = chunk / chunksPerRow;
    const int firstCol = (chunk - row * chunksPerRow) * 32;
    const int col = firstCol + lane;
    bool set = false;
    if (col < w.width) {
      const LinearTap ty = yt[w.y + row];
      const LinearTap tx = xt[w.x + col];
      const float* r0 = L + static_cast<size_t>(ty.i0) * regionW;
      const float* r1 = L + static_cast<size_t>(ty.i1) * regionW;
      const float h0 = r0[tx.i0] * tx.w0 + r0[tx.i1] * tx.w1;
      const float h1 = r1[tx.i0] * tx.w0 + r1[tx.i1] * tx.w1;
      set = h0 * ty.w0 + h1 * ty.w1 > 0.f;
    }
    const unsigned bits = __ballot_sync(0xffffffffu, set);
    const int byteInRow = firstCol / 8 + lane;
    if (lane < 4 && byteInRow < rowBytes)
      packed[w.packedOffset + static_cast<size_t>(row) * rowBytes + byteInRow] =
          static_cast<uint8_t>(bits >> (8 * lane));
  }
}

}  // namespace

void GpuMaskAssembler::enqueue(const std::vector<MaskRequest>& requests, cudaStream_t stream) {
  static_assert(sizeof(DeviceWindow) == sizeof(Window), "host and device window layouts differ");
  plans_.assign(requests.size(), ImagePlan{});
  copyRecorded_ = false;
  std::vector<std::vector<LinearTap>> xTaps(requests.size()), yTaps(requests.size());
  size_t staging = 0;
  uint64_t packedTotal = 0;
  size_t maxLogits = 0;
  for (size_t i = 0; i < requests.size(); ++i) {
    const MaskRequest& q = requests[i];
    ImagePlan& plan = plans_[i];
    plan.region = protoRegion(q.protoH, q.protoW, q.geometry);
    plan.packedBegin = packedTotal;
    for (int k = 0; k < q.count; ++k) {
      MaskWindow mw;
      Window w{};
      if (maskWindow(q.boxes + static_cast<size_t>(k) * q.boxStride, q.protoH, q.protoW, plan.region, q.geometry, mw)) {
        w = {mw.outCols.begin,
             mw.outRows.begin,
             mw.outCols.end - mw.outCols.begin,
             mw.outRows.end - mw.outRows.begin,
             mw.srcCols.begin,
             mw.srcCols.end,
             mw.srcRows.begin,
             mw.srcRows.end,
             0};
      }
      w.packedOffset = packedTotal;
      const uint64_t bytes = packedRowBytes(w.width) * static_cast<uint64_t>(w.height);
      if (bytes >= (uint64_t{1} << 28))
        throw std::invalid_argument("a mask window of 2^31 pixels or more is too large for the GPU");
      packedTotal += bytes;
      plan.windows.push_back(w);
    }
    plan.packedEnd = packedTotal;
    if (q.count == 0 || plan.region.height <= 0 || plan.region.width <= 0) continue;
    xTaps[i] = linearTaps(plan.region.width, q.geometry.outW, 0, q.geometry.outW);
    yTaps[i] = linearTaps(plan.region.height, q.geometry.outH, 0, q.geometry.outH);
    plan.windowsOffset = staging;
    staging = alignUp(staging + plan.windows.size() * sizeof(Window));
    plan.xTapsOffset = staging;
    staging = alignUp(staging + xTaps[i].size() * sizeof(LinearTap));
    plan.yTapsOffset = staging;
    staging = alignUp(staging + yTaps[i].size() * sizeof(LinearTap));
    maxLogits = std::max(maxLogits, static_cast<size_t>(q.count) * plan.region.height * plan.region.width);
  }
  if (staging == 0) return;  // no masks anywhere

  uint8_t* host = staging_.reserve(staging);
  for (size_t i = 0; i < requests.size(); ++i) {
    const ImagePlan& plan = plans_[i];
    if (xTaps[i].empty()) continue;
    std::memcpy(host + plan.windowsOffset, plan.windows.data(), plan.windows.size() * sizeof(Window));
    std::memcpy(host + plan.xTapsOffset, xTaps[i].data(), xTaps[i].size() * sizeof(LinearTap));
    std::memcpy(host + plan.yTapsOffset, yTaps[i].data(), yTaps[i].size() * sizeof(LinearTap));
  }
  uint8_t* tables = tables_.reserve(staging);
  begin_.record(stream);
  check(cudaMemcpyAsync(tables, host, staging, cudaMemcpyHostToDevice, stream), "cannot upload mask windows");
  float* logits = logits_.reserve(maxLogits);
  uint8_t* packed = packed_.reserve(std::max<uint64_t>(packedTotal, 1));

  for (size_t i = 0; i < requests.size(); ++i) {
    const MaskRequest& q = requests[i];
    const ImagePlan& plan = plans_[i];
    if (xTaps[i].empty()) continue;
    const auto* windows = reinterpret_cast<const DeviceWindow*>(tables + plan.windowsOffset);
    RegionParams p{
        plan.region.top, plan.region.left, plan.region.height, plan.region.width, q.protoW, q.protoH * q.protoW, q.nm,
        q.coefStride};
    const int cells = plan.region.height * plan.region.width;
    const dim3 logitGrid(std::min((cells + 255) / 256, 128), q.count);
    logitsKernel<<<logitGrid, 256, q.nm * sizeof(float), stream>>>(q.dProtos, q.dCoef, windows, p, logits);
    const dim3 pixelGrid(128, q.count);
    pixelKernel<<<pixelGrid, 256, 0, stream>>>(
        logits, windows, reinterpret_cast<const LinearTap*>(tables + plan.xTapsOffset),
        reinterpret_cast<const LinearTap*>(tables + plan.yTapsOffset), plan.region.width, cells, packed);
  }
  check(cudaGetLastError(), "mask kernel launch failed");
  kernelsDone_.record(stream);
  uint8_t* back = packedHost_.reserve(std::max<uint64_t>(packedTotal, 1));
  check(cudaMemcpyAsync(back, packed, packedTotal, cudaMemcpyDeviceToHost, stream), "cannot copy masks back");
  copied_.record(stream);
  copyRecorded_ = true;
}

std::vector<PackedCrops> GpuMaskAssembler::collect() const {
  std::vector<PackedCrops> out(plans_.size());
  const uint8_t* packed = packedHost_.data();
  for (size_t i = 0; i < plans_.size(); ++i) {
    const ImagePlan& plan = plans_[i];
    PackedCrops& set = out[i];
    const size_t n = plan.windows.size();
    set.windows.resize(n * 4);
    set.starts.resize(n);
    for (size_t k = 0; k < n; ++k) {
      const Window& w = plan.windows[k];
      set.windows[k * 4] = w.x;
      set.windows[k * 4 + 1] = w.y;
      set.windows[k * 4 + 2] = w.width;
      set.windows[k * 4 + 3] = w.height;
      set.starts[k] = static_cast<double>(w.packedOffset - plan.packedBegin);
    }
    set.packed.assign(packed + plan.packedBegin, packed + plan.packedEnd);
  }
  return out;
}

}  // namespace fastsam::cuda
