#include "engine_builder.h"

#include <memory>
#include <mutex>
#include <stdexcept>

#include "engine.h"
#include "engine_cache.h"
#include "tensorrt_api.h"

namespace fastsam::trt::FASTSAM_TRT_ABI {
namespace {

using namespace nvinfer1;

constexpr const char* kBuildingStage = "building engine (first time for this GPU and model: usually 1-5 minutes)";

// Forwards the fraction of the outermost phase TensorRT announces (nested phases only refine it).
class BuildMonitor : public IProgressMonitor {
 public:
  explicit BuildMonitor(const ProgressFn& progress) : progress_(progress) {}

  void phaseStart(const char* phaseName, const char* parentPhase, int32_t nbSteps) noexcept override {
    if (parentPhase || !phaseName) return;
    std::lock_guard<std::mutex> lock(mutex_);
    try {
      topPhase_ = phaseName;
    } catch (...) { return; }
    topSteps_ = nbSteps;
    lastPercent_ = -1;
    reportProgress(progress_, kBuildingStage, nbSteps > 0 ? 0.0 : -1.0);
  }

  bool stepComplete(const char* phaseName, int32_t step) noexcept override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!phaseName || topSteps_ <= 0 || topPhase_ != phaseName) return true;
    int percent = int(100.0 * (step + 1) / topSteps_);
    // TensorRT may report thousands of steps: only whole-percent changes reach the caller.
    if (percent != lastPercent_) {
      lastPercent_ = percent;
      reportProgress(progress_, kBuildingStage, percent > 100 ? 1.0 : percent / 100.0);
    }
    return true;  // never cancel
  }

  void phaseFinish(const char*) noexcept override {}

 private:
  const ProgressFn& progress_;
  std::mutex mutex_;
  std::string topPhase_;
  int32_t topSteps_ = 0;
  int lastPercent_ = -1;
};

std::string parseErrorMessage(const nvonnxparser::IParser& parser, const std::string& version, const Logger& logger) {
  std::string message = "TensorRT " + version + " cannot parse this ONNX model";
  int count = parser.getNbErrors();
  for (int i = 0; i < count; ++i) {
    const nvonnxparser::IParserError* error = parser.getError(i);
    if (!error) continue;
    message += i == 0 ? ": " : "; ";
    if (error->node() >= 0) {
      const char* op = error->nodeOperator();
      const char* name = error->nodeName();
      message += "node " + std::to_string(error->node()) + " (" + (op ? op : "?") + " '" + (name ? name : "") + "'): ";
    }
    message += error->desc() ? error->desc() : "unknown error";
  }
  if (count == 0) message = logger.explain(message);
  return message;
}

int rankOf(const ITensor& tensor) { return tensor.getDimensions().nbDims; }

// Checks the network against what ExecutionSlot binds: one float32 image input with a static size, and
// exactly two float32 outputs of rank 3 and 4 (in either order).
void checkNetworkIo(const INetworkDefinition& network, const BuildRequest& request) {
  if (network.getNbInputs() != 1) {
    throw std::invalid_argument("expected one image input, but the ONNX model has " +
                                std::to_string(network.getNbInputs()));
  }
  const ITensor& input = *network.getInput(0);
  Dims dims = input.getDimensions();
  std::string name = input.getName();
  if (dims.nbDims != 4) {
    throw std::invalid_argument("expected the input '" + name + "' to be [batch, 3, height, width], but it has rank " +
                                std::to_string(dims.nbDims));
  }
  if (dims.d[1] <= 0 || dims.d[2] <= 0 || dims.d[3] <= 0) throw std::invalid_argument(dynamicImageSizeMessage(name));
  bool dynamicBatch = dims.d[0] <= 0;
  if (dynamicBatch != request.dynamicBatch || (!dynamicBatch && dims.d[0] != request.maxBatch)) {
    throw std::logic_error("the ONNX batch dimension read by TensorRT differs from the one read before the build");
  }
  if (input.getType() != DataType::kFLOAT) throw std::invalid_argument(floatIoMessage(name));

  if (network.getNbOutputs() != 2) {
    throw std::invalid_argument(
        "expected two outputs (detections [B, 4+classes+masks, anchors] and mask prototypes "
        "[B, masks, h, w]), but the ONNX model has " +
        std::to_string(network.getNbOutputs()));
  }
  int rank3 = 0, rank4 = 0;
  for (int i = 0; i < 2; ++i) {
    const ITensor& output = *network.getOutput(i);
    rank3 += rankOf(output) == 3;
    rank4 += rankOf(output) == 4;
    if (output.getType() != DataType::kFLOAT) throw std::invalid_argument(floatIoMessage(output.getName()));
  }
  if (rank3 != 1 || rank4 != 1) {
    throw std::invalid_argument("expected one rank-3 output (detections) and one rank-4 output (mask prototypes)");
  }
}

