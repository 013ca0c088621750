// letterboxGeometry(options) -> geometry (synchronous: arithmetic only);
// letterbox(pixels, options, tensor?) -> Promise<geometry>: one image into `tensor` at options.offset, or,
//   without a tensor, into a new one returned as geometry.tensor;
// letterboxBatch(images, options) -> Promise<{tensor, geometries}>: images ({rgb, width, height}) into one
//   new [slots, 3, H, W] tensor (options.slots, default one per image; the rest stay 0), in parallel.
// New tensors are plain ArrayBuffers allocated here before going async and written off the JS thread: no JS
// code can reach (or detach) them before they resolve, and they stay transferable to a worker thread.
#include <optional>

#include "../core/letterbox.h"
#include "../core/parallel.h"
#include "bindings.h"
#include "convert.h"
#include "promise_worker.h"
#include "results_js.h"

namespace fastsam_binding {

namespace {

struct LetterboxRequest {
  int newH, newW, stride;
  bool autoPad, scaleUp;
};

LetterboxRequest readRequest(const Napi::Object& o) {
  return {intField(o, "newHeight", 1, 1 << 16), intField(o, "newWidth", 1, 1 << 16), intField(o, "stride", 1, 1024),
          boolField(o, "auto"), boolField(o, "scaleUp")};
}

// One image: a copy of its pixels, its size and its geometry.
struct OwnedImage {
  OwnedArray<uint8_t> rgb;
  int width, height;
  fastsam::LetterboxGeometry g;
  size_t tensorSize() const { return static_cast<size_t>(g.outWidth) * g.outHeight * 3; }
};

OwnedImage readImage(const Napi::Uint8Array& rgb, int width, int height, const LetterboxRequest& r) {
  checkAttached(rgb, "pixels");
  if (rgb.ElementLength() != static_cast<size_t>(width) * height * 3)
    throw ArgumentError{"pixels must hold width * height * 3 RGB bytes"};
  const fastsam::LetterboxGeometry g =
      fastsam::computeLetterbox(height, width, r.newH, r.newW, r.autoPad, r.scaleUp, r.stride);
  if (g.unpadWidth < 1 || g.unpadHeight < 1) throw ArgumentError{"image is too small to letterbox"};
  return {copyOf(rgb), width, height, g};
}

// A float tensor allocated as a JS ArrayBuffer on the JS thread and held until the work resolves with it.
class OutputTensor {
 public:
  OutputTensor(Napi::Env env, size_t count)
      : buffer_(Napi::Persistent(Napi::ArrayBuffer::New(env, count * sizeof(float)))),
        data_(static_cast<float*>(buffer_.Value().Data())),
        count_(count) {}
  float* data() const { return data_; }
  Napi::Float32Array toJs() const { return Napi::Float32Array::New(buffer_.Env(), count_, buffer_.Value(), 0); }

 private:
  Napi::Reference<Napi::ArrayBuffer> buffer_;
  float* data_;
  size_t count_;
};

class LetterboxWorker : public PromiseWorker {
 public:
  // `target` (may be empty): the caller's tensor, written at `offset` back on the JS thread; without one,
  // a new tensor is allocated now and resolved with.
  LetterboxWorker(Napi::Env env, OwnedImage image, Napi::Float32Array target, size_t offset)
      : PromiseWorker(env), image_(std::move(image)), offset_(offset) {
    if (target.IsEmpty())
      fresh_.emplace(env, image_.tensorSize());
    else
      target_ = Napi::Persistent(target);
  }

 private:
  void Run() override {
    float* out = fresh_ ? fresh_->data() : (own_.resize(image_.tensorSize()), own_.data());
    fastsam::letterboxToTensor(image_.rgb.data(), image_.width, image_.height, image_.g, out);
    image_.rgb.reset();  // done with the copy: back to the pool before JS gets control back
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object geometry = letterboxGeometryToJs(env, image_.g, image_.height, image_.width);
    if (fresh_) {
      geometry.Set("tensor", fresh_->toJs());
      return geometry;
    }
    // Still attached and still large enough? A tensor transferred away while the work ran is an error
    // for the caller, never a write into freed memory.
    Napi::Float32Array target = target_.Value().As<Napi::Float32Array>();
    if (target.ArrayBuffer().IsDetached() || target.ElementLength() < offset_ + own_.size())
      throw codedError(env, codes::kBadOption, "the tensor was detached (transferred) while the letterbox ran", true);
    std::copy(own_.begin(), own_.end(), target.Data() + offset_);
    return geometry;
  }

