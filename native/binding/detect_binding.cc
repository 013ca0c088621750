// detect(output0, options) -> Promise<{boxes, inputBoxes, conf, cls, coef, nm}>: NMS, the full-image box
// and scale_boxes for one image, off the JS thread.
#include "../core/postprocess.h"
#include "bindings.h"
#include "postprocess_options.h"
#include "promise_worker.h"
#include "results_js.h"

namespace fastsam_binding {

namespace {

class DetectWorker : public PromiseWorker {
 public:
  DetectWorker(Napi::Env env, OwnedArray<float> out, int rows, int anchors, fastsam::PostprocessOptions options)
      : PromiseWorker(env), out_(std::move(out)), rows_(rows), anchors_(anchors), options_(std::move(options)) {}

 private:
  void Run() override { result_ = fastsam::detect(out_.data(), rows_, anchors_, options_); }
  Napi::Value Result(Napi::Env env) override { return detectionsToJs(env, std::move(result_)); }

  OwnedArray<float> out_;
  int rows_, anchors_;
  fastsam::PostprocessOptions options_;
  fastsam::ImageDetections result_;
};

}  // namespace

Napi::Value Detect(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Float32Array output0 = typedArrayArg<float>(info, 0, "output0");
    Napi::Object o = objectArg(info, 1, "options");
    const int rows = intField(o, "rows", 5, 1 << 16), anchors = intField(o, "anchors", 1, 1 << 24);
    if (output0.ElementLength() != static_cast<size_t>(rows) * anchors)
      throw ArgumentError{"output0 must hold rows * anchors values"};
    fastsam::PostprocessOptions options = readPostprocessOptions(o);
    if (rows < 4 + options.nc) throw ArgumentError{"output0 has fewer rows than 4 + nc"};
    return (new DetectWorker(info.Env(), copyOf(output0), rows, anchors, std::move(options)))->Queue();
  });
}

}  // namespace fastsam_binding
