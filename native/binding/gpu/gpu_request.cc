#include "gpu_request.h"

#include <string>

#include "../convert.h"
#include "../postprocess_options.h"

namespace fastsam_binding {

GpuRequest readGpuRequest(const Napi::Object& o) {
  GpuRequest r;
  r.options = readPostprocessOptions(o, false);
  if (r.options.nms.multiLabel) throw ArgumentError{"multiLabel NMS is not available on the GPU"};
  if (r.options.nms.maxDet < 1) throw ArgumentError{"option 'maxDet' must be at least 1"};
  const std::string mode = stringField(o, "mode");
  if (mode != "letterbox" && mode != "native") throw ArgumentError{"option 'mode' must be 'letterbox' or 'native'"};
  r.maskMode = mode == "native" ? fastsam::MaskMode::Native : fastsam::MaskMode::Letterbox;
  r.masks = o.Get("masks").IsUndefined() ? true : boolField(o, "masks");
  return r;
}

std::vector<std::pair<int, int>> readSizes(const Napi::Object& o, const char* key, size_t count) {
  const std::string name(key);
  Napi::Value list = o.Get(key);
  if (!list.IsArray() || list.As<Napi::Array>().Length() != count)
    throw ArgumentError{"option '" + name + "' must hold one [height, width] per image"};
  std::vector<std::pair<int, int>> sizes;
  for (uint32_t i = 0; i < count; ++i) {
    Napi::Value pair = list.As<Napi::Array>().Get(i);
    if (!pair.IsArray() || pair.As<Napi::Array>().Length() != 2)
      throw ArgumentError{"each " + name + " entry must be [height, width]"};
    int hw[2];
    for (uint32_t k = 0; k < 2; ++k) {
      Napi::Value v = pair.As<Napi::Array>().Get(k);
      const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
      if (!(d >= 1 && d <= (1 << 20)) || d != static_cast<int>(d))
        throw ArgumentError{"each " + name + " entry must be [height, width] with integers in [1, 2^20]"};
      hw[k] = static_cast<int>(d);
    }
    sizes.emplace_back(hw[0], hw[1]);
  }
  return sizes;
}

}  // namespace fastsam_binding