#if NV_TENSORRT_MAJOR >= 11
// Strongly typed networks run in the types the ONNX declares: FP16 only where the ONNX has FP16 tensors.
bool hasHalfTensors(const INetworkDefinition& network) {
  for (int i = 0; i < network.getNbLayers(); ++i) {
    const ILayer& layer = *network.getLayer(i);
    for (int j = 0; j < layer.getNbOutputs(); ++j) {
      DataType type = layer.getOutput(j)->getType();
      if (type == DataType::kHALF || type == DataType::kBF16) return true;
    }
  }
  return false;
}
#endif

// Sets the precision flags; returns what the engine will compute in.
Precision choosePrecision(IBuilder& builder, IBuilderConfig& config, const INetworkDefinition& network,
                          const BuildRequest& request) {
  // TF32 is on by default; an FP32 request means "as close to ONNX Runtime's float32 as possible".
  if (request.precision == Precision::FP32) config.clearFlag(BuilderFlag::kTF32);
#if NV_TENSORRT_MAJOR >= 11
  (void)builder;
  bool half = hasHalfTensors(network);
  if (request.precision == Precision::FP16 && !half) {
    reportProgress(request.progress,
                   "TensorRT 11 builds strongly typed networks: this ONNX is float32, so the engine is FP32", -1);
  }
  return half ? Precision::FP16 : Precision::FP32;
#else
  (void)network;
  if (request.precision != Precision::FP16) return Precision::FP32;
    // Both are deprecated in late TensorRT 10 (in favour of strong typing) but are the way to get FP16
    // from a float32 ONNX until TensorRT 11.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  bool fastFp16 = builder.platformHasFastFp16();
  if (fastFp16) config.setFlag(BuilderFlag::kFP16);
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
  if (!fastFp16) reportProgress(request.progress, "this GPU has no fast FP16: the engine is FP32", -1);
  return fastFp16 ? Precision::FP16 : Precision::FP32;
#endif
}

void addBatchProfile(IBuilder& builder, IBuilderConfig& config, const INetworkDefinition& network, int maxBatch) {
  const ITensor& input = *network.getInput(0);
  Dims dims = input.getDimensions();
  auto withBatch = [&](int64_t batch) {
    Dims d = dims;
    d.d[0] = batch;
    return d;
  };
  IOptimizationProfile* profile = builder.createOptimizationProfile();  // owned by the builder
  // opt = maxBatch: a caller who asks for batches wants full batches to be fastest; with maxBatch 1
  // (the default) this is the single-image latency case anyway.
  bool ok = profile && profile->setDimensions(input.getName(), OptProfileSelector::kMIN, withBatch(1)) &&
            profile->setDimensions(input.getName(), OptProfileSelector::kOPT, withBatch(maxBatch)) &&
            profile->setDimensions(input.getName(), OptProfileSelector::kMAX, withBatch(maxBatch)) &&
            config.addOptimizationProfile(profile) >= 0;
  if (!ok)
    throw std::runtime_error("cannot set the TensorRT optimisation profile for batch 1.." + std::to_string(maxBatch));
}

// The persisted timing cache makes rebuilds (another maxBatch, precision or model on this GPU) faster.
// Unreadable, corrupt or mismatched bytes are dropped: the build then starts with an empty cache.
std::unique_ptr<ITimingCache> attachTimingCache(IBuilderConfig& config, const BuildRequest& request, Logger& logger) {
  std::unique_ptr<ITimingCache> cache;
  if (!request.timingCachePath.empty()) {
    auto bytes = readFileBytes(request.timingCachePath);
    if (bytes && !bytes->empty()) {
      cache.reset(config.createTimingCache(bytes->data(), bytes->size()));
      if (cache && !config.setTimingCache(*cache, false)) cache.reset();
      if (!cache) reportProgress(request.progress, "ignoring an unusable timing cache", -1);
    }
  }
  if (!cache) {
    cache.reset(config.createTimingCache(nullptr, 0));
    if (cache && !config.setTimingCache(*cache, true)) cache.reset();
  }
  logger.clear();  // errors from rejected cache bytes are not errors of this build
  return cache;
}

