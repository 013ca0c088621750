// The TensorRT engine for JS (built only with FASTSAM_WITH_TENSORRT):
//   createEngine(onnx, {onnxSha256, device, precision, maxBatch, cacheDir}, onProgress) -> Promise<GpuEngine>
//   engine.predict({images: [{rgb, width, height}], conf, iou, ...}) -> Promise<{images, times}>
//   engine.info(), engine.dispose()
// Building runs off the JS thread (minutes the first time); progress reaches JS through a thread-safe
// function. Each predict leases its own lane (stream, buffers, execution context) in the pipeline.
#ifdef FASTSAM_WITH_TENSORRT
#include <memory>
#include <stdexcept>
#include <string>

#include "../../tensorrt/pipeline.h"
#include "../bindings.h"
#include "../promise_worker.h"
#include "gpu_bindings.h"
#include "gpu_request.h"
#include "gpu_results.h"

namespace fastsam_binding {

namespace {

namespace cu = fastsam::cuda;
namespace trt = fastsam::trt;

struct EngineSettings {
  trt::EngineOptions options;
  std::string precision;
};

class GpuEngine : public Napi::ObjectWrap<GpuEngine> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "GpuEngine",
                       {InstanceMethod<&GpuEngine::Info>("info"), InstanceMethod<&GpuEngine::Predict>("predict"),
                        InstanceMethod<&GpuEngine::Dispose>("dispose")});
  }
  explicit GpuEngine(const Napi::CallbackInfo& info) : Napi::ObjectWrap<GpuEngine>(info) {}

  void attach(std::shared_ptr<trt::Pipeline> pipeline, std::string precision) {
    pipeline_ = std::move(pipeline);
    precision_ = std::move(precision);
  }

 private:
  std::shared_ptr<trt::Pipeline> live(Napi::Env env) const {
    if (!pipeline_) throw codedError(env, codes::kDisposed, "this GPU engine was disposed");
    return pipeline_;
  }
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Predict(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info) {
    pipeline_.reset();  // in-flight predicts keep their own reference until they finish
    return info.Env().Undefined();
  }

  std::shared_ptr<trt::Pipeline> pipeline_;
  std::string precision_;
};

Napi::FunctionReference* engineConstructor(Napi::Env env) { return env.GetInstanceData<Napi::FunctionReference>(); }

Napi::Value GpuEngine::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<trt::Pipeline> pipeline = live(env);
  const trt::TensorShape s = pipeline->engine().inputShape();
  Napi::Object o = Napi::Object::New(env);
  Napi::Array shape = Napi::Array::New(env, 4);
  shape.Set(0u, s.batch);
  shape.Set(1u, s.channels);
  shape.Set(2u, s.height);
  shape.Set(3u, s.width);
  o.Set("inputShape", shape);
  o.Set("maxBatch", pipeline->engine().maxBatch());
  o.Set("precision", precision_);
  o.Set("fromCache", pipeline->engine().fromCache());
  o.Set("tensorrt", trt::tensorrtStatus().version);
  o.Set("device", pipeline->device());
  return o;
}

class PredictWorker : public PromiseWorker {
 public:
  // `pixels` owns each image's bytes (copies of the caller's), `images` points into them.
  PredictWorker(Napi::Env env, std::shared_ptr<trt::Pipeline> pipeline, std::vector<OwnedArray<uint8_t>> pixels,
                std::vector<cu::HostImage> images, trt::PredictRequest request)
      : PromiseWorker(env),
        pipeline_(std::move(pipeline)),
        pixels_(std::move(pixels)),
        images_(std::move(images)),
        request_(std::move(request)) {}

 private:
  void Run() override { results_ = pipeline_->predict(images_, request_, &times_); }
  Napi::Value Result(Napi::Env env) override {
    return batchResultToJs(env, std::move(results_),
                           {{"letterbox", times_.letterbox},
                            {"inference", times_.inference},
                            {"detect", times_.detect},
                            {"masks", times_.masks}});
  }

  std::shared_ptr<trt::Pipeline> pipeline_;
  std::vector<OwnedArray<uint8_t>> pixels_;
  std::vector<cu::HostImage> images_;
  trt::PredictRequest request_;
  std::vector<cu::ImageResult> results_;
  trt::PredictTimes times_;
};

Napi::Value GpuEngine::Predict(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    std::shared_ptr<trt::Pipeline> pipeline = live(info.Env());
    Napi::Object o = objectArg(info, 0, "request");
    Napi::Value list = o.Get("images");
    if (!list.IsArray() || list.As<Napi::Array>().Length() == 0)
      throw ArgumentError{"request.images must be a non-empty array"};
    const GpuRequest gpu = readGpuRequest(o);
    trt::PredictRequest request;
    request.options = gpu.options;  // input sizes: the engine's (pipeline.cc)
    request.maskMode = gpu.maskMode;
    request.masks = gpu.masks;

    Napi::Array array = list.As<Napi::Array>();
    std::vector<OwnedArray<uint8_t>> pixels;
    std::vector<cu::HostImage> images;
    for (uint32_t i = 0; i < array.Length(); ++i) {
      if (!array.Get(i).IsObject()) throw ArgumentError{"each image must be {rgb, width, height}"};
      Napi::Object image = array.Get(i).As<Napi::Object>();
      Napi::Value rgb = image.Get("rgb");
      if (!rgb.IsTypedArray() || rgb.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
        throw ArgumentError{"image.rgb must be a Uint8Array"};
      const int width = intField(image, "width", 1, 1 << 16), height = intField(image, "height", 1, 1 << 16);
      Napi::Uint8Array bytes = rgb.As<Napi::Uint8Array>();
      checkAttached(bytes, "image.rgb");
      if (bytes.ElementLength() != static_cast<size_t>(width) * height * 3)
        throw ArgumentError{"image.rgb must hold width * height * 3 bytes"};
      pixels.push_back(copyOf(bytes));  // the caller may transfer its buffer while the GPU works
      images.push_back(cu::HostImage{pixels.back().data(), width, height});  // moving a vector keeps its data
    }
    return (new PredictWorker(info.Env(), std::move(pipeline), std::move(pixels), std::move(images),
                              std::move(request)))
        ->Queue();
  });
}

