#include "clip_image.h"

namespace fastsam {

ClipImage::ClipImage(const uint8_t* rgb, std::shared_ptr<const void> owner, int width, int height,
                     const ClipGeometry& geometry)
    : rgb_(rgb),
      owner_(std::move(owner)),
      width_(width),
      height_(height),
      geometry_(geometry),
      plan_(width, height, geometry.resizedWidth, geometry.resizedHeight,
            OutputRegion{geometry.left, geometry.top, geometry.width, geometry.height}) {}

void ClipImage::pixels(PixelWindow window, uint8_t* out, bool reuse) {
  const ImageResize* cache = nullptr;
  if (reuse) {
    std::call_once(cacheOnce_, [&] { cache_ = plan_.imageResize(rgb_); });
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