  OwnedImage image_;
  size_t offset_;
  Napi::Reference<Napi::Float32Array> target_;
  std::optional<OutputTensor> fresh_;
  std::vector<float> own_;  // with a caller's tensor: the result until it is written back
};

class BatchWorker : public PromiseWorker {
 public:
  BatchWorker(Napi::Env env, std::vector<OwnedImage> images, size_t slots)
      : PromiseWorker(env), images_(std::move(images)), out_(env, images_.front().tensorSize() * slots) {}

 private:
  void Run() override {
    const size_t plane = images_.front().tensorSize();
    fastsam::parallelFor(images_.size(), [&](size_t i) {
      OwnedImage& im = images_[i];
      fastsam::letterboxToTensor(im.rgb.data(), im.width, im.height, im.g, out_.data() + i * plane);
      im.rgb.reset();
    });
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Array geometries = Napi::Array::New(env, images_.size());
    for (size_t i = 0; i < images_.size(); ++i)
      geometries.Set(static_cast<uint32_t>(i),
                     letterboxGeometryToJs(env, images_[i].g, images_[i].height, images_[i].width));
    Napi::Object o = Napi::Object::New(env);
    o.Set("tensor", out_.toJs());
    o.Set("geometries", geometries);
    return o;
  }

  std::vector<OwnedImage> images_;
  OutputTensor out_;  // zero-filled by the allocation: slots past the images stay blank
};

}  // namespace

Napi::Value LetterboxGeometry(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Object o = objectArg(info, 0, "options");
    const int h = intField(o, "height", 1, 1 << 20), w = intField(o, "width", 1, 1 << 20);
    LetterboxRequest r = readRequest(o);
    return letterboxGeometryToJs(info.Env(),
                                 fastsam::computeLetterbox(h, w, r.newH, r.newW, r.autoPad, r.scaleUp, r.stride), h, w);
  });
}

Napi::Value Letterbox(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    Napi::Uint8Array rgb = typedArrayArg<uint8_t>(info, 0, "pixels");
    Napi::Object o = objectArg(info, 1, "options");
    const int h = intField(o, "height", 1, 1 << 20), w = intField(o, "width", 1, 1 << 20);
    OwnedImage image = readImage(rgb, w, h, readRequest(o));
    Napi::Float32Array tensor;
    size_t offset = 0;
    if (info.Length() > 2 && !info[2].IsUndefined()) {
      tensor = typedArrayArg<float>(info, 2, "tensor");
      offset = static_cast<size_t>(intField(o, "offset", 0, 0x7fffffff));
      if (offset + image.tensorSize() > tensor.ElementLength())
        throw ArgumentError{"tensor is too small for the letterboxed image"};
    }
    return (new LetterboxWorker(info.Env(), std::move(image), tensor, offset))->Queue();
  });
}

Napi::Value LetterboxBatch(const Napi::CallbackInfo& info) {
  return guard(info, [&]() -> Napi::Value {
    if (info.Length() < 1 || !info[0].IsArray() || info[0].As<Napi::Array>().Length() == 0)
      throw ArgumentError{"images must be a non-empty array of {rgb, width, height}"};
    Napi::Array list = info[0].As<Napi::Array>();
    Napi::Object o = objectArg(info, 1, "options");
    const LetterboxRequest r = readRequest(o);
    const size_t slots =
        o.Get("slots").IsUndefined() ? list.Length() : static_cast<size_t>(intField(o, "slots", 1, 4096));
    if (slots < list.Length()) throw ArgumentError{"option 'slots' must be at least the number of images"};
    std::vector<OwnedImage> images;
    for (uint32_t i = 0; i < list.Length(); ++i) {
      Napi::Value item = list.Get(i);
      if (!item.IsObject()) throw ArgumentError{"each image must be {rgb, width, height}"};
      Napi::Object image = item.As<Napi::Object>();
      Napi::Value rgb = image.Get("rgb");
      if (!isTypedArrayOf<uint8_t>(rgb)) throw ArgumentError{"image.rgb must be a Uint8Array"};
      images.push_back(readImage(rgb.As<Napi::Uint8Array>(), intField(image, "width", 1, 1 << 20),
                                 intField(image, "height", 1, 1 << 20), r));
      if (images.back().tensorSize() != images.front().tensorSize())
        throw ArgumentError{"the images letterbox to different sizes: one batch needs one size (auto: false)"};
    }
    return (new BatchWorker(info.Env(), std::move(images), slots))->Queue();
  });
}

}  // namespace fastsam_binding
