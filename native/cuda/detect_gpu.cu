#include "detect_gpu.h"

#include <cub/device/device_radix_sort.cuh>

#include <algorithm>
#include <cmath>

#include "../core/geometry.h"

namespace fastsam::cuda {

namespace {

// Sorts after every candidate, whatever conf is: a candidate's score is > conf >= -inf.
constexpr float kNotCandidate = -INFINITY;
constexpr int kBlockBits = 64;

// Best class per anchor (first maximum, NaN drops the anchor), threshold, class filter.
__global__ void scoreKernel(const float* __restrict__ out, int anchors, int nc, float conf,
                            const uint8_t* __restrict__ allowed, float* scores, int32_t* classes, int32_t* order,
                            int32_t* counters) {
  const int a = blockIdx.x * blockDim.x + threadIdx.x;
  if (a >= anchors) return;
  int best = 0;
  float score = 0.f;
  const bool pass = bestCandidate(
      out, static_cast<size_t>(anchors), a, nc, conf, [&](int c) { return allowed == nullptr || allowed[c] != 0; },
      best, score);
  scores[a] = pass ? score : kNotCandidate;
  classes[a] = best;
  order[a] = a;
  if (pass) atomicAdd(&counters[0], 1);
}

// Candidates in sorted order: xyxy box and the class-offset box NMS compares.
__global__ void gatherKernel(const float* __restrict__ out, int anchors, const int32_t* __restrict__ sortedOrder,
                             const int32_t* __restrict__ classes, const int32_t* counters, int maxNms, bool agnostic,
                             float* boxes) {
  const int k = blockIdx.x * blockDim.x + threadIdx.x;
  const int n = min(counters[0], maxNms);
  if (k >= n) return;
  const int a = sortedOrder[k];
  const size_t stride = static_cast<size_t>(anchors);
  float* b = boxes + static_cast<size_t>(k) * 8;
  decodeBox(out[a], out[stride + a], out[2 * stride + a], out[3 * stride + a], b);
  const float offset = agnostic ? 0.f : static_cast<float>(classes[a]) * kMaxWh;
  for (int i = 0; i < 4; ++i) b[4 + i] = b[i] + offset;
}

// Bit j of word (i, block) is set when candidate i (higher score) suppresses candidate j > i.
__global__ void overlapKernel(const float* __restrict__ boxes, const int32_t* counters, int maxNms, int words,
                              float iou, uint64_t* overlap) {
  const int rowBlock = blockIdx.y, colBlock = blockIdx.x;
  const int n = min(counters[0], maxNms);
  if (colBlock < rowBlock || rowBlock * kBlockBits >= n || colBlock * kBlockBits >= n) return;
  __shared__ float cols[kBlockBits * 4];
  const int colCount = min(kBlockBits, n - colBlock * kBlockBits);
  if (threadIdx.x < colCount) {
    for (int k = 0; k < 4; ++k)
      cols[threadIdx.x * 4 + k] = boxes[(static_cast<size_t>(colBlock) * kBlockBits + threadIdx.x) * 8 + 4 + k];
  }
  __syncthreads();
  const int i = rowBlock * kBlockBits + threadIdx.x;
  if (i >= n) return;
  const float* mine = boxes + static_cast<size_t>(i) * 8 + 4;
  uint64_t bits = 0;
  for (int jj = 0; jj < colCount; ++jj) {
    const int j = colBlock * kBlockBits + jj;
    if (j > i && boxIou(mine, &cols[jj * 4]) > iou) bits |= 1ull << jj;
  }
  overlap[static_cast<size_t>(i) * words + colBlock] = bits;
}

// The greedy pass, in score order, on one block: a candidate is kept unless a kept one suppressed it.
__global__ void reduceKernel(const uint64_t* __restrict__ overlap, int32_t* counters, int maxNms, int words, int maxDet,
                             int32_t* kept) {
  extern __shared__ uint64_t removed[];
  const int n = min(counters[0], maxNms);
  const int used = (n + kBlockBits - 1) / kBlockBits;  // words the overlap kernel wrote for these candidates
  for (int w = threadIdx.x; w < used; w += blockDim.x) removed[w] = 0;
  __syncthreads();
  int count = 0;  // every thread counts alike, so the loop's branches stay uniform
  for (int i = 0; i < n && count < maxDet; ++i) {
    if ((removed[i / kBlockBits] >> (i % kBlockBits)) & 1ull) continue;
    __syncthreads();  // every thread has read the word above before any thread ORs into it
    if (threadIdx.x == 0) kept[count] = i;
    ++count;
    const uint64_t* row = overlap + static_cast<size_t>(i) * words;
    for (int w = i / kBlockBits + threadIdx.x; w < used; w += blockDim.x) removed[w] |= row[w];
    __syncthreads();
  }
  if (threadIdx.x == 0) counters[1] = count;
}

struct FinalizeParams {
  int anchors, nc, nm;
  bool fullImageBox;
  int inputH, inputW, origH, origW;
  ScaleGeometry scale;
};

// Kept candidates -> detections: full-image box and scale_boxes (geometry.h), coefficients.
__global__ void finalizeKernel(const float* __restrict__ out, const float* __restrict__ boxes,
                               const float* __restrict__ sortedScores, const int32_t* __restrict__ sortedOrder,
                               const int32_t* __restrict__ classes, const int32_t* __restrict__ kept,
                               const int32_t* counters, FinalizeParams p, DetectionSlot slot) {
  const int k = blockIdx.x * blockDim.x + threadIdx.x;
  const int count = counters[1];
  if (k == 0) *slot.count = count;
  if (k >= count) return;
  const int i = kept[k];
  const int anchor = sortedOrder[i];
  float box[4];
  for (int c = 0; c < 4; ++c) box[c] = boxes[static_cast<size_t>(i) * 8 + c];
  int cls = classes[anchor];
  if (p.fullImageBox && fullImageBox(box, p.inputH, p.inputW)) cls = 0;
  float* v = slot.values + static_cast<size_t>(k) * detectionStride(p.nm);
  for (int c = 0; c < 4; ++c) v[4 + c] = v[c] = box[c];
  scaleBox(v, p.scale, p.origH, p.origW);
  v[8] = sortedScores[i];
  v[9] = static_cast<float>(cls);
  const size_t stride = static_cast<size_t>(p.anchors);
  for (int c = 0; c < p.nm; ++c) v[10 + c] = out[static_cast<size_t>(4 + p.nc + c) * stride + anchor];
}

int blocksFor(size_t n, int threads) { return static_cast<int>((n + threads - 1) / threads); }

}  // namespace

void GpuDetector::enqueue(const float* dOutput0, int rows, int anchors, const PostprocessOptions& options,
                          DetectionSlot slot, cudaStream_t stream) {
  const NmsOptions& nms = options.nms;
  if (nms.multiLabel) throw std::invalid_argument("multi-label NMS runs on the CPU only");
  const int nc = options.nc, nm = rows - 4 - nc;
  if (nc < 1 || nm < 0 || anchors < 1) throw std::invalid_argument("output0 has too few rows for its classes");
  const int maxNms = std::min(anchors, nms.maxNms);
  const int words = (maxNms + kBlockBits - 1) / kBlockBits;

  float* scores = scores_.reserve(anchors);
  float* sortedScores = sortedScores_.reserve(anchors);
  int32_t* classes = classes_.reserve(anchors);
  int32_t* order = order_.reserve(anchors);
  int32_t* sortedOrder = sortedOrder_.reserve(anchors);
  float* boxes = boxes_.reserve(static_cast<size_t>(maxNms) * 8);
  uint64_t* overlap = overlap_.reserve(static_cast<size_t>(maxNms) * words);
  int32_t* kept = kept_.reserve(std::max(1, nms.maxDet));
  int32_t* counters = counters_.reserve(2);

  const uint8_t* allowed = nullptr;
  if (!nms.classes.empty()) {
    allowedHost_.assign(nc, 0);
    for (int c : nms.classes)
      if (c >= 0 && c < nc) allowedHost_[c] = 1;
    allowed = allowedClasses_.reserve(nc);
    // Pageable source: the copy is staged before this returns, so allowedHost_ may change afterwards.
    check(cudaMemcpyAsync(allowedClasses_.data(), allowedHost_.data(), nc, cudaMemcpyHostToDevice, stream),
          "cannot upload the class filter");
  }
  check(cudaMemsetAsync(counters, 0, 2 * sizeof(int32_t), stream), "cannot reset the NMS counters");

  constexpr int kThreads = 256;
  scoreKernel<<<blocksFor(anchors, kThreads), kThreads, 0, stream>>>(dOutput0, anchors, nc, nms.confThreshold, allowed,
                                                                     scores, classes, order, counters);
  // Stable descending radix sort: equal scores keep anchor order, as std::stable_sort does on the CPU.
  size_t scratchBytes = 0;
  check(cub::DeviceRadixSort::SortPairsDescending(nullptr, scratchBytes, scores, sortedScores, order, sortedOrder,
                                                  anchors, 0, 32, stream),
        "cannot size the candidate sort");
  uint8_t* scratch = sortScratch_.reserve(scratchBytes);
  check(cub::DeviceRadixSort::SortPairsDescending(scratch, scratchBytes, scores, sortedScores, order, sortedOrder,
                                                  anchors, 0, 32, stream),
        "candidate sort failed");
  gatherKernel<<<blocksFor(maxNms, kThreads), kThreads, 0, stream>>>(dOutput0, anchors, sortedOrder, classes, counters,
                                                                     maxNms, nms.agnostic, boxes);
  const dim3 grid(words, words);
  overlapKernel<<<grid, kBlockBits, 0, stream>>>(boxes, counters, maxNms, words, nms.iouThreshold, overlap);
  reduceKernel<<<1, 512, words * sizeof(uint64_t), stream>>>(overlap, counters, maxNms, words, nms.maxDet, kept);

  FinalizeParams p;
  p.anchors = anchors;
  p.nc = nc;
  p.nm = nm;
  p.fullImageBox = options.fullImageBox;
  p.inputH = options.inputH;
  p.inputW = options.inputW;
  p.origH = options.origH;
  p.origW = options.origW;
  p.scale = scaleGeometry(options.inputH, options.inputW, options.origH, options.origW);
  finalizeKernel<<<blocksFor(std::max(1, nms.maxDet), 128), 128, 0, stream>>>(
      dOutput0, boxes, sortedScores, sortedOrder, classes, kept, counters, p, slot);
  check(cudaGetLastError(), "detection kernel launch failed");
}

}  // namespace fastsam::cuda
