#include "gpu_results.h"

#include "../convert.h"

namespace fastsam_binding {

Napi::Object imageResultToJs(Napi::Env env, fastsam::cuda::ImageResult&& result) {
  fastsam::ImageDetections& d = result.detections;
  Napi::Object o = Napi::Object::New(env);
  o.Set("nm", d.nm);
  o.Set("boxes", toTypedArray(env, std::move(d.boxes)));
  o.Set("inputBoxes", toTypedArray(env, std::move(d.inputBoxes)));
  o.Set("conf", toTypedArray(env, std::move(d.conf)));
  o.Set("cls", toTypedArray(env, std::move(d.cls)));
  o.Set("coef", toTypedArray(env, std::move(d.coef)));
  o.Set("windows", toTypedArray(env, std::move(result.masks.windows)));
  o.Set("packedStarts", toTypedArray(env, std::move(result.masks.starts)));
  o.Set("packed", toTypedArray(env, std::move(result.masks.packed)));
  return o;
}

}  // namespace fastsam_binding
