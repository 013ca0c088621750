// The engine layer for one TensorRT major: compiled once per major the addon supports, each time inside
// its own namespace (tensorrt_api.h), and reached through the Engine interface (engine.h).
#include <filesystem>
#include <mutex>
#include <stdexcept>
#include <system_error>

#include "../cuda/cuda_resources.h"
#include "engine.h"
#include "engine_abi.h"
#include "engine_builder.h"
#include "engine_cache.h"
#include "logger.h"
#include "onnx_input.h"
#include "tensorrt_api.h"
#include "tensorrt_library.h"

namespace fastsam::trt::FASTSAM_TRT_ABI {

using nvinfer1::DataType;
using nvinfer1::Dims;
using nvinfer1::TensorIOMode;

namespace {

// What the engine and every slot share. Members are destroyed in reverse order, so the logger outlives
// the runtime, which outlives the engine (TensorRT requires both).
struct State {
  explicit State(int device) : device(device) {}
  ~State() {
    try {
      cuda::DeviceScope scope(device);  // free GPU memory on the device it lives on
      engine.reset();
      runtime.reset();
    } catch (...) {
      // The device is gone: members are released below without the scope.
    }
  }

  int device;
  Logger logger;
  std::unique_ptr<nvinfer1::IRuntime> runtime;
  std::unique_ptr<nvinfer1::ICudaEngine> engine;
  std::string inputName, output0Name, output1Name;
  TensorShape input{};
  OutputLayout layout{};
  bool dynamicBatch = false;

  // TensorRT: with dynamic shapes, contexts in concurrent use need separate optimisation profiles. The
  // engine has one (batch 1..maxBatch), so the first live slot uses `engine` and every further slot
  // deserializes its own copy from `plan` (kept only for dynamic-batch engines; costs one more copy of
  // the weights on the GPU per extra slot, and no extra build time).
  std::vector<uint8_t> plan;
  bool primaryInUse = false;
  std::mutex mutex;  // guards primaryInUse and the creation of contexts and engine copies
};

class Slot final : public ExecutionSlot {
 public:
  ~Slot() override {
    if (!state) return;
    try {
      cuda::DeviceScope scope(state->device);
      context.reset();
      ownEngine.reset();
      inputBuffer = cuda::DeviceBuffer<float>();
      output0Buffer = cuda::DeviceBuffer<float>();
      output1Buffer = cuda::DeviceBuffer<float>();
    } catch (...) {}
    if (usesPrimary) {
      std::lock_guard<std::mutex> lock(state->mutex);
      state->primaryInUse = false;
    }
  }

  float* input() override { return inputBuffer.data(); }
  const float* output0() const override { return output0Buffer.data(); }
  const float* output1() const override { return output1Buffer.data(); }
  void enqueue(int batch, cudaStream_t stream) override;

  // Declaration order is destruction order reversed: context, then ownEngine, then the shared state.
  std::shared_ptr<State> state;
  std::unique_ptr<nvinfer1::ICudaEngine> ownEngine;  // only for extra slots of a dynamic-batch engine
  bool usesPrimary = false;
  std::unique_ptr<nvinfer1::IExecutionContext> context;
  cuda::DeviceBuffer<float> inputBuffer, output0Buffer, output1Buffer;
  int boundBatch = 0;  // the batch last given to setInputShape (dynamic-batch engines)
};

class TrtEngine final : public Engine {
 public:
  TrtEngine(std::shared_ptr<State> state, bool fromCache) : state_(std::move(state)), fromCache_(fromCache) {}

  TensorShape inputShape() const override { return state_->input; }
  OutputLayout outputLayout() const override { return state_->layout; }
  int maxBatch() const override { return state_->input.batch; }
  bool fromCache() const override { return fromCache_; }
  std::unique_ptr<ExecutionSlot> createSlot() override;

