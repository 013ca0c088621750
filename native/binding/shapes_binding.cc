// traceContours(...) and refineMasks(...): contour tracing and morphological clean-up of cropped masks
// ({windows, offsets, bits} as renderMasks returns them), many masks per call, off the JS thread.
#include <algorithm>
#include <string>

#include "../core/contours.h"
#include "../core/morphology.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "crop_args.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

class ContourWorker : public PromiseWorker {
 public:
  ContourWorker(Napi::Env env, OwnedCrops crops, fastsam::ContourRetrieval retrieval, bool simple)
      : PromiseWorker(env), crops_(std::move(crops)), retrieval_(retrieval), simple_(simple) {}

 private:
  void Run() override {
    const fastsam::CropSet crops = crops_.view();
    perMask_.resize(crops.count);
    fastsam::parallelFor(crops.count, [&](size_t i) {
      const fastsam::CropView c = crops[i];
      perMask_[i] = fastsam::findContours(c.bits, c.width, c.height, retrieval_, simple_);
      for (fastsam::Contour& contour : perMask_[i])
        for (size_t k = 0; k < contour.points.size(); k += 2) {
          contour.points[k] += c.x;  // window -> mask coordinates
          contour.points[k + 1] += c.y;
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

  OwnedCrops crops_;
  fastsam::ContourRetrieval retrieval_;
  bool simple_;
  std::vector<std::vector<fastsam::Contour>> perMask_;
};

class RefineWorker : public PromiseWorker {
 public:
  RefineWorker(Napi::Env env, OwnedCrops crops, int maskW, int maskH)
      : PromiseWorker(env), crops_(std::move(crops)), maskW_(maskW), maskH_(maskH) {}

 private:
  // Each crop is padded with zeros by the kernels' reach (clipped to the mask), so the clean-up sees
  // the same neighbourhood as on the full mask; at the mask's own border OpenCV's border rule applies.
  static constexpr int kMargin = 9;

  void Run() override {
    const fastsam::CropSet crops = crops_.view();
    out_.resize(crops.count);
    fastsam::parallelFor(crops.count, [&](size_t i) {
      Refined& r = out_[i];
      const fastsam::CropView c = crops[i];
      if (c.empty()) return;
      r.x = std::max(0, c.x - kMargin);
      r.y = std::max(0, c.y - kMargin);
      const int x1 = std::min(maskW_, c.x + c.width + kMargin);
      const int y1 = std::min(maskH_, c.y + c.height + kMargin);
      r.w = x1 - r.x;
      r.h = y1 - r.y;
      r.bits.assign(static_cast<size_t>(r.w) * r.h, 0);
      for (int y = 0; y < c.height; ++y)
        std::copy(c.bits + static_cast<size_t>(y) * c.width, c.bits + static_cast<size_t>(y + 1) * c.width,
                  r.bits.begin() + static_cast<size_t>(y + c.y - r.y) * r.w + (c.x - r.x));
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
  OwnedCrops crops_;
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
    const bool simple = boolField(o, "simple");
    return (new ContourWorker(
                info.Env(), readCrops(info, 0),
                retrieval == "external" ? fastsam::ContourRetrieval::External : fastsam::ContourRetrieval::All, simple))
        ->Queue();
  });
}

Napi::Value RefineMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 3, "options");
    const int maskW = intField(o, "maskWidth", 1, 1 << 20), maskH = intField(o, "maskHeight", 1, 1 << 20);
    // The padded copy is sized by the mask: every window must lie inside it.
    return (new RefineWorker(info.Env(), readCrops(info, 0, maskH, maskW), maskW, maskH))->Queue();
  });
}

}  // namespace fastsam_binding
