// renderMasks(protos, coef, boxes, options) -> Promise: masks materialised inside their boxes, as cropped
// bitmaps ({windows, bits, offsets}) or as COCO uncompressed RLE ({counts, offsets}).
#include <algorithm>
#include <string>
#include <thread>

#include "../core/masks.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

struct RenderRequest {
  int nm, protoH, protoW;
  fastsam::MaskGeometry geometry;
  bool rle;
};

RenderRequest readRequest(const Napi::Object& o) {
  RenderRequest r;
  r.nm = intField(o, "nm", 1, 4096);
  r.protoH = intField(o, "protoHeight", 1, 1 << 14);
  r.protoW = intField(o, "protoWidth", 1, 1 << 14);
  const std::string mode = stringField(o, "mode");
  if (mode != "letterbox" && mode != "native") throw ArgumentError{"option 'mode' must be 'letterbox' or 'native'"};
  r.geometry.mode = mode == "native" ? fastsam::MaskMode::Native : fastsam::MaskMode::Letterbox;
  r.geometry.inputH = intField(o, "inputHeight", 1, 1 << 16);
  r.geometry.inputW = intField(o, "inputWidth", 1, 1 << 16);
  r.geometry.outH = intField(o, "maskHeight", 1, 1 << 20);
  r.geometry.outW = intField(o, "maskWidth", 1, 1 << 20);
  const std::string format = stringField(o, "format");
  if (format != "crop" && format != "rle") throw ArgumentError{"option 'format' must be 'crop' or 'rle'"};
  r.rle = format == "rle";
  return r;
}

// The inputs every mask worker reads: prototypes, n x nm coefficients, n x 4 crop boxes.
class MaskInputsWorker : public PromiseWorker {
 public:
  MaskInputsWorker(Napi::Env env, const float* protos, const float* coef, const float* boxes, size_t count,
                   RenderRequest request)
      : PromiseWorker(env), protos_(protos), coef_(coef), boxes_(boxes), count_(count), request_(request) {}

 protected:
  fastsam::MaskRenderer renderer() const {
    return fastsam::MaskRenderer(protos_, request_.nm, request_.protoH, request_.protoW, request_.geometry);
  }
  const float* coef(size_t i) const { return coef_ + i * request_.nm; }
  const float* box(size_t i) const { return boxes_ + i * 4; }

  const float* protos_;
  const float* coef_;
  const float* boxes_;
  size_t count_;
  RenderRequest request_;
};

class RenderWorker : public MaskInputsWorker {
 public:
  using MaskInputsWorker::MaskInputsWorker;

 private:
  void Run() override {
    const fastsam::MaskRenderer renderer = this->renderer();
    if (request_.rle) {
      rles_.resize(count_);
    } else {
      crops_.resize(count_);
    }
    fastsam::parallelFor(count_, [&](size_t i) {
      if (request_.rle) {
        rles_[i] = renderer.renderRle(coef(i), box(i));
      } else {
        crops_[i] = renderer.render(coef(i), box(i));
      }
    });
  }

  Napi::Value Result(Napi::Env env) override { return request_.rle ? RleResult(env) : CropResult(env); }

  Napi::Value CropResult(Napi::Env env) {
    std::vector<int32_t> windows(count_ * 4);
    std::vector<double> offsets(count_ + 1, 0);
    for (size_t i = 0; i < count_; ++i) {
      const fastsam::MaskCrop& c = crops_[i];
      windows[i * 4] = c.x;
      windows[i * 4 + 1] = c.y;
      windows[i * 4 + 2] = c.width;
      windows[i * 4 + 3] = c.height;
      offsets[i + 1] = offsets[i] + static_cast<double>(c.bits.size());
    }
    std::vector<uint8_t> bits(static_cast<size_t>(offsets[count_]));
    for (size_t i = 0; i < count_; ++i)
      std::copy(crops_[i].bits.begin(), crops_[i].bits.end(), bits.begin() + static_cast<size_t>(offsets[i]));
    Napi::Object o = Napi::Object::New(env);
    o.Set("windows", toTypedArray(env, std::move(windows)));
    o.Set("offsets", toTypedArray(env, std::move(offsets)));
    o.Set("bits", toTypedArray(env, std::move(bits)));
    return o;
  }