void saveTimingCache(const IBuilderConfig& config, const BuildRequest& request) {
  if (request.timingCachePath.empty()) return;
  const ITimingCache* cache = config.getTimingCache();
  std::unique_ptr<IHostMemory> blob(cache ? cache->serialize() : nullptr);
  if (!blob || blob->size() == 0) return;
  const uint8_t* data = static_cast<const uint8_t*>(blob->data());
  try {
    writeFileAtomic(request.timingCachePath, std::vector<uint8_t>(data, data + blob->size()));
  } catch (const std::exception& e) {
    reportProgress(request.progress, std::string("could not save the timing cache: ") + e.what(), -1);
  }
}

}  // namespace

std::string dynamicImageSizeMessage(const std::string& inputName) {
  return "the ONNX input '" + inputName +
         "' has a dynamic channel count, height or width; TensorRT engines here need a fixed image size: "
         "export the model with a fixed imgsz (e.g. `yolo export model=FastSAM-s.pt format=onnx imgsz=640`, "
         "without dynamic=True)";
}

std::string floatIoMessage(const std::string& tensorName) {
  return "the ONNX tensor '" + tensorName +
         "' is not float32; the TensorRT backend needs float32 inputs and outputs (export without half=True; "
         "for an FP16 ONNX on TensorRT 11, keep the IO types float32)";
}

BuildResult buildSerializedEngine(const std::vector<uint8_t>& onnx, const BuildRequest& request,
                                  const TensorRtLibrary& library, Logger& logger) {
  std::string why;
  const OnnxParserLibrary* parserLibrary = openOnnxParser(library.major, &why);
  if (!parserLibrary) {
    throw TensorRtUnavailable("building an engine needs TensorRT's ONNX parser, which is not usable here (" + why +
                              "): install it next to " + library.file + " (a cached engine loads without it)");
  }
  logger.clear();
  // What the headers' inline createInferBuilder / createParser do, through the libraries opened at run time.
  ILogger* trtLogger = &logger;
  std::unique_ptr<IBuilder> builder(static_cast<IBuilder*>(library.createInferBuilder(trtLogger, NV_TENSORRT_VERSION)));
  if (!builder) throw std::runtime_error(logger.explain("cannot create the TensorRT builder"));
  // TensorRT 10: weakly typed (the builder flags pick FP16). TensorRT 11: every network is strongly typed
  // and kSTRONGLY_TYPED is a deprecated no-op, so no flag is needed for it either.
  std::unique_ptr<INetworkDefinition> network(builder->createNetworkV2(0U));
  if (!network) throw std::runtime_error(logger.explain("cannot create a TensorRT network"));
  // The parser owns the weights the network points to: it must live until the build is done.
  std::unique_ptr<nvonnxparser::IParser> parser(static_cast<nvonnxparser::IParser*>(
      parserLibrary->createParser(network.get(), trtLogger, NV_ONNX_PARSER_VERSION)));
  if (!parser) throw std::runtime_error(logger.explain("cannot create the TensorRT ONNX parser"));

  reportProgress(request.progress, "parsing ONNX", -1);
  if (!parser->parse(onnx.data(), onnx.size()))
    throw std::invalid_argument(parseErrorMessage(*parser, library.version, logger));
  checkNetworkIo(*network, request);

  BuildMonitor monitor(request.progress);     // must outlive the config's use of it
  std::unique_ptr<ITimingCache> timingCache;  // declared before the config that refers to it
  std::unique_ptr<IBuilderConfig> config(builder->createBuilderConfig());
  if (!config) throw std::runtime_error(logger.explain("cannot create the TensorRT builder config"));
  Precision precision = choosePrecision(*builder, *config, *network, request);
  if (request.dynamicBatch) addBatchProfile(*builder, *config, *network, request.maxBatch);
  timingCache = attachTimingCache(*config, request, logger);
  config->setProgressMonitor(&monitor);

  reportProgress(request.progress, kBuildingStage, -1);
  std::unique_ptr<IHostMemory> serialized(builder->buildSerializedNetwork(*network, *config));
  config->setProgressMonitor(nullptr);
  if (!serialized || serialized->size() == 0) {
    throw std::runtime_error(logger.explain("TensorRT could not build the engine"));
  }
  saveTimingCache(*config, request);

  const uint8_t* data = static_cast<const uint8_t*>(serialized->data());
  return {std::vector<uint8_t>(data, data + serialized->size()), precision};
}

}  // namespace fastsam::trt::FASTSAM_TRT_ABI
