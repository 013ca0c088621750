// One image prepared for CLIP's image preprocessing (lib/clip/preprocess.ts decides the geometry): its
// pixels (a copy it owns), Pillow's bicubic plan to the resized size with the centre crop as the wanted
// region, and, once a window needs it, the image's own resize, shared by every later window. Safe to use
// from several threads at once.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "bicubic.h"

namespace fastsam {

struct ClipGeometry {
  int resizedWidth = 0, resizedHeight = 0;       // CLIP: the shorter side at its input size
  int left = 0, top = 0, width = 0, height = 0;  // the crop of the resized image (CLIP: the centre square)
};

// Pixels kept alive for as long as a ClipImage lives (the binding's pooled copy, a test's vector).
struct PixelOwner {
  virtual ~PixelOwner() = default;
  virtual const uint8_t* data() const = 0;
};

class ClipImage {
 public:
  // `pixels`: width x height x 3 bytes.
  ClipImage(std::unique_ptr<const PixelOwner> pixels, int width, int height, const ClipGeometry& geometry);

  int width() const { return width_; }
  int height() const { return height_; }
  const ClipGeometry& geometry() const { return geometry_; }
  size_t cropPixels() const { return static_cast<size_t>(geometry_.width) * geometry_.height; }

  // The crop (geometry.width x geometry.height x 3 bytes) CLIP sees with the image's pixels outside `window` white (the
  // reference's crop). `reuse` keeps the image's own resize for the next windows: for many windows on one image.
  void pixels(PixelWindow window, uint8_t* out, bool reuse);

 private:
  std::unique_ptr<const PixelOwner> pixels_;
  const uint8_t* rgb_;
  int width_, height_;
  ClipGeometry geometry_;
  BicubicPlan plan_;
  // Computed once, by the first window that reuses it (a mutex and a flag: std::call_once would need
  // glibc 2.34's pthread_once, and the prebuilt addon must load on glibc 2.28).
  std::mutex cacheMutex_;
  std::atomic<bool> cached_{false};
  ImageResize cache_;
};

// `pixels` interleaved RGB bytes to planar floats through per-channel tables (3 x 256: the float32
// normalisation of each byte value, computed once in JS).
void normalisePlanar(const uint8_t* pixels, size_t count, const float* tables, float* out);

}  // namespace fastsam