 private:
  std::shared_ptr<State> state_;
  bool fromCache_;
};

size_t count(int64_t a, int64_t b, int64_t c, int64_t d = 1) { return size_t(a) * size_t(b) * size_t(c) * size_t(d); }

// Reads the IO tensors back from the engine (the only source of truth for a cached engine): one float32
// input [B,C,H,W], a rank-3 output0 and a rank-4 output1, found by rank rather than by name or order.
void describeIo(State& s) {
  const nvinfer1::ICudaEngine& engine = *s.engine;
  int inputs = 0;
  for (int i = 0; i < engine.getNbIOTensors(); ++i) {
    const char* name = engine.getIOTensorName(i);
    Dims dims = engine.getTensorShape(name);
    if (engine.getTensorDataType(name) != DataType::kFLOAT) throw std::invalid_argument(floatIoMessage(name));
    if (engine.getTensorIOMode(name) == TensorIOMode::kINPUT) {
      ++inputs;
      s.inputName = name;
      if (dims.nbDims != 4 || dims.d[1] <= 0 || dims.d[2] <= 0 || dims.d[3] <= 0) {
        throw std::invalid_argument(dynamicImageSizeMessage(name));
      }
      if (dims.d[1] != 3)
        throw std::invalid_argument(std::string("expected the engine input '") + name + "' to have 3 channels");
      s.dynamicBatch = dims.d[0] <= 0;
      int64_t batch = dims.d[0];
      if (s.dynamicBatch) batch = engine.getProfileShape(name, 0, nvinfer1::OptProfileSelector::kMAX).d[0];
      s.input = {int(batch), int(dims.d[1]), int(dims.d[2]), int(dims.d[3])};
    } else if (dims.nbDims == 3 && s.output0Name.empty()) {
      s.output0Name = name;
      s.layout.rows = int(dims.d[1]);
      s.layout.anchors = int(dims.d[2]);
    } else if (dims.nbDims == 4 && s.output1Name.empty()) {
      s.output1Name = name;
      s.layout.nm = int(dims.d[1]);
      s.layout.protoH = int(dims.d[2]);
      s.layout.protoW = int(dims.d[3]);
    } else {
      throw std::invalid_argument(std::string("unexpected output '") + name +
                                  "': expected one rank-3 and one rank-4 output");
    }
  }
  const OutputLayout& l = s.layout;
  if (inputs != 1 || s.output0Name.empty() || s.output1Name.empty() || s.input.batch < 1 || l.rows <= 0 ||
      l.anchors <= 0 || l.nm <= 0 || l.protoH <= 0 || l.protoW <= 0) {
    throw std::invalid_argument(
        "the engine's inputs and outputs are not a YOLOv8-seg layout: one input [B,3,H,W], "
        "output0 [B,rows,anchors] and output1 [B,masks,h,w] with static sizes");
  }
}

std::unique_ptr<nvinfer1::ICudaEngine> deserialize(State& s, const std::vector<uint8_t>& plan) {
  return std::unique_ptr<nvinfer1::ICudaEngine>(s.runtime->deserializeCudaEngine(plan.data(), plan.size()));
}

bool fileExists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

}  // namespace

std::string headerVersion() {
  return std::to_string(NV_TENSORRT_MAJOR) + "." + std::to_string(NV_TENSORRT_MINOR) + "." +
         std::to_string(NV_TENSORRT_PATCH);
}

// ---- Engine ----

std::unique_ptr<Engine> loadEngine(const std::vector<uint8_t>& onnx, const EngineOptions& options,
                                   const TensorRtLibrary& library) {
  const ProgressFn& progress = options.progress;
  if (options.maxBatch < 1) throw std::invalid_argument("maxBatch must be at least 1");
  if (options.device < 0) throw std::invalid_argument("device must be a CUDA device index (0, 1, ...)");

  // Shapes first, from the ONNX bytes: the cache key needs them, and a cache hit then needs no builder.
  std::string why;
  std::optional<OnnxInput> onnxInput = readOnnxInput(onnx.data(), onnx.size(), &why);
  if (!onnxInput) throw std::invalid_argument(why);
  const std::vector<int64_t>& dims = onnxInput->dims;
  if (dims.size() != 4) {
    throw std::invalid_argument("expected the input '" + onnxInput->name +
                                "' to be [batch, 3, height, width], but it has rank " + std::to_string(dims.size()));
  }
  if (dims[1] <= 0 || dims[2] <= 0 || dims[3] <= 0)
    throw std::invalid_argument(dynamicImageSizeMessage(onnxInput->name));
  // The letterbox kernel writes 3 x H x W floats per image: any other channel count would overrun the input.
  if (dims[1] != 3) {
    throw std::invalid_argument("expected the input '" + onnxInput->name + "' to have 3 (RGB) channels, not " +
                                std::to_string(dims[1]));
  }
  constexpr int64_t kLargestSide = 1 << 15;
  if (dims[1] > 64 || dims[2] > kLargestSide || dims[3] > kLargestSide || dims[0] > 4096) {
    throw std::invalid_argument("the ONNX input '" + onnxInput->name + "' is implausibly large");
  }
  if (onnxInput->elemType != 1) throw std::invalid_argument(floatIoMessage(onnxInput->name));
  bool dynamicBatch = dims[0] <= 0;
  int maxBatch = dynamicBatch ? options.maxBatch : int(dims[0]);
  if (!dynamicBatch && maxBatch != options.maxBatch) {
    reportProgress(
        progress,
        "this ONNX has a fixed batch of " + std::to_string(maxBatch) + ": maxBatch is " + std::to_string(maxBatch), -1);
  }

  cuda::DeviceScope scope(options.device);
  cudaDeviceProp prop{};
  cuda::check(cudaGetDeviceProperties(&prop, options.device), "cannot query the CUDA device");
  EngineKey key;
  key.onnxSha256 = options.onnxSha256;
  key.tensorrtVersion = library.version;
  key.gpuName = prop.name;
  key.ccMajor = prop.major;
  key.ccMinor = prop.minor;
  key.precision = precisionName(options.precision);
  key.maxBatch = maxBatch;
  key.height = int(dims[2]);
  key.width = int(dims[3]);

  auto state = std::make_shared<State>(options.device);
  // What the header's inline nvinfer1::createInferRuntime does, through the library opened at run time.
  nvinfer1::ILogger* logger = &state->logger;
  state->runtime.reset(static_cast<nvinfer1::IRuntime*>(library.createInferRuntime(logger, NV_TENSORRT_VERSION)));
  if (!state->runtime) throw std::runtime_error(state->logger.explain("cannot create the TensorRT runtime"));

  std::string enginePath = options.cacheDir.empty() ? "" : joinPath(options.cacheDir, cacheFileName(key));
  bool fromCache = false;
  if (!enginePath.empty()) {
    if (auto plan = readCachedEngine(enginePath, key, &why)) {
      reportProgress(progress, "loading engine from cache", -1);
      state->logger.clear();
      state->engine = deserialize(*state, *plan);
      fromCache = state->engine != nullptr;
      if (fromCache && dynamicBatch) state->plan = std::move(*plan);
      if (!fromCache) {
        reportProgress(progress, state->logger.explain("the cached engine could not be loaded") + ": rebuilding", -1);
      }
    } else if (fileExists(enginePath)) {
      reportProgress(progress, "ignoring the cached engine (" + why + "): rebuilding", -1);
    }
  }

  if (!state->engine) {
    BuildRequest request;
    request.maxBatch = maxBatch;
    request.dynamicBatch = dynamicBatch;
    request.precision = options.precision;
    request.progress = progress;
    if (!options.cacheDir.empty()) {
      request.timingCachePath =
          joinPath(options.cacheDir, timingCacheFileName(key.tensorrtVersion, key.gpuName, key.ccMajor, key.ccMinor));
    }
    BuildResult built = buildSerializedEngine(onnx, request, library, state->logger);
    if (!enginePath.empty()) {
      reportProgress(progress, "saving engine to cache", -1);
      try {
        writeCachedEngine(enginePath, key, built.plan);
      } catch (const std::exception& e) {
        // A read-only cache directory costs a rebuild next time, not this load.
        reportProgress(progress, std::string("could not save the engine: ") + e.what(), -1);
      }
    }
    state->logger.clear();
    state->engine = deserialize(*state, built.plan);
    if (!state->engine) throw std::runtime_error(state->logger.explain("TensorRT could not load the engine it built"));
    if (dynamicBatch) state->plan = std::move(built.plan);
  }

  describeIo(*state);
  state->logger.clear();
  reportProgress(progress, fromCache ? "loaded from cache" : "engine ready", 1.0);
  return std::make_unique<TrtEngine>(std::move(state), fromCache);
}

std::unique_ptr<ExecutionSlot> TrtEngine::createSlot() {
  State& s = *state_;
  auto slot = std::make_unique<Slot>();
  slot->state = state_;
  cuda::DeviceScope scope(s.device);
  {
    std::lock_guard<std::mutex> lock(s.mutex);
    nvinfer1::ICudaEngine* engine = s.engine.get();
    if (s.dynamicBatch && s.primaryInUse) {
      slot->ownEngine = deserialize(s, s.plan);
      if (!slot->ownEngine) throw std::runtime_error(s.logger.explain("cannot load another copy of the engine"));
      engine = slot->ownEngine.get();
    } else if (s.dynamicBatch) {
      s.primaryInUse = slot->usesPrimary = true;
    }
    slot->context.reset(engine->createExecutionContext());
  }
  if (!slot->context) {
    throw std::runtime_error(s.logger.explain("cannot create a TensorRT execution context (out of GPU memory?)"));
  }
  const TensorShape& in = s.input;
  const OutputLayout& l = s.layout;
  slot->inputBuffer.reserve(count(in.batch, in.channels, in.height, in.width));
  slot->output0Buffer.reserve(count(in.batch, l.rows, l.anchors));
  slot->output1Buffer.reserve(count(in.batch, l.nm, l.protoH, l.protoW));
  // Bound once: the buffers never move, so enqueue only has to set the batch.
  if (!slot->context->setTensorAddress(s.inputName.c_str(), slot->inputBuffer.data()) ||
      !slot->context->setTensorAddress(s.output0Name.c_str(), slot->output0Buffer.data()) ||
      !slot->context->setTensorAddress(s.output1Name.c_str(), slot->output1Buffer.data())) {
    throw std::runtime_error(s.logger.explain("cannot bind the TensorRT input and output buffers"));
  }
  return slot;
}

// ---- Slot ----

void Slot::enqueue(int batch, cudaStream_t stream) {
  const State& s = *state;
  if (batch < 1 || batch > s.input.batch) {
    throw std::invalid_argument("batch " + std::to_string(batch) + " is outside 1.." + std::to_string(s.input.batch));
  }
  cuda::DeviceScope scope(s.device);
  if (s.dynamicBatch && batch != boundBatch) {
    Dims dims;
    dims.nbDims = 4;
    dims.d[0] = batch;
    dims.d[1] = s.input.channels;
    dims.d[2] = s.input.height;
    dims.d[3] = s.input.width;
    if (!context->setInputShape(s.inputName.c_str(), dims)) {
      throw std::runtime_error(s.logger.explain("TensorRT refused the input shape for batch " + std::to_string(batch)));
    }
    boundBatch = batch;
  }
  if (!context->enqueueV3(stream)) throw std::runtime_error(s.logger.explain("TensorRT inference failed"));
}

}  // namespace fastsam::trt::FASTSAM_TRT_ABI
