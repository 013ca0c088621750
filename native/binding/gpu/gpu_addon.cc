// Module entry of the GPU addon. Loaded only when the tensorrt backend (or a GPU test) asks for it, so the
// core addon never depends on CUDA or TensorRT.
#include <napi.h>

#include "gpu_bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace fastsam_binding;
  InitKernelLanes(env);
  exports.Set("probe", Napi::Function::New(env, Probe, "probe"));
  exports.Set("letterbox", Napi::Function::New(env, GpuLetterbox, "letterbox"));
  exports.Set("postprocess", Napi::Function::New(env, GpuPostprocess, "postprocess"));
#ifdef FASTSAM_WITH_TENSORRT
  exports.Set("createEngine", Napi::Function::New(env, CreateEngine, "createEngine"));
  InitEngineClass(env, exports);
#endif
  return exports;
}

}  // namespace

NODE_API_MODULE(fastsam_tensorrt, Init)
