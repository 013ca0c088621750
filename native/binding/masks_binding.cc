// maskPrototypes(protos, {nm, protoHeight, protoWidth}) -> Promise<handle>: one image's prototypes copied and
//   transposed once (off the JS thread), for every later call on that image;
// renderMasks(protos | handle, coef, boxes, options) -> Promise: masks materialised inside their boxes, as
//   cropped bitmaps ({windows, bits, offsets}) or as COCO uncompressed RLE ({counts, offsets});
// paintIndexMap(protos | handle, coef, boxes, options) -> Promise<Int32Array>: smallest on top, for plots.
// A plain Float32Array of prototypes is copied (and transposed) for that call alone.
#include <algorithm>
#include <memory>
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

// A prototypes handle: an External owning the Prototypes. A worker rendering from it holds a reference
// to the External, so the prototypes cannot be collected while the work runs.
using Handle = Napi::External<fastsam::Prototypes>;

// Marks prototype handles made here, so a foreign external is refused instead of being read as ours.
constexpr napi_type_tag kPrototypesTag = {0x3f9a6c21d0e84b75ULL, 0x81c4e2a97b5d0f36ULL};

// The prototypes a mask worker renders from: a handle's (built before), or a copy to transpose off-thread.
struct PrototypesSource {
  Napi::Reference<Handle> handle;                  // with a handle: it, held until the worker is done
  const fastsam::Prototypes* borrowed = nullptr;   // ...and its prototypes
  std::unique_ptr<const fastsam::Prototypes> own;  // without: built from `raw`, off the JS thread
  OwnedArray<float> raw;
  int nm = 0, protoH = 0, protoW = 0;
  const fastsam::Prototypes& get() {
    if (borrowed) return *borrowed;
    if (!own) {
      own = std::make_unique<const fastsam::Prototypes>(raw.data(), nm, protoH, protoW);
      raw.reset();
    }
    return *own;
  }
};

// The inputs every mask worker reads: prototypes, n x nm coefficients, n x 4 crop boxes.
class MaskInputsWorker : public PromiseWorker {
 public:
  MaskInputsWorker(Napi::Env env, PrototypesSource protos, OwnedArray<float> coef, OwnedArray<float> boxes,
                   size_t count, RenderRequest request)
      : PromiseWorker(env),
        protos_(std::move(protos)),
        coef_(std::move(coef)),
        boxes_(std::move(boxes)),
        count_(count),
        request_(request) {}

 protected:
  fastsam::MaskRenderer renderer() { return fastsam::MaskRenderer(protos_.get(), request_.geometry); }
  const float* coef(size_t i) const { return coef_.data() + i * request_.nm; }
  const float* box(size_t i) const { return boxes_.data() + i * 4; }

  PrototypesSource protos_;
  OwnedArray<float> coef_, boxes_;
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

// protos (a Float32Array or a maskPrototypes handle), coef, boxes and the options object.
struct RenderArgs {
  PrototypesSource protos;
  OwnedArray<float> coef, boxes;
  RenderRequest request;
  size_t count = 0;
};

RenderArgs readRenderArgs(const Napi::CallbackInfo& info) {
  RenderArgs a;
  a.request = readRequest(objectArg(info, 3, "options"));
  const RenderRequest& r = a.request;
  if (info.Length() > 0 && info[0].IsExternal()) {
    Handle handle = info[0].As<Handle>();
    if (!handle.CheckTypeTag(&kPrototypesTag))
      throw ArgumentError{"protos must be a Float32Array or a maskPrototypes handle"};
    a.protos.handle = Napi::Persistent(handle);
    a.protos.borrowed = handle.Data();
    const fastsam::Prototypes& p = *a.protos.borrowed;
    if (p.nm != r.nm || p.protoH != r.protoH || p.protoW != r.protoW)
      throw ArgumentError{"the prototypes handle is for another nm, protoHeight or protoWidth"};
  } else {
    Napi::Float32Array protos = typedArrayArg<float>(info, 0, "protos");
    if (protos.ElementLength() != static_cast<size_t>(r.nm) * r.protoH * r.protoW)
      throw ArgumentError{"protos must hold nm * protoHeight * protoWidth values"};
    a.protos.raw = copyOf(protos);
    a.protos.nm = r.nm, a.protos.protoH = r.protoH, a.protos.protoW = r.protoW;
  }
  if (static_cast<uint64_t>(r.geometry.outH) * r.geometry.outW >= (uint64_t{1} << 32))
    throw ArgumentError{"masks of 2^32 pixels or more cannot be encoded (COCO RLE counts are 32-bit)"};
  Napi::Float32Array coef = typedArrayArg<float>(info, 1, "coef"), boxes = typedArrayArg<float>(info, 2, "boxes");
  a.count = boxes.ElementLength() / 4;
  if (boxes.ElementLength() % 4 != 0 || coef.ElementLength() != a.count * r.nm)
    throw ArgumentError{"boxes must be n x 4 and coef n x nm"};
  a.coef = copyOf(coef);
  a.boxes = copyOf(boxes);
  return a;
}

template <typename Worker>
Napi::Value queueRender(const Napi::CallbackInfo& info) {
  RenderArgs a = readRenderArgs(info);
  return (new Worker(info.Env(), std::move(a.protos), std::move(a.coef), std::move(a.boxes), a.count, a.request))
      ->Queue();
}

class PrototypesWorker : public PromiseWorker {
 public:
  PrototypesWorker(Napi::Env env, PrototypesSource source) : PromiseWorker(env), source_(std::move(source)) {}

 private:
  void Run() override { source_.get(); }  // the transposition, off the JS thread
  Napi::Value Result(Napi::Env env) override {
    Handle handle = Handle::New(env, const_cast<fastsam::Prototypes*>(source_.own.release()),
                                [](Napi::Env, fastsam::Prototypes* owned) { delete owned; });
    handle.TypeTag(&kPrototypesTag);
    return handle;
  }

  PrototypesSource source_;
};

}  // namespace

Napi::Value RenderMasks(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return queueRender<RenderWorker>(info); });
}

Napi::Value PaintIndexMap(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value { return queueRender<IndexMapWorker>(info); });
}

Napi::Value MaskPrototypes(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Float32Array protos = typedArrayArg<float>(info, 0, "protos");
    Napi::Object o = objectArg(info, 1, "options");
    PrototypesSource source;
    source.nm = intField(o, "nm", 1, 4096);
    source.protoH = intField(o, "protoHeight", 1, 1 << 14);
    source.protoW = intField(o, "protoWidth", 1, 1 << 14);
    if (protos.ElementLength() != static_cast<size_t>(source.nm) * source.protoH * source.protoW)
      throw ArgumentError{"protos must hold nm * protoHeight * protoWidth values"};
    source.raw = copyOf(protos);
    return (new PrototypesWorker(info.Env(), std::move(source)))->Queue();
  });
}

}  // namespace fastsam_binding
