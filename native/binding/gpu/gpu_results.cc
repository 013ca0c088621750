#include "gpu_results.h"

#include "../convert.h"
#include "../results_js.h"

namespace fastsam_binding {

Napi::Object imageResultToJs(Napi::Env env, fastsam::cuda::ImageResult&& result) {
  Napi::Object o = detectionsToJs(env, std::move(result.detections));
  o.Set("windows", toTypedArray(env, std::move(result.masks.windows)));
  o.Set("packedStarts", toTypedArray(env, std::move(result.masks.starts)));
  o.Set("packed", toTypedArray(env, std::move(result.masks.packed)));
  return o;
}

}  // namespace fastsam_binding

namespace fastsam_binding {

Napi::Object batchResultToJs(Napi::Env env, std::vector<fastsam::cuda::ImageResult>&& results,
                             const std::vector<std::pair<const char*, float>>& times) {
  Napi::Object o = Napi::Object::New(env);
  Napi::Array images = Napi::Array::New(env, results.size());
  for (size_t i = 0; i < results.size(); ++i)
    images.Set(static_cast<uint32_t>(i), imageResultToJs(env, std::move(results[i])));
  o.Set("images", images);
  Napi::Object stageTimes = Napi::Object::New(env);
  for (const auto& [name, ms] : times) stageTimes.Set(name, ms);
  o.Set("times", stageTimes);
  return o;
}

}  // namespace fastsam_binding