  Napi::Value RleResult(Napi::Env env) {
    std::vector<uint32_t> offsets(count_ + 1, 0);
    for (size_t i = 0; i < count_; ++i) offsets[i + 1] = offsets[i] + static_cast<uint32_t>(rles_[i].size());
    std::vector<uint32_t> counts(offsets[count_]);
    for (size_t i = 0; i < count_; ++i) std::copy(rles_[i].begin(), rles_[i].end(), counts.begin() + offsets[i]);
    Napi::Object o = Napi::Object::New(env);
    o.Set("offsets", toTypedArray(env, std::move(offsets)));
    o.Set("counts", toTypedArray(env, std::move(counts)));
    return o;
  }

  std::vector<fastsam::MaskCrop> crops_;
  std::vector<std::vector<uint32_t>> rles_;
};

// Paints masks smallest first into one index map (-1 = no mask): what a plot needs, without rendering
// any mask in full. Sizes are estimated at prototype resolution to choose the order.
class IndexMapWorker : public MaskInputsWorker {
 public:
  using MaskInputsWorker::MaskInputsWorker;

 private:
  void Run() override {
    const fastsam::MaskRenderer renderer = this->renderer();
    std::vector<double> areas(count_);
    fastsam::parallelFor(count_, [&](size_t i) { areas[i] = renderer.approximateArea(coef(i), box(i)); });
    std::vector<size_t> order(count_);
    for (size_t i = 0; i < count_; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return areas[a] < areas[b]; });
    const size_t pixels = static_cast<size_t>(request_.geometry.outH) * request_.geometry.outW;
    index_.assign(pixels, -1);
    std::vector<uint8_t> assigned(pixels, 0);
    // Bands of rows in parallel: within a band, masks are painted in order (smallest first).
    const int height = request_.geometry.outH;
    const int bands = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    fastsam::parallelFor(static_cast<size_t>(bands), [&](size_t band) {
      const int rowBegin = static_cast<int>(height * band / bands),
                rowEnd = static_cast<int>(height * (band + 1) / bands);
      for (size_t i : order)
        renderer.paintUnassigned(coef(i), box(i), static_cast<int32_t>(i), index_.data(), assigned.data(), rowBegin,
                                 rowEnd);
    });
  }

  Napi::Value Result(Napi::Env env) override { return toTypedArray(env, std::move(index_)); }

  std::vector<int32_t> index_;
};

// protos, coef, boxes and the options object, as both entry points take them.
struct RenderArgs {
  Napi::Float32Array protos, coef, boxes;
  RenderRequest request;
  size_t count;
};

RenderArgs readRenderArgs(const Napi::CallbackInfo& info) {
  RenderArgs a{typedArrayArg<float>(info, 0, "protos"), typedArrayArg<float>(info, 1, "coef"),
               typedArrayArg<float>(info, 2, "boxes"), readRequest(objectArg(info, 3, "options")), 0};
  if (a.protos.ElementLength() != static_cast<size_t>(a.request.nm) * a.request.protoH * a.request.protoW)
    throw ArgumentError{"protos must hold nm * protoHeight * protoWidth values"};
  if (static_cast<uint64_t>(a.request.geometry.outH) * a.request.geometry.outW >= (uint64_t{1} << 32))
    throw ArgumentError{"masks of 2^32 pixels or more cannot be encoded (COCO RLE counts are 32-bit)"};
  a.count = a.boxes.ElementLength() / 4;
  if (a.boxes.ElementLength() % 4 != 0 || a.coef.ElementLength() != a.count * a.request.nm)
    throw ArgumentError{"boxes must be n x 4 and coef n x nm"};
  return a;
}

template <typename Worker>
Napi::Value queueRender(const Napi::CallbackInfo& info) {
  RenderArgs a = readRenderArgs(info);
  auto* worker = new Worker(info.Env(), a.protos.Data(), a.coef.Data(), a.boxes.Data(), a.count, a.request);
  worker->Hold(a.protos);
  worker->Hold(a.coef);
  worker->Hold(a.boxes);
  return worker->Queue();
}

}  // namespace

Napi::Value RenderMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return queueRender<RenderWorker>(info); });
}

Napi::Value PaintIndexMap(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return queueRender<IndexMapWorker>(info); });
}

}  // namespace fastsam_binding
