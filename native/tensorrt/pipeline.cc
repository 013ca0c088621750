#include "pipeline.h"

#include <algorithm>
#include <stdexcept>

namespace fastsam::trt {

Pipeline::Pipeline(std::unique_ptr<Engine> engine, int device) : engine_(std::move(engine)), device_(device) {}

std::vector<cuda::ImageResult> Pipeline::predict(const std::vector<cuda::HostImage>& images,
                                                 const PredictRequest& request, PredictTimes* times) {
  cuda::DeviceScope scope(device_);
  auto lane = lanes_.acquire([this] {
    auto made = std::make_unique<Lane>();
    made->slot = engine_->createSlot();
    return made;
  });
  return cuda::withLane(lane, [&](Lane& leased) {
    std::vector<cuda::ImageResult> out;
    out.reserve(images.size());
    const size_t step = static_cast<size_t>(engine_->maxBatch());
    for (size_t begin = 0; begin < images.size(); begin += step) {
      const std::vector<cuda::HostImage> chunk(images.begin() + begin,
                                               images.begin() + std::min(images.size(), begin + step));
      runChunk(leased, chunk, request, out, times);
    }
    return out;
  });
}

Pipeline::~Pipeline() {
  // The lanes' streams and buffers (destroyed after this body) live on this pipeline's device.
  cudaSetDevice(device_);
}

void Pipeline::runChunk(Lane& lane, const std::vector<cuda::HostImage>& images, const PredictRequest& request,
                        std::vector<cuda::ImageResult>& out, PredictTimes* times) {
  const TensorShape input = engine_->inputShape();
  const OutputLayout layout = engine_->outputLayout();
  cudaStream_t stream = lane.stream.get();

  // The reference's square letterbox (auto=False), as for a static ONNX on the CPU path.
  std::vector<LetterboxGeometry> geometries;
  cuda::BatchRequest batch;
  batch.options = request.options;
  batch.options.inputH = input.height;
  batch.options.inputW = input.width;
  batch.maskMode = request.maskMode;
  batch.masks = request.masks;
  for (const cuda::HostImage& image : images) {
    const LetterboxGeometry g = computeLetterbox(image.height, image.width, input.height, input.width, false, true, 32);
    if (g.unpadWidth < 1 || g.unpadHeight < 1)
      throw std::invalid_argument("an image is too thin to letterbox to the model's input");
    geometries.push_back(g);
    batch.origSizes.emplace_back(image.height, image.width);
  }

  lane.letterbox.stage(images, geometries, input.height, input.width);  // host copy into pinned memory
  lane.start.record(stream);
  lane.letterbox.enqueue(lane.slot->input(), stream);
  lane.letterboxed.record(stream);
  lane.slot->enqueue(static_cast<int>(images.size()), stream);
  lane.inferred.record(stream);

  cuda::BatchOutputs outputs{lane.slot->output0(), layout.rows,  layout.anchors, lane.slot->output1(), layout.nm,
                             layout.protoH,        layout.protoW};
  cuda::StageTimes stages;
  std::vector<cuda::ImageResult> results = lane.postprocessor.run(outputs, batch, stream, &stages);
  if (times) {
    times->letterbox += lane.letterboxed.since(lane.start);
    times->inference += lane.inferred.since(lane.letterboxed);
    times->detect += stages.detect;
    times->masks += stages.masks;
  }
  for (cuda::ImageResult& r : results) out.push_back(std::move(r));
}

}  // namespace fastsam::trt