class CreateEngineWorker : public PromiseWorker {
 public:
  CreateEngineWorker(Napi::Env env, std::vector<uint8_t> onnx, EngineSettings settings,
                     Napi::ThreadSafeFunction progress)
      : PromiseWorker(env), onnx_(std::move(onnx)), settings_(std::move(settings)), progress_(std::move(progress)) {}
  ~CreateEngineWorker() override {
    if (progress_) progress_.Release();
  }

 private:
  void Run() override {
    trt::EngineOptions options = settings_.options;
    Napi::ThreadSafeFunction tsfn = progress_;
    options.progress = [tsfn](const std::string& stage, double fraction) mutable {
      auto* message = new std::pair<std::string, double>(stage, fraction);
      const napi_status status =
          tsfn.NonBlockingCall(message, [](Napi::Env env, Napi::Function fn, std::pair<std::string, double>* m) {
            std::unique_ptr<std::pair<std::string, double>> owned(m);  // freed even if the callback throws
            // A progress report must never break the build or the process: JS wraps the user's callback so
            // it cannot throw, and anything else is dropped here.
            if (env == nullptr || fn == nullptr) return;
            try {
              fn.Call({Napi::String::New(env, owned->first), Napi::Number::New(env, owned->second)});
            } catch (const Napi::Error&) {}
          });
      if (status != napi_ok) delete message;
    };
    cu::DeviceScope scope(options.device);
    try {
      pipeline_ = std::make_shared<trt::Pipeline>(trt::Engine::load(onnx_, options), options.device);
    } catch (const std::invalid_argument& e) {
      // The model itself is unsuitable (not ONNX, dynamic image size, other outputs): E_MODEL_FORMAT, not
      // a missing or failing backend.
      throw CodedError(codes::kModelFormat, e.what());
    }
    onnx_.clear();
    onnx_.shrink_to_fit();
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object instance = engineConstructor(env)->New({});
    GpuEngine::Unwrap(instance)->attach(std::move(pipeline_), settings_.precision);
    return instance;
  }

  std::vector<uint8_t> onnx_;
  EngineSettings settings_;
  Napi::ThreadSafeFunction progress_;
  std::shared_ptr<trt::Pipeline> pipeline_;
};

}  // namespace

void InitEngineClass(Napi::Env env, Napi::Object exports) {
  Napi::Function constructor = GpuEngine::Define(env);
  env.SetInstanceData(new Napi::FunctionReference(Napi::Persistent(constructor)));
  exports.Set("GpuEngine", constructor);
}

Napi::Value CreateEngine(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array onnx = typedArrayArg<uint8_t>(info, 0, "onnx");
    Napi::Object o = objectArg(info, 1, "options");
    if (info.Length() <= 2 || !info[2].IsFunction()) throw ArgumentError{"onProgress must be a function"};
    EngineSettings settings;
    // The engine cache's key for the model, hashed in JS (node:crypto) where the bytes come from.
    settings.options.onnxSha256 = stringField(o, "onnxSha256");
    if (settings.options.onnxSha256.size() != 64 ||
        settings.options.onnxSha256.find_first_not_of("0123456789abcdef") != std::string::npos)
      throw ArgumentError{"option 'onnxSha256' must be the model's SHA-256 in lowercase hex"};
    settings.options.device = intField(o, "device", 0, 1024);
    settings.precision = stringField(o, "precision");
    if (settings.precision != "fp16" && settings.precision != "fp32")
      throw ArgumentError{"option 'precision' must be 'fp16' or 'fp32'"};
    settings.options.precision = settings.precision == "fp16" ? trt::Precision::FP16 : trt::Precision::FP32;
    settings.options.maxBatch = intField(o, "maxBatch", 1, 1024);
    settings.options.cacheDir = stringField(o, "cacheDir");
    std::vector<uint8_t> bytes(onnx.Data(), onnx.Data() + onnx.ElementLength());  // the build outlives the call
    Napi::ThreadSafeFunction progress =
        Napi::ThreadSafeFunction::New(info.Env(), info[2].As<Napi::Function>(), "fastsam engine progress", 0, 1);
    progress.Unref(info.Env());  // progress reports alone must not keep the process alive
    auto* worker = new CreateEngineWorker(info.Env(), std::move(bytes), std::move(settings), progress);
    return worker->Queue();
  });
}

}  // namespace fastsam_binding
#endif  // FASTSAM_WITH_TENSORRT
