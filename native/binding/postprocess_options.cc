#include "postprocess_options.h"

namespace fastsam_binding {

fastsam::PostprocessOptions readPostprocessOptions(const Napi::Object& o, bool withSizes) {
  fastsam::PostprocessOptions p;
  p.nms.confThreshold = static_cast<float>(numberField(o, "conf"));
  p.nms.iouThreshold = static_cast<float>(numberField(o, "iou"));
  p.nms.agnostic = boolField(o, "agnostic");
  p.nms.maxDet = intField(o, "maxDet", 0, 1 << 20);
  Napi::Value classes = o.Get("classes");
  if (classes.IsArray()) {
    Napi::Array list = classes.As<Napi::Array>();
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value c = list.Get(i);
      // An index outside int32 must be refused, not wrapped (2 ** 32 would become class 0).
      const double d = c.IsNumber() ? c.As<Napi::Number>().DoubleValue() : -1;
      if (!(d >= 0 && d <= 0x7fffffff) || d != static_cast<double>(static_cast<int32_t>(d)))
        throw ArgumentError{"option 'classes' must hold class indices: integers in [0, 2147483647]"};
      p.nms.classes.push_back(static_cast<int32_t>(d));
    }
  }
  Napi::Value multiLabel = o.Get("multiLabel");
  p.nms.multiLabel = multiLabel.IsBoolean() && multiLabel.As<Napi::Boolean>().Value();
  p.nc = intField(o, "nc", 1, 1 << 16);
  p.fullImageBox = boolField(o, "fullImageBox");
  if (withSizes) {
    p.inputH = intField(o, "inputHeight", 1, 1 << 16);
    p.inputW = intField(o, "inputWidth", 1, 1 << 16);
    p.origH = intField(o, "origHeight", 1, 1 << 20);
    p.origW = intField(o, "origWidth", 1, 1 << 20);
  }
  return p;
}

}  // namespace fastsam_binding
