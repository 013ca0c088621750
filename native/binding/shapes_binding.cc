// traceContours(...) and refineMasks(...): contour tracing and morphological clean-up of cropped masks
// ({windows, offsets, bits} as renderMasks returns them), many masks per call, off the JS thread.
#include <algorithm>
#include <string>

#include "../core/contours.h"
#include "../core/morphology.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

// A set of cropped masks as typed arrays from JS: window i is windows[4i..4i+3] = x, y, w, h and its
// bits are bits[offsets[i] .. offsets[i+1]).
struct CropSet {
  const uint8_t* bits;
  const int32_t* windows;
  const double* offsets;
  size_t count;

  const uint8_t* crop(size_t i) const { return bits + static_cast<size_t>(offsets[i]); }
  int x(size_t i) const { return windows[i * 4]; }
  int y(size_t i) const { return windows[i * 4 + 1]; }
  int w(size_t i) const { return windows[i * 4 + 2]; }
  int h(size_t i) const { return windows[i * 4 + 3]; }
};

CropSet readCrops(const Napi::CallbackInfo& info, PromiseWorker* holder) {
  Napi::Uint8Array bits = typedArrayArg<uint8_t>(info, 0, "bits");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw ArgumentError{"windows must be an Int32Array"};
  if (!info[2].IsTypedArray() || info[2].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array)
    throw ArgumentError{"offsets must be a Float64Array"};
  Napi::Int32Array windows = info[1].As<Napi::Int32Array>();
  Napi::Float64Array offsets = info[2].As<Napi::Float64Array>();
  const size_t count = windows.ElementLength() / 4;
  if (windows.ElementLength() % 4 != 0 || offsets.ElementLength() != count + 1)
    throw ArgumentError{"windows must be n x 4 and offsets n + 1 long"};
  for (size_t i = 0; i < count; ++i) {
    const int32_t w = windows[i * 4 + 2], h = windows[i * 4 + 3];
    const double begin = offsets[i], end = offsets[i + 1];
    if (w < 0 || h < 0 || begin < 0 || end > bits.ElementLength() || end - begin != static_cast<double>(w) * h)
      throw ArgumentError{"crop " + std::to_string(i) + " does not fit its window or the bits"};
  }
  if (holder) {
    holder->Hold(bits);
    holder->Hold(windows);
    holder->Hold(offsets);
  }
  return {bits.Data(), windows.Data(), offsets.Data(), count};
}

class ContourWorker : public PromiseWorker {
 public:
  ContourWorker(Napi::Env env, fastsam::ContourRetrieval retrieval, bool simple)
      : PromiseWorker(env), retrieval_(retrieval), simple_(simple) {}
  CropSet crops{};

 private:
  void Run() override {
    perMask_.resize(crops.count);
    fastsam::parallelFor(crops.count, [&](size_t i) {
      perMask_[i] = fastsam::findContours(crops.crop(i), crops.w(i), crops.h(i), retrieval_, simple_);
      for (fastsam::Contour& c : perMask_[i])
        for (size_t k = 0; k < c.points.size(); k += 2) {
          c.points[k] += crops.x(i);  // window -> mask coordinates
          c.points[k + 1] += crops.y(i);
        }
    });
  }

  Napi::Value Result(Napi::Env env) override {
    std::vector<int32_t> points;
    std::vector<uint32_t> contourOffsets{0}, maskOffsets{0};
    std::vector<uint8_t> holes;
    std::vector<int32_t> parents;
    for (const std::vector<fastsam::Contour>& contours : perMask_) {
      for (const fastsam::Contour& c : contours) {
        points.insert(points.end(), c.points.begin(), c.points.end());
        contourOffsets.push_back(static_cast<uint32_t>(points.size() / 2));
        holes.push_back(c.hole ? 1 : 0);
        parents.push_back(c.parent);
      }
      maskOffsets.push_back(static_cast<uint32_t>(holes.size()));
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("points", toTypedArray(env, std::move(points)));
    o.Set("contourOffsets", toTypedArray(env, std::move(contourOffsets)));
    o.Set("maskOffsets", toTypedArray(env, std::move(maskOffsets)));
    o.Set("holes", toTypedArray(env, std::move(holes)));
    o.Set("parents", toTypedArray(env, std::move(parents)));
    return o;
  }

  fastsam::ContourRetrieval retrieval_;
  bool simple_;
  std::vector<std::vector<fastsam::Contour>> perMask_;
};

class RefineWorker : public PromiseWorker {
 public:
  RefineWorker(Napi::Env env, int maskW, int maskH) : PromiseWorker(env), maskW_(maskW), maskH_(maskH) {}
  CropSet crops{};

