// Work on cropped masks ({bits, windows, offsets}, as renderMasks returns them), off the JS thread:
//   measureMasks(bits, windows, offsets, {rects?, pixels?}) -> {areas, bounds, inside?, hitOffsets?, hitPixels?}
//     what the prompt rules measure (lib/prompts/rules.ts);
//   paintMasks(bits, windows, offsets, {ops, maskHeight, maskWidth}) -> {window, bits}: a paint plan's mask;
//   masksNearPoints(boxes, pixels, {reach}) -> indices of the boxes a pixel can reach;
//   smallestOnTop(bits, windows, offsets, {maskHeight, maskWidth}) -> Int32Array index map;
//   cropsToRle(bits, windows, offsets, {maskHeight, maskWidth}) -> {offsets, counts} (COCO RLE).
#include <string>

#include "../core/mask_measures.h"
#include "../core/mask_paint.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "crop_args.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

struct MaskSize {
  int height, width;
};

MaskSize readMaskSize(const Napi::Object& o) {
  const int height = intField(o, "maskHeight", 1, 1 << 20), width = intField(o, "maskWidth", 1, 1 << 20);
  if (static_cast<uint64_t>(height) * width >= (uint64_t{1} << 32))
    throw ArgumentError{"masks of 2^32 pixels or more are not supported (COCO RLE counts are 32-bit)"};
  return {height, width};
}

// Per-mask lists flattened to {offsets (n + 1), values}.
template <typename T>
void flatten(const std::vector<std::vector<T>>& lists, std::vector<uint32_t>& offsets, std::vector<T>& values) {
  offsets.assign(lists.size() + 1, 0);
  for (size_t i = 0; i < lists.size(); ++i) offsets[i + 1] = offsets[i] + static_cast<uint32_t>(lists[i].size());
  values.resize(offsets.back());
  for (size_t i = 0; i < lists.size(); ++i) std::copy(lists[i].begin(), lists[i].end(), values.begin() + offsets[i]);
}

class MeasureWorker : public PromiseWorker {
 public:
  MeasureWorker(Napi::Env env, OwnedCrops crops, OwnedArray<int32_t> rects, bool withRects, OwnedArray<int32_t> pixels,
                bool withPixels)
      : PromiseWorker(env),
        crops_(std::move(crops)),
        rects_(std::move(rects)),
        pixels_(std::move(pixels)),
        withRects_(withRects),
        withPixels_(withPixels) {}

 private:
  void Run() override {
    const fastsam::CropSet set = crops_.view();
    const size_t n = set.count, rectCount = rects_.size() / 4;
    areas_.resize(n);
    bounds_.resize(n * 4);
    inside_.assign(withRects_ ? rectCount * n : 0, 0);
    hits_.resize(withPixels_ ? n : 0);
    fastsam::parallelFor(n, [&](size_t i) {
      const fastsam::MaskStats s = fastsam::maskStats(set[i]);
      areas_[i] = s.area;
      std::copy(s.bounds, s.bounds + 4, bounds_.begin() + i * 4);
      if (withRects_) {
        const std::vector<uint32_t> inside = fastsam::pixelsInside(set[i], rects_.data(), rectCount);
        for (size_t r = 0; r < rectCount; ++r) inside_[r * n + i] = inside[r];  // rect-major, as rules.ts reads it
      }
      if (withPixels_) hits_[i] = fastsam::pixelsHeld(set[i], pixels_.data(), pixels_.size() / 2);
    });
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("areas", toTypedArray(env, std::move(areas_)));
    o.Set("bounds", toTypedArray(env, std::move(bounds_)));
    if (withRects_) o.Set("inside", toTypedArray(env, std::move(inside_)));
    if (withPixels_) {
      std::vector<uint32_t> offsets, pixels;
      flatten(hits_, offsets, pixels);
      o.Set("hitOffsets", toTypedArray(env, std::move(offsets)));
      o.Set("hitPixels", toTypedArray(env, std::move(pixels)));
    }
    return o;
  }

  OwnedCrops crops_;
  OwnedArray<int32_t> rects_, pixels_;
  bool withRects_, withPixels_;
  std::vector<uint32_t> areas_, inside_;
  std::vector<int32_t> bounds_;
  std::vector<std::vector<uint32_t>> hits_;
};

class PaintWorker : public PromiseWorker {
 public:
  PaintWorker(Napi::Env env, OwnedCrops crops, std::vector<fastsam::PaintOp> ops, MaskSize size)
      : PromiseWorker(env), crops_(std::move(crops)), ops_(std::move(ops)), size_(size) {}

 private:
  void Run() override { crop_ = fastsam::paintPlan(crops_.view(), ops_, size_.height, size_.width); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("window", toTypedArray(env, std::vector<int32_t>{crop_.x, crop_.y, crop_.width, crop_.height}));
    o.Set("bits", toTypedArray(env, std::move(crop_.bits)));
    return o;
  }

  OwnedCrops crops_;
  std::vector<fastsam::PaintOp> ops_;
  MaskSize size_;
  fastsam::MaskCrop crop_;
};

