// unpackMasks(packed, windows, packedStarts) -> Promise<{windows, offsets, bits}>: bit-packed mask crops
// (what the GPU assembles) to one 0/1 byte per pixel, as renderMasks(format: 'crop') returns them.
// packedStarts[i] is where mask i's packed rows begin; masks may be any subset of a GPU result.
#include <string>

#include "../core/bitpack.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

class UnpackWorker : public PromiseWorker {
 public:
  UnpackWorker(Napi::Env env, const uint8_t* packed, std::vector<int32_t> windows, std::vector<double> starts)
      : PromiseWorker(env), packed_(packed), windows_(std::move(windows)), starts_(std::move(starts)) {}

 private:
  void Run() override {
    const size_t count = starts_.size();
    offsets_.assign(count + 1, 0);
    for (size_t i = 0; i < count; ++i)
      offsets_[i + 1] = offsets_[i] + static_cast<double>(windows_[i * 4 + 2]) * windows_[i * 4 + 3];
    bits_.resize(static_cast<size_t>(offsets_[count]));
    fastsam::parallelFor(count, [&](size_t i) {
      fastsam::unpackBits(packed_ + static_cast<size_t>(starts_[i]), windows_[i * 4 + 2], windows_[i * 4 + 3],
                          bits_.data() + static_cast<size_t>(offsets_[i]));
    });
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("windows", toTypedArray(env, std::move(windows_)));
    o.Set("offsets", toTypedArray(env, std::move(offsets_)));
    o.Set("bits", toTypedArray(env, std::move(bits_)));
    return o;
  }

  const uint8_t* packed_;
  std::vector<int32_t> windows_;
  std::vector<double> starts_, offsets_;
  std::vector<uint8_t> bits_;
};

}  // namespace

Napi::Value UnpackMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array packed = typedArrayArg<uint8_t>(info, 0, "packed");
    if (info.Length() < 3 || !info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
      throw ArgumentError{"windows must be an Int32Array"};
    if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
      throw ArgumentError{"packedStarts must be a Float64Array"};
    Napi::Int32Array windows = info[1].As<Napi::Int32Array>();
    Napi::Float64Array starts = info[2].As<Napi::Float64Array>();
    const size_t count = starts.ElementLength();
    if (windows.ElementLength() != count * 4) throw ArgumentError{"windows must be n x 4 for n packedStarts"};
    for (size_t i = 0; i < count; ++i) {
      const int32_t w = windows[i * 4 + 2], h = windows[i * 4 + 3];
      const double start = starts[i];
      if (w < 0 || h < 0 || !(start >= 0) ||
          start + static_cast<double>(fastsam::packedRowBytes(w)) * h > static_cast<double>(packed.ElementLength()))
        throw ArgumentError{"packed mask " + std::to_string(i) + " does not fit the packed bytes"};
    }
    auto* worker = new UnpackWorker(info.Env(), packed.Data(), std::vector<int32_t>(windows.Data(), windows.Data() + count * 4),
                                    std::vector<double>(starts.Data(), starts.Data() + count));
    worker->Hold(packed);
    return worker->Queue();
  });
}

}  // namespace fastsam_binding
