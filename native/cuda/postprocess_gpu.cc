#include "postprocess_gpu.h"

#include <stdexcept>

namespace fastsam::cuda {

namespace {

// Per image in the slots block: an int count (padded to 16 bytes), then maxDet detections.
size_t slotBytes(int maxDet, int nm) { return 16 + static_cast<size_t>(maxDet) * detectionStride(nm) * sizeof(float); }

ImageDetections readDetections(const uint8_t* slot, int maxDet, int nm) {
  int count = *reinterpret_cast<const int*>(slot);
  if (count < 0 || count > maxDet) throw std::runtime_error("GPU detection count out of range");
  const float* v = reinterpret_cast<const float*>(slot + 16);
  const int stride = detectionStride(nm);
  ImageDetections d;
  d.nm = nm;
  d.boxes.resize(static_cast<size_t>(count) * 4);
  d.inputBoxes.resize(static_cast<size_t>(count) * 4);
  d.conf.resize(count);
  d.cls.resize(count);
  d.coef.resize(static_cast<size_t>(count) * nm);
  for (int k = 0; k < count; ++k) {
    const float* row = v + static_cast<size_t>(k) * stride;
    for (int c = 0; c < 4; ++c) {
      d.boxes[k * 4 + c] = row[c];
      d.inputBoxes[k * 4 + c] = row[4 + c];
    }
    d.conf[k] = row[8];
    d.cls[k] = row[9];
    for (int c = 0; c < nm; ++c) d.coef[static_cast<size_t>(k) * nm + c] = row[10 + c];
  }
  return d;
}

}  // namespace

std::vector<ImageResult> GpuPostprocessor::run(const BatchOutputs& outputs, const BatchRequest& request,
                                               cudaStream_t stream, StageTimes* times) {
  const int batch = static_cast<int>(request.origSizes.size());
  const int maxDet = request.options.nms.maxDet;
  if (maxDet < 1) throw std::invalid_argument("maxDet must be at least 1");
  if (outputs.rows - 4 - request.options.nc != outputs.nm)
    throw std::invalid_argument("output0 rows do not match the prototypes");
  const size_t perSlot = slotBytes(maxDet, outputs.nm);
  uint8_t* slots = slots_.reserve(perSlot * batch);

  start_.record(stream);
  // The whole block is copied back in one go, unused detection rows included: make those defined bytes.
  check(cudaMemsetAsync(slots, 0, perSlot * batch, stream), "cannot clear the detection slots");
  for (int b = 0; b < batch; ++b) {
    PostprocessOptions options = request.options;
    options.origH = request.origSizes[b].first;
    options.origW = request.origSizes[b].second;
    uint8_t* slot = slots + perSlot * b;
    detector_.enqueue(outputs.dOutput0 + static_cast<size_t>(b) * outputs.rows * outputs.anchors, outputs.rows,
                      outputs.anchors, options,
                      DetectionSlot{reinterpret_cast<int*>(slot), reinterpret_cast<float*>(slot + 16)}, stream);
  }
  uint8_t* host = slotsHost_.reserve(perSlot * batch);
  check(cudaMemcpyAsync(host, slots, perSlot * batch, cudaMemcpyDeviceToHost, stream), "cannot copy detections back");
  detected_.record(stream);
  check(cudaStreamSynchronize(stream), "GPU post-processing failed");

  std::vector<ImageResult> results(batch);
  for (int b = 0; b < batch; ++b) results[b].detections = readDetections(host + perSlot * b, maxDet, outputs.nm);
  if (times) times->detect = detected_.since(start_);
  if (!request.masks) return results;

  std::vector<MaskRequest> masks(batch);
  const size_t protoSize = static_cast<size_t>(outputs.nm) * outputs.protoH * outputs.protoW;
  for (int b = 0; b < batch; ++b) {
    const ImageDetections& d = results[b].detections;
    MaskRequest& q = masks[b];
    q.dProtos = outputs.dProtos + protoSize * b;
    q.nm = outputs.nm;
    q.protoH = outputs.protoH;
    q.protoW = outputs.protoW;
    q.geometry.mode = request.maskMode;
    q.geometry.inputH = request.options.inputH;
    q.geometry.inputW = request.options.inputW;
    const bool native = request.maskMode == MaskMode::Native;
    q.geometry.outH = native ? request.origSizes[b].first : request.options.inputH;
    q.geometry.outW = native ? request.origSizes[b].second : request.options.inputW;
    // The coefficients stay on the device, in the detection slots.
    q.dCoef = reinterpret_cast<const float*>(slots + perSlot * b + 16) + 10;
    q.coefStride = detectionStride(outputs.nm);
    q.boxes = native ? d.boxes.data() : d.inputBoxes.data();
    q.boxStride = 4;
    q.count = static_cast<int>(d.count());
  }
  assembler_.enqueue(masks, stream);
  assembled_.record(stream);
  check(cudaStreamSynchronize(stream), "GPU mask assembly failed");
  if (times) {
    times->masks = assembled_.since(detected_);
    times->masksKernels = assembler_.kernelsMs();
    times->masksCopy = assembler_.copyMs();
  }
  std::vector<PackedCrops> crops = assembler_.collect();
  for (int b = 0; b < batch; ++b) results[b].masks = std::move(crops[b]);
  return results;
}

}  // namespace fastsam::cuda
