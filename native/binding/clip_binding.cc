// CLIP's image preprocessing, natively (Pillow's bicubic resize, centre crop, normalisation):
//   clipImage(rgb, {width, height, resizedWidth, resizedHeight, left, top, cropWidth, cropHeight})
//     -> Promise<handle>: copies the pixels once and builds the resize plan off the JS thread;
//   clipPreprocess(handle, windows, {reuse}, tables?) -> Promise<Float32Array | Uint8Array>
//     one crop per window (n x [x0, y0, x1, y1), pixels outside white): n x 3 x cropHeight x cropWidth
//     planar floats through the normalisation tables (3 x 256), or without them interleaved bytes.
// A handle keeps its image, plan and the image's own resize (with `reuse`) for every later call.
#include <algorithm>
#include <memory>
#include <string>

#include "../core/clip_image.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "promise_worker.h"

namespace fastsam_binding {

namespace {

// The handle is an External owning the ClipImage; a worker using it holds a reference to the External,
// so the image cannot be collected while the work runs.
using Handle = Napi::External<fastsam::ClipImage>;

// Marks handles made here, so a foreign external is refused instead of being read as ours.
constexpr napi_type_tag kClipImageTag = {0x6d1c0e3b8f2a4c57ULL, 0x9a5e21d47b3c6f08ULL};

// The pooled copy of the pixels, owned by the ClipImage.
struct PooledPixels : fastsam::PixelOwner {
  explicit PooledPixels(OwnedArray<uint8_t> rgb) : bytes(std::move(rgb)) {}
  const uint8_t* data() const override { return bytes.data(); }
  OwnedArray<uint8_t> bytes;
};

class CreateWorker : public PromiseWorker {
 public:
  CreateWorker(Napi::Env env, OwnedArray<uint8_t> rgb, int width, int height, fastsam::ClipGeometry geometry)
      : PromiseWorker(env),
        rgb_(std::make_unique<PooledPixels>(std::move(rgb))),
        width_(width),
        height_(height),
        geometry_(geometry) {}

 private:
  void Run() override { image_ = std::make_unique<fastsam::ClipImage>(std::move(rgb_), width_, height_, geometry_); }
  Napi::Value Result(Napi::Env env) override {
    Handle handle = Handle::New(env, image_.release(), [](Napi::Env, fastsam::ClipImage* owned) { delete owned; });
    handle.TypeTag(&kClipImageTag);
    return handle;
  }

  std::unique_ptr<PooledPixels> rgb_;
  int width_, height_;
  fastsam::ClipGeometry geometry_;
  std::unique_ptr<fastsam::ClipImage> image_;
};

class PreprocessWorker : public PromiseWorker {
 public:
  PreprocessWorker(Napi::Env env, Handle handle, std::vector<fastsam::PixelWindow> windows, bool reuse,
                   OwnedArray<float> tables)
      : PromiseWorker(env),
        handle_(Napi::Persistent(handle)),
        image_(handle.Data()),
        windows_(std::move(windows)),
        reuse_(reuse),
        tables_(std::move(tables)) {}

 private:
  void Run() override {
    const size_t n = windows_.size(), plane = image_->cropPixels(), pixels = plane * 3;
    if (tables_.empty()) {
      bytes_.resize(n * pixels);
      fastsam::parallelFor(n, [&](size_t i) { image_->pixels(windows_[i], &bytes_[i * pixels], reuse_); });
      return;
    }
    floats_.resize(n * pixels);
    fastsam::parallelFor(n, [&](size_t i) {
      std::vector<uint8_t> crop(pixels);
      image_->pixels(windows_[i], crop.data(), reuse_);
      fastsam::normalisePlanar(crop.data(), plane, tables_.data(), &floats_[i * pixels]);
    });
  }
  Napi::Value Result(Napi::Env env) override {
    return tables_.empty() ? Napi::Value(toTypedArray(env, std::move(bytes_)))
                           : Napi::Value(toTypedArray(env, std::move(floats_)));
  }

  Napi::Reference<Handle> handle_;  // keeps the image alive until the worker is done (released on the JS thread)
  fastsam::ClipImage* image_;
  std::vector<fastsam::PixelWindow> windows_;
  bool reuse_;
  OwnedArray<float> tables_;
  std::vector<uint8_t> bytes_;
  std::vector<float> floats_;
};

}  // namespace

Napi::Value ClipImage(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array rgb = typedArrayArg<uint8_t>(info, 0, "rgb");
    Napi::Object o = objectArg(info, 1, "options");
    const int width = intField(o, "width", 1, 1 << 20), height = intField(o, "height", 1, 1 << 20);
    if (rgb.ElementLength() != static_cast<size_t>(width) * height * 3)
      throw ArgumentError{"rgb must hold width * height * 3 bytes"};
    fastsam::ClipGeometry g;
    // A thin crop resizes to a long thin image (224 x 224 * long / short), of which the centre square is kept.
    g.resizedWidth = intField(o, "resizedWidth", 1, 0x7fffffff);
    g.resizedHeight = intField(o, "resizedHeight", 1, 0x7fffffff);
    g.left = intField(o, "left", 0, g.resizedWidth - 1);
    g.top = intField(o, "top", 0, g.resizedHeight - 1);
    g.width = intField(o, "cropWidth", 1, std::min(g.resizedWidth - g.left, 1 << 14));
    g.height = intField(o, "cropHeight", 1, std::min(g.resizedHeight - g.top, 1 << 14));
    return (new CreateWorker(info.Env(), copyOf(rgb), width, height, g))->Queue();
  });
}

Napi::Value ClipPreprocess(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsExternal() || !info[0].As<Handle>().CheckTypeTag(&kClipImageTag))
      throw ArgumentError{"handle must be what clipImage() returned"};
    Handle handle = info[0].As<Handle>();
    const fastsam::ClipImage* image = handle.Data();
    const OwnedArray<int32_t> flat = copyArg<int32_t>(info, 1, "windows");
    if (flat.size() % 4 != 0) throw ArgumentError{"windows must be n x [x0, y0, x1, y1]"};
    const bool reuse = boolField(objectArg(info, 2, "options"), "reuse");
    OwnedArray<float> tables;
    if (info.Length() > 3 && !info[3].IsUndefined()) {
      tables = copyArg<float>(info, 3, "tables");
      if (tables.size() != 3 * 256) throw ArgumentError{"tables must hold 3 x 256 values"};
    }
    std::vector<fastsam::PixelWindow> windows(flat.size() / 4);
    for (size_t i = 0; i < windows.size(); ++i) {
      // Clamped to the image: a window is only where the image's own pixels show.
      const int32_t* w = &flat[i * 4];
      windows[i] = {std::clamp(w[0], 0, image->width()), std::clamp(w[1], 0, image->height()),
                    std::clamp(w[2], 0, image->width()), std::clamp(w[3], 0, image->height())};
    }
    return (new PreprocessWorker(info.Env(), handle, std::move(windows), reuse, std::move(tables)))->Queue();
  });
}

}  // namespace fastsam_binding
