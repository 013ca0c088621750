#include "results_js.h"

#include "convert.h"

namespace fastsam_binding {

Napi::Object letterboxGeometryToJs(Napi::Env env, const fastsam::LetterboxGeometry& g, int srcH, int srcW) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("unpadWidth", g.unpadWidth);
  o.Set("unpadHeight", g.unpadHeight);
  o.Set("top", g.top);
  o.Set("bottom", g.bottom);
  o.Set("left", g.left);
  o.Set("right", g.right);
  o.Set("width", g.outWidth);
  o.Set("height", g.outHeight);
  const fastsam::ScaleGeometry s = fastsam::scaleGeometry(g.outHeight, g.outWidth, srcH, srcW);
  o.Set("gain", s.gain);
  o.Set("padX", s.padX);
  o.Set("padY", s.padY);
  return o;
}

Napi::Object detectionsToJs(Napi::Env env, fastsam::ImageDetections&& d) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("nm", d.nm);
  o.Set("boxes", toTypedArray(env, std::move(d.boxes)));
  o.Set("inputBoxes", toTypedArray(env, std::move(d.inputBoxes)));
  o.Set("conf", toTypedArray(env, std::move(d.conf)));
  o.Set("cls", toTypedArray(env, std::move(d.cls)));
  o.Set("coef", toTypedArray(env, std::move(d.coef)));
  return o;
}

}  // namespace fastsam_binding
