// probe() -> what this machine offers the GPU backend: CUDA driver and runtime versions, the devices, the
// TensorRT versions this addon was built against (none for a kernels-only build) and the TensorRT library
// found at run time, or why none could be used. Never throws for a missing driver, GPU or TensorRT: it
// reports, so JS can say exactly what is missing.
#include <cuda_runtime_api.h>

#include "../bindings.h"
#include "gpu_bindings.h"
#ifdef FASTSAM_WITH_TENSORRT
#include "../../tensorrt/engine.h"
#endif

namespace fastsam_binding {

namespace {

std::string versionText(int v) { return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10); }

}  // namespace

Napi::Value Probe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  o.Set("cudaRuntime", versionText(runtime));
  // 0 when no NVIDIA driver (libcuda.so.1) is installed.
  const bool hasDriver = cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0;
  o.Set("cudaDriver", hasDriver ? Napi::Value(Napi::String::New(env, versionText(driver))) : env.Null());
  Napi::Array devices = Napi::Array::New(env);
  std::string error;
  int count = 0;
  if (hasDriver) {
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
      error = std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
      cudaGetLastError();
      count = 0;
    }
  }
  for (int i = 0; i < count; ++i) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, i) != cudaSuccess) continue;
    Napi::Object d = Napi::Object::New(env);
    d.Set("index", i);
    d.Set("name", prop.name);
    Napi::Array cc = Napi::Array::New(env, 2);
    cc.Set(0u, prop.major);
    cc.Set(1u, prop.minor);
    d.Set("computeCapability", cc);
    d.Set("totalMemory", static_cast<double>(prop.totalGlobalMem));
    devices.Set(devices.Length(), d);
  }
  o.Set("devices", devices);
  o.Set("error", error.empty() ? env.Null() : Napi::Value(Napi::String::New(env, error)));
  Napi::Array builtFor = Napi::Array::New(env);
#ifdef FASTSAM_WITH_TENSORRT
  const fastsam::trt::TensorRtStatus trt = fastsam::trt::tensorrtStatus();
  for (const std::string& version : trt.builtFor) builtFor.Set(builtFor.Length(), version);
  o.Set("tensorrt", trt.version.empty() ? env.Null() : Napi::Value(Napi::String::New(env, trt.version)));
  o.Set("tensorrtError", trt.whyNot.empty() ? env.Null() : Napi::Value(Napi::String::New(env, trt.whyNot)));
#else
  o.Set("tensorrt", env.Null());
  o.Set("tensorrtError", env.Null());
#endif
  o.Set("tensorrtBuiltFor", builtFor);
  return o;
}

}  // namespace fastsam_binding