class NearWorker : public PromiseWorker {
 public:
  NearWorker(Napi::Env env, OwnedArray<double> boxes, OwnedArray<int32_t> pixels, double reach)
      : PromiseWorker(env), boxes_(std::move(boxes)), pixels_(std::move(pixels)), reach_(reach) {}

 private:
  void Run() override {
    near_ = fastsam::boxesNearPixels(boxes_.data(), boxes_.size() / 4, pixels_.data(), pixels_.size() / 2, reach_);
  }
  Napi::Value Result(Napi::Env env) override { return toTypedArray(env, std::move(near_)); }

  OwnedArray<double> boxes_;
  OwnedArray<int32_t> pixels_;
  double reach_;
  std::vector<uint32_t> near_;
};

class IndexMapWorker : public PromiseWorker {
 public:
  IndexMapWorker(Napi::Env env, OwnedCrops crops, MaskSize size)
      : PromiseWorker(env), crops_(std::move(crops)), size_(size) {}

 private:
  void Run() override { index_ = fastsam::smallestOnTop(crops_.view(), size_.height, size_.width); }
  Napi::Value Result(Napi::Env env) override { return toTypedArray(env, std::move(index_)); }

  OwnedCrops crops_;
  MaskSize size_;
  std::vector<int32_t> index_;
};

class CropRleWorker : public PromiseWorker {
 public:
  CropRleWorker(Napi::Env env, OwnedCrops crops, MaskSize size)
      : PromiseWorker(env), crops_(std::move(crops)), size_(size) {}

 private:
  void Run() override {
    const fastsam::CropSet set = crops_.view();
    rles_.resize(set.count);
    fastsam::parallelFor(set.count, [&](size_t i) { rles_[i] = fastsam::cropRle(set[i], size_.height, size_.width); });
  }
  Napi::Value Result(Napi::Env env) override {
    std::vector<uint32_t> offsets, counts;
    flatten(rles_, offsets, counts);
    Napi::Object o = Napi::Object::New(env);
    o.Set("offsets", toTypedArray(env, std::move(offsets)));
    o.Set("counts", toTypedArray(env, std::move(counts)));
    return o;
  }

  OwnedCrops crops_;
  MaskSize size_;
  std::vector<std::vector<uint32_t>> rles_;
};

OwnedArray<int32_t> readPairs(const Napi::Object& o, const char* key, size_t width, bool* present) {
  OwnedArray<int32_t> values = copyField<int32_t>(o, key, present);
  if (values.size() % width != 0)
    throw ArgumentError{std::string("option '") + key + "' must hold " + std::to_string(width) + " values per entry"};
  return values;
}

}  // namespace

Napi::Value MeasureMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    OwnedCrops crops = readCrops(info, 0);
    Napi::Object o = objectArg(info, 3, "options");
    bool withRects = false, withPixels = false;
    OwnedArray<int32_t> rects = readPairs(o, "rects", 4, &withRects);
    OwnedArray<int32_t> pixels = readPairs(o, "pixels", 2, &withPixels);
    return (new MeasureWorker(info.Env(), std::move(crops), std::move(rects), withRects, std::move(pixels), withPixels))
        ->Queue();
  });
}

Napi::Value PaintMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 3, "options");
    const MaskSize size = readMaskSize(o);
    OwnedCrops crops = readCrops(info, 0, size.height, size.width);
    bool present = false;
    const OwnedArray<int32_t> flat = readPairs(o, "ops", 3, &present);
    std::vector<fastsam::PaintOp> ops(flat.size() / 3);
    for (size_t k = 0; k < ops.size(); ++k) {
      const int32_t mask = flat[k * 3], kind = flat[k * 3 + 1];
      if (mask < 0 || static_cast<size_t>(mask) >= crops.count() || kind < 0 || kind > 2)
        throw ArgumentError{"option 'ops' entry " + std::to_string(k) +
                            " must be [mask index, 0 set | 1 clear | 2 add, amount]"};
      ops[k] = {static_cast<uint32_t>(mask), static_cast<fastsam::PaintKind>(kind), flat[k * 3 + 2]};
    }
    return (new PaintWorker(info.Env(), std::move(crops), std::move(ops), size))->Queue();
  });
}

Napi::Value MasksNearPoints(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    OwnedArray<double> boxes = copyArg<double>(info, 0, "boxes");
    OwnedArray<int32_t> pixels = copyArg<int32_t>(info, 1, "pixels");
    if (boxes.size() % 4 != 0 || pixels.size() % 2 != 0) throw ArgumentError{"boxes must be n x 4 and pixels m x 2"};
    const double reach = numberField(objectArg(info, 2, "options"), "reach");
    return (new NearWorker(info.Env(), std::move(boxes), std::move(pixels), reach))->Queue();
  });
}

Napi::Value SmallestOnTop(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    const MaskSize size = readMaskSize(objectArg(info, 3, "options"));
    return (new IndexMapWorker(info.Env(), readCrops(info, 0, size.height, size.width), size))->Queue();
  });
}

Napi::Value CropsToRle(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    const MaskSize size = readMaskSize(objectArg(info, 3, "options"));
    return (new CropRleWorker(info.Env(), readCrops(info, 0, size.height, size.width), size))->Queue();
  });
}

}  // namespace fastsam_binding
