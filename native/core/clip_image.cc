#include "clip_image.h"

namespace fastsam {

ClipImage::ClipImage(std::unique_ptr<const PixelOwner> pixels, int width, int height, const ClipGeometry& geometry)
    : pixels_(std::move(pixels)),
      rgb_(pixels_->data()),
      width_(width),
      height_(height),
      geometry_(geometry),
      plan_(width, height, geometry.resizedWidth, geometry.resizedHeight,
            OutputRegion{geometry.left, geometry.top, geometry.width, geometry.height}) {}

void ClipImage::pixels(PixelWindow window, uint8_t* out, bool reuse) {
  const ImageResize* cache = nullptr;
  if (reuse) {
    if (!cached_.load(std::memory_order_acquire)) {
      std::lock_guard<std::mutex> lock(cacheMutex_);
      if (!cached_.load(std::memory_order_relaxed)) {
        cache_ = plan_.imageResize(rgb_);
        cached_.store(true, std::memory_order_release);
      }
    }
    cache = &cache_;
  }
  plan_.resize(rgb_, window, out, cache);
}

void normalisePlanar(const uint8_t* pixels, size_t plane, const float* tables, float* out) {
  const float *r = tables, *g = tables + 256, *b = tables + 512;
  for (size_t i = 0, p = 0; i < plane; ++i, p += 3) {
    out[i] = r[pixels[p]];
    out[plane + i] = g[pixels[p + 1]];
    out[2 * plane + i] = b[pixels[p + 2]];
  }
}

}  // namespace fastsam
