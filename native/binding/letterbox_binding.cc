// letterboxGeometry(...) and letterbox(pixels, width, height, options, tensor, offset) -> Promise<void>.
#include "bindings.h"

#include "../core/letterbox.h"
#include "convert.h"
#include "promise_worker.h"
#include "results_js.h"

namespace fastsam_binding {

namespace {

struct LetterboxRequest {
  int newH, newW, stride;
  bool autoPad, scaleUp;
};

LetterboxRequest readRequest(const Napi::Object& o) {
  return {intField(o, "newHeight", 1, 1 << 16), intField(o, "newWidth", 1, 1 << 16), intField(o, "stride", 1, 1024),
          boolField(o, "auto"), boolField(o, "scaleUp")};
}

class LetterboxWorker : public PromiseWorker {
 public:
  LetterboxWorker(Napi::Env env, const uint8_t* rgb, int w, int h, fastsam::LetterboxGeometry g, float* out)
      : PromiseWorker(env), rgb_(rgb), w_(w), h_(h), g_(g), out_(out) {}

 private:
  void Run() override { fastsam::letterboxToTensor(rgb_, w_, h_, g_, out_); }
  Napi::Value Result(Napi::Env env) override { return letterboxGeometryToJs(env, g_, h_, w_); }

  const uint8_t* rgb_;
  int w_, h_;
  fastsam::LetterboxGeometry g_;
  float* out_;
};

}  // namespace

Napi::Value LetterboxGeometry(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 0, "options");
    const int h = intField(o, "height", 1, 1 << 20), w = intField(o, "width", 1, 1 << 20);
    LetterboxRequest r = readRequest(o);
    return letterboxGeometryToJs(info.Env(),
                                 fastsam::computeLetterbox(h, w, r.newH, r.newW, r.autoPad, r.scaleUp, r.stride), h, w);
  });
}

Napi::Value Letterbox(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array rgb = typedArrayArg<uint8_t>(info, 0, "pixels");
    Napi::Object o = objectArg(info, 1, "options");
    Napi::Float32Array tensor = typedArrayArg<float>(info, 2, "tensor");
    const int h = intField(o, "height", 1, 1 << 20), w = intField(o, "width", 1, 1 << 20);
    const int offset = intField(o, "offset", 0, 0x7fffffff);
    if (rgb.ElementLength() != static_cast<size_t>(w) * h * 3)
      throw ArgumentError{"pixels must hold width * height * 3 RGB bytes"};
    LetterboxRequest r = readRequest(o);
    fastsam::LetterboxGeometry g = fastsam::computeLetterbox(h, w, r.newH, r.newW, r.autoPad, r.scaleUp, r.stride);
    if (g.unpadWidth < 1 || g.unpadHeight < 1) throw ArgumentError{"image is too small to letterbox"};
    const size_t need = static_cast<size_t>(g.outWidth) * g.outHeight * 3;
    if (static_cast<size_t>(offset) + need > tensor.ElementLength())
      throw ArgumentError{"tensor is too small for the letterboxed image"};
    auto* worker = new LetterboxWorker(info.Env(), rgb.Data(), w, h, g, tensor.Data() + offset);
    worker->Hold(rgb);
    worker->Hold(tensor);
    return worker->Queue();
  });
}

}  // namespace fastsam_binding
