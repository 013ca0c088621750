// unpackMasks(packed, windows, packedStarts[, {format: 'rle', maskHeight, maskWidth}]): bit-packed mask
// crops (what the GPU assembles) to what renderMasks returns: one 0/1 byte per pixel ({windows, offsets,
// bits}, the default), or COCO RLE over the full mask read straight from the bits ({offsets, counts}).
// packedStarts[i] is where mask i's packed rows begin; masks may be any subset of a GPU result.
#include <algorithm>
#include <string>

#include "../core/bitpack.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

// The masks to read, copied out of the caller's packed bytes (only the asked-for masks' rows): packed
// bytes, windows (x, y, w, h) and where each mask's rows start in `packed`.
struct PackedSet {
  std::vector<uint8_t> packed;
  std::vector<int32_t> windows;
  std::vector<double> starts;
  const uint8_t* mask(size_t i) const { return packed.data() + static_cast<size_t>(starts[i]); }
};

// Copies mask i's packed rows (checked to fit) for every window: the worker never reads the caller's bytes.
PackedSet copyPacked(const Napi::Uint8Array& packed, std::vector<int32_t> windows, const std::vector<double>& starts) {
  PackedSet set;
  set.windows = std::move(windows);
  set.starts.resize(starts.size());
  size_t total = 0;
  for (size_t i = 0; i < starts.size(); ++i)
    total += fastsam::packedRowBytes(set.windows[i * 4 + 2]) * static_cast<size_t>(set.windows[i * 4 + 3]);
  set.packed.resize(total);
  size_t at = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    const size_t bytes = fastsam::packedRowBytes(set.windows[i * 4 + 2]) * static_cast<size_t>(set.windows[i * 4 + 3]);
    std::copy(packed.Data() + static_cast<size_t>(starts[i]), packed.Data() + static_cast<size_t>(starts[i]) + bytes,
              set.packed.begin() + at);
    set.starts[i] = static_cast<double>(at);
    at += bytes;
  }
  return set;
}

class RleWorker : public PromiseWorker {
 public:
  RleWorker(Napi::Env env, PackedSet set, int height, int width)
      : PromiseWorker(env), set_(std::move(set)), height_(height), width_(width) {}

 private:
  void Run() override {
    rles_.resize(set_.starts.size());
    fastsam::parallelFor(rles_.size(), [&](size_t i) {
      const int32_t* w = &set_.windows[i * 4];
      rles_[i] = fastsam::packedRle(set_.mask(i), w[0], w[1], w[2], w[3], height_, width_);
    });
  }
  Napi::Value Result(Napi::Env env) override {
    std::vector<uint32_t> offsets(rles_.size() + 1, 0);
    for (size_t i = 0; i < rles_.size(); ++i) offsets[i + 1] = offsets[i] + static_cast<uint32_t>(rles_[i].size());
    std::vector<uint32_t> counts(offsets.back());
    for (size_t i = 0; i < rles_.size(); ++i) std::copy(rles_[i].begin(), rles_[i].end(), counts.begin() + offsets[i]);
    Napi::Object o = Napi::Object::New(env);
    o.Set("offsets", toTypedArray(env, std::move(offsets)));
    o.Set("counts", toTypedArray(env, std::move(counts)));
    return o;
  }

  PackedSet set_;
  int height_, width_;
  std::vector<std::vector<uint32_t>> rles_;
};

class UnpackWorker : public PromiseWorker {
 public:
  UnpackWorker(Napi::Env env, PackedSet set) : PromiseWorker(env), set_(std::move(set)) {}

 private:
  void Run() override {
    const size_t count = set_.starts.size();
    const std::vector<int32_t>& windows = set_.windows;
    offsets_.assign(count + 1, 0);
    for (size_t i = 0; i < count; ++i)
      offsets_[i + 1] = offsets_[i] + static_cast<double>(windows[i * 4 + 2]) * windows[i * 4 + 3];
    bits_.resize(static_cast<size_t>(offsets_[count]));
    fastsam::parallelFor(count, [&](size_t i) {
      fastsam::unpackBits(set_.mask(i), windows[i * 4 + 2], windows[i * 4 + 3],
                          bits_.data() + static_cast<size_t>(offsets_[i]));
    });
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("windows", toTypedArray(env, std::move(set_.windows)));
    o.Set("offsets", toTypedArray(env, std::move(offsets_)));
    o.Set("bits", toTypedArray(env, std::move(bits_)));
    return o;
  }

  PackedSet set_;
  std::vector<double> offsets_;
  std::vector<uint8_t> bits_;
};

}  // namespace

Napi::Value UnpackMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array packed = typedArrayArg<uint8_t>(info, 0, "packed");
    if (info.Length() < 3 || !info[1].IsTypedArray() ||
        info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
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
    std::vector<int32_t> windowList(windows.Data(), windows.Data() + count * 4);
    std::vector<double> startList(starts.Data(), starts.Data() + count);
    if (info.Length() > 3 && info[3].IsObject()) {
      Napi::Object o = info[3].As<Napi::Object>();
      if (stringField(o, "format") != "rle")
        throw ArgumentError{"option 'format' must be 'rle' (or leave the options out)"};
      const int height = intField(o, "maskHeight", 1, 1 << 20), width = intField(o, "maskWidth", 1, 1 << 20);
      if (static_cast<uint64_t>(height) * width >= (uint64_t{1} << 32))
        throw ArgumentError{"masks of 2^32 pixels or more cannot be encoded (COCO RLE counts are 32-bit)"};
      for (size_t i = 0; i < count; ++i) {
        const int32_t* w = &windowList[i * 4];
        if (w[2] > 0 && (w[0] < 0 || w[1] < 0 || int64_t{w[0]} + w[2] > width || int64_t{w[1]} + w[3] > height))
          throw ArgumentError{"packed mask " + std::to_string(i) + " lies outside the mask"};
      }
      return (new RleWorker(info.Env(), copyPacked(packed, std::move(windowList), startList), height, width))->Queue();
    }
    return (new UnpackWorker(info.Env(), copyPacked(packed, std::move(windowList), startList)))->Queue();
  });
}

}  // namespace fastsam_binding
