// The CUDA pre- and post-processing kernels on host data, without TensorRT:
//   letterbox(rgb, options) -> Promise<{tensor, geometry, ms}>
//   postprocess(output0, output1, options) -> Promise<{images: [...], times: {upload, detect, masks}}>
// They give the GPU stages to any inference (and are how the GPU tests check them against the CPU path).
#include <map>
#include <memory>
#include <mutex>

#include "../../core/letterbox.h"
#include "../../cuda/lane_pool.h"
#include "../../cuda/letterbox_gpu.h"
#include "../../cuda/postprocess_gpu.h"
#include "../bindings.h"
#include "../promise_worker.h"
#include "../results_js.h"
#include "gpu_bindings.h"
#include "gpu_request.h"
#include "gpu_results.h"

namespace fastsam_binding {

namespace {

namespace cu = fastsam::cuda;

struct KernelLane {
  cu::Stream stream;
  cu::GpuLetterbox letterbox;
  cu::GpuPostprocessor postprocessor;
  cu::DeviceBuffer<float> tensor, output0, output1;
  cu::Event start, uploaded, done;
};

// One pool per device, emptied by an environment cleanup hook when Node shuts down: freed while the CUDA
// runtime is still loaded (a static destructor would run after it began unloading).
std::mutex poolsMutex;
std::map<int, std::unique_ptr<cu::LanePool<KernelLane>>>* pools = nullptr;

void freeLanes(void*) {
  std::lock_guard<std::mutex> lock(poolsMutex);
  if (!pools) return;
  for (auto& [device, pool] : *pools) {
    cudaSetDevice(device);
    pool->clear();
  }
}

cu::LanePool<KernelLane>& lanesFor(int device) {
  std::lock_guard<std::mutex> lock(poolsMutex);
  auto& pool = (*pools)[device];
  if (!pool) pool = std::make_unique<cu::LanePool<KernelLane>>();
  return *pool;
}

std::unique_ptr<KernelLane> makeLane() { return std::make_unique<KernelLane>(); }

int deviceField(const Napi::Object& o) { return o.Get("device").IsUndefined() ? 0 : intField(o, "device", 0, 1024); }

class LetterboxWorker : public PromiseWorker {
 public:
  LetterboxWorker(Napi::Env env, OwnedArray<uint8_t> rgb, int width, int height, fastsam::LetterboxGeometry g,
                  int device)
      : PromiseWorker(env), rgb_(std::move(rgb)), width_(width), height_(height), g_(g), device_(device) {}

 private:
  void Run() override {
    cu::DeviceScope scope(device_);
    auto lease = lanesFor(device_).acquire(makeLane);
    cu::withLane(lease, [&](KernelLane& lane) {
      const size_t size = static_cast<size_t>(3) * g_.outHeight * g_.outWidth;
      float* tensor = lane.tensor.reserve(size);
      lane.letterbox.stage({cu::HostImage{rgb_.data(), width_, height_}}, {g_}, g_.outHeight, g_.outWidth);
      lane.start.record(lane.stream.get());
      lane.letterbox.enqueue(tensor, lane.stream.get());
      lane.done.record(lane.stream.get());
      out_.resize(size);
      cu::check(cudaMemcpyAsync(out_.data(), tensor, size * sizeof(float), cudaMemcpyDeviceToHost, lane.stream.get()),
                "cannot copy the tensor back");
      lane.stream.synchronize();
      ms_ = lane.done.since(lane.start);
    });
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("tensor", toTypedArray(env, std::move(out_)));
    o.Set("geometry", letterboxGeometryToJs(env, g_, height_, width_));
    o.Set("ms", ms_);
    return o;
  }

  OwnedArray<uint8_t> rgb_;
  int width_, height_;
  fastsam::LetterboxGeometry g_;
  int device_;
  std::vector<float> out_;
  float ms_ = 0.f;
};

class PostprocessWorker : public PromiseWorker {
 public:
  PostprocessWorker(Napi::Env env, OwnedArray<float> output0, OwnedArray<float> output1, cu::BatchOutputs shape,
                    cu::BatchRequest request, int device)
      : PromiseWorker(env),
        output0_(std::move(output0)),
        output1_(std::move(output1)),
        shape_(shape),
        request_(std::move(request)),
        device_(device) {}

