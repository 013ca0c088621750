// The GPU addon's exported functions (fastsam_tensorrt.node). The CUDA kernels are always there; the
// TensorRT engine only when the addon was built against TensorRT (FASTSAM_WITH_TENSORRT).
#pragma once
#include <napi.h>

namespace fastsam_binding {

Napi::Value Probe(const Napi::CallbackInfo& info);
// Registers the cleanup that frees the kernels' GPU buffers when Node shuts down.
void InitKernelLanes(Napi::Env env);
Napi::Value GpuLetterbox(const Napi::CallbackInfo& info);
Napi::Value GpuPostprocess(const Napi::CallbackInfo& info);
#ifdef FASTSAM_WITH_TENSORRT
Napi::Value CreateEngine(const Napi::CallbackInfo& info);
void InitEngineClass(Napi::Env env, Napi::Object exports);
#endif

}  // namespace fastsam_binding
