// blendIndexMap(rgb, index, tints, {width, height, maskHeight, maskWidth, gain, padX, padY, alpha})
//   -> Promise<Uint8Array>: a copy of rgb with each mask's tint blended in where the index map names it.
#include <string>

#include "../core/overlay.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

class BlendWorker : public PromiseWorker {
 public:
  BlendWorker(Napi::Env env, std::vector<uint8_t> rgb, int width, int height, OwnedArray<int32_t> index,
              OwnedArray<float> tints, fastsam::OverlayFrame frame, double alpha)
      : PromiseWorker(env),
        rgb_(std::move(rgb)),
        width_(width),
        height_(height),
        index_(std::move(index)),
        tints_(std::move(tints)),
        frame_(frame),
        alpha_(alpha) {}

 private:
  void Run() override {
    fastsam::blendIndexMap(rgb_.data(), width_, height_, index_.data(), frame_, tints_.data(), tints_.size() / 3,
                           alpha_);
  }
  Napi::Value Result(Napi::Env env) override { return toTypedArray(env, std::move(rgb_)); }

  std::vector<uint8_t> rgb_;
  int width_, height_;
  OwnedArray<int32_t> index_;
  OwnedArray<float> tints_;
  fastsam::OverlayFrame frame_;
  double alpha_;
};

}  // namespace

Napi::Value BlendIndexMap(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array rgb = typedArrayArg<uint8_t>(info, 0, "rgb");
    Napi::Int32Array index = typedArrayArg<int32_t>(info, 1, "index");
    Napi::Float32Array tints = typedArrayArg<float>(info, 2, "tints");
    Napi::Object o = objectArg(info, 3, "options");
    const int width = intField(o, "width", 1, 1 << 20), height = intField(o, "height", 1, 1 << 20);
    fastsam::OverlayFrame frame;
    frame.maskHeight = intField(o, "maskHeight", 1, 1 << 20);
    frame.maskWidth = intField(o, "maskWidth", 1, 1 << 20);
    frame.gain = numberField(o, "gain");
    frame.padX = numberField(o, "padX");
    frame.padY = numberField(o, "padY");
    const double alpha = numberField(o, "alpha");
    if (!(alpha >= 0 && alpha <= 1)) throw ArgumentError{"option 'alpha' must be in [0, 1]"};
    if (rgb.ElementLength() != static_cast<size_t>(width) * height * 3)
      throw ArgumentError{"rgb must hold width * height * 3 bytes"};
    if (index.ElementLength() != static_cast<size_t>(frame.maskWidth) * frame.maskHeight)
      throw ArgumentError{"index must hold maskHeight * maskWidth values"};
    if (tints.ElementLength() % 3 != 0) throw ArgumentError{"tints must hold 3 values per colour"};
    // rgb: a vector, the blend writes into it and hands it to JS as the new picture.
    return (new BlendWorker(info.Env(), vectorOf(rgb), width, height, copyOf(index), copyOf(tints), frame, alpha))
        ->Queue();
  });
}

}  // namespace fastsam_binding