 private:
  // Each crop is padded with zeros by the kernels' reach (clipped to the mask), so the clean-up sees
  // the same neighbourhood as on the full mask; at the mask's own border OpenCV's border rule applies.
  static constexpr int kMargin = 9;

  void Run() override {
    out_.resize(crops.count);
    fastsam::parallelFor(crops.count, [&](size_t i) {
      Refined& r = out_[i];
      if (crops.w(i) == 0 || crops.h(i) == 0) return;
      r.x = std::max(0, crops.x(i) - kMargin);
      r.y = std::max(0, crops.y(i) - kMargin);
      const int x1 = std::min(maskW_, crops.x(i) + crops.w(i) + kMargin);
      const int y1 = std::min(maskH_, crops.y(i) + crops.h(i) + kMargin);
      r.w = x1 - r.x;
      r.h = y1 - r.y;
      r.bits.assign(static_cast<size_t>(r.w) * r.h, 0);
      for (int y = 0; y < crops.h(i); ++y)
        std::copy(crops.crop(i) + static_cast<size_t>(y) * crops.w(i),
                  crops.crop(i) + static_cast<size_t>(y + 1) * crops.w(i),
                  r.bits.begin() + static_cast<size_t>(y + crops.y(i) - r.y) * r.w + (crops.x(i) - r.x));
      fastsam::refineMask(r.bits, r.w, r.h);
    });
  }

  Napi::Value Result(Napi::Env env) override {
    std::vector<int32_t> windows;
    std::vector<double> offsets{0};
    std::vector<uint8_t> bits;
    for (const Refined& r : out_) {
      windows.insert(windows.end(), {r.x, r.y, r.w, r.h});
      bits.insert(bits.end(), r.bits.begin(), r.bits.end());
      offsets.push_back(static_cast<double>(bits.size()));
    }
    Napi::Object o = Napi::Object::New(env);
    o.Set("windows", toTypedArray(env, std::move(windows)));
    o.Set("offsets", toTypedArray(env, std::move(offsets)));
    o.Set("bits", toTypedArray(env, std::move(bits)));
    return o;
  }

  struct Refined {
    int x = 0, y = 0, w = 0, h = 0;
    std::vector<uint8_t> bits;
  };
  int maskW_, maskH_;
  std::vector<Refined> out_;
};

}  // namespace

Napi::Value TraceContours(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 3, "options");
    const std::string retrieval = stringField(o, "retrieval");
    if (retrieval != "external" && retrieval != "all")
      throw ArgumentError{"option 'retrieval' must be 'external' or 'all'"};
    auto* worker = new ContourWorker(
        info.Env(), retrieval == "external" ? fastsam::ContourRetrieval::External : fastsam::ContourRetrieval::All,
        boolField(o, "simple"));
    try {
      worker->crops = readCrops(info, worker);
    } catch (...) {
      delete worker;
      throw;
    }
    return worker->Queue();
  });
}

Napi::Value RefineMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 3, "options");
    const int maskW = intField(o, "maskWidth", 1, 1 << 20), maskH = intField(o, "maskHeight", 1, 1 << 20);
    auto* worker = new RefineWorker(info.Env(), maskW, maskH);
    try {
      worker->crops = readCrops(info, worker);
      // The padded copy is sized by the mask: every window must lie inside it.
      const CropSet& c = worker->crops;
      for (size_t i = 0; i < c.count; ++i)
        if (c.x(i) < 0 || c.y(i) < 0 || c.x(i) + c.w(i) > maskW || c.y(i) + c.h(i) > maskH)
          throw ArgumentError{"crop " + std::to_string(i) + " lies outside the mask"};
    } catch (...) {
      delete worker;
      throw;
    }
    return worker->Queue();
  });
}

}  // namespace fastsam_binding