 private:
  void Run() override {
    cu::DeviceScope scope(device_);
    auto lease = lanesFor(device_).acquire(makeLane);
    cu::withLane(lease, [&](KernelLane& lane) {
      cudaStream_t stream = lane.stream.get();
      lane.start.record(stream);
      float* d0 = lane.output0.reserve(output0_.size());
      float* d1 = lane.output1.reserve(output1_.size());
      cu::check(cudaMemcpyAsync(d0, output0_.data(), output0_.size() * sizeof(float), cudaMemcpyHostToDevice, stream),
                "cannot upload output0");
      cu::check(cudaMemcpyAsync(d1, output1_.data(), output1_.size() * sizeof(float), cudaMemcpyHostToDevice, stream),
                "cannot upload output1");
      lane.uploaded.record(stream);
      cu::BatchOutputs outputs = shape_;
      outputs.dOutput0 = d0;
      outputs.dProtos = d1;
      results_ = lane.postprocessor.run(outputs, request_, stream, &times_);
      upload_ = lane.uploaded.since(lane.start);
    });
  }
  Napi::Value Result(Napi::Env env) override {
    return batchResultToJs(env, std::move(results_),
                           {{"upload", upload_},
                            {"detect", times_.detect},
                            {"masks", times_.masks},
                            {"masksKernels", times_.masksKernels},
                            {"masksCopy", times_.masksCopy}});
  }

  OwnedArray<float> output0_, output1_;
  cu::BatchOutputs shape_;
  cu::BatchRequest request_;
  int device_;
  std::vector<cu::ImageResult> results_;
  cu::StageTimes times_;
  float upload_ = 0.f;
};

}  // namespace

void InitKernelLanes(Napi::Env env) {
  std::lock_guard<std::mutex> lock(poolsMutex);
  if (!pools) pools = new std::map<int, std::unique_ptr<cu::LanePool<KernelLane>>>();
  napi_add_env_cleanup_hook(env, freeLanes, nullptr);
}

Napi::Value GpuLetterbox(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array rgb = typedArrayArg<uint8_t>(info, 0, "rgb");
    Napi::Object o = objectArg(info, 1, "options");
    const int width = intField(o, "width", 1, 1 << 16), height = intField(o, "height", 1, 1 << 16);
    if (rgb.ElementLength() != static_cast<size_t>(width) * height * 3)
      throw ArgumentError{"rgb must hold width * height * 3 bytes"};
    const fastsam::LetterboxGeometry g = fastsam::computeLetterbox(
        height, width, intField(o, "newHeight", 1, 1 << 14), intField(o, "newWidth", 1, 1 << 14), boolField(o, "auto"),
        boolField(o, "scaleUp"), intField(o, "stride", 1, 1 << 10));
    if (g.unpadWidth < 1 || g.unpadHeight < 1) throw ArgumentError{"the image is too thin to letterbox to this size"};
    return (new LetterboxWorker(info.Env(), copyOf(rgb), width, height, g, deviceField(o)))->Queue();
  });
}

Napi::Value GpuPostprocess(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Float32Array output0 = typedArrayArg<float>(info, 0, "output0");
    Napi::Float32Array output1 = typedArrayArg<float>(info, 1, "output1");
    Napi::Object o = objectArg(info, 2, "options");
    cu::BatchOutputs shape{};
    const int batch = intField(o, "batch", 1, 4096);
    shape.rows = intField(o, "rows", 5, 1 << 16);
    shape.anchors = intField(o, "anchors", 1, 1 << 24);
    shape.nm = intField(o, "nm", 1, 4096);
    shape.protoH = intField(o, "protoHeight", 1, 1 << 14);
    shape.protoW = intField(o, "protoWidth", 1, 1 << 14);
    const size_t size0 = static_cast<size_t>(batch) * shape.rows * shape.anchors;
    const size_t size1 = static_cast<size_t>(batch) * shape.nm * shape.protoH * shape.protoW;
    if (output0.ElementLength() != size0) throw ArgumentError{"output0 must hold batch * rows * anchors values"};
    if (output1.ElementLength() != size1)
      throw ArgumentError{"output1 must hold batch * nm * protoHeight * protoWidth values"};
    const GpuRequest gpu = readGpuRequest(o);
    cu::BatchRequest request;
    request.options = gpu.options;
    request.options.inputH = intField(o, "inputHeight", 1, 1 << 16);
    request.options.inputW = intField(o, "inputWidth", 1, 1 << 16);
    request.maskMode = gpu.maskMode;
    request.masks = gpu.masks;
    if (shape.rows - 4 - request.options.nc != shape.nm) throw ArgumentError{"rows must equal 4 + nc + nm"};
    request.origSizes = readSizes(o, "origShapes", static_cast<size_t>(batch));
    return (new PostprocessWorker(info.Env(), copyOf(output0), copyOf(output1), shape, std::move(request),
                                  deviceField(o)))
        ->Queue();
  });
}

}  // namespace fastsam_binding
