// Pillow's bicubic resize of 8-bit RGB, bit for bit (Image.resize(size, BICUBIC), which CLIP's
// preprocess calls): a separable convolution with the a = -0.5 cubic kernel widened by the downscale
// factor (so it antialiases), coefficients in 22-bit fixed point, a horizontal pass into an 8-bit image,
// then a vertical pass (Pillow's Resample.c). sharp's (libvips) cubic differs from Pillow's pixels.
//
// The source is an image seen through a window: pixels outside it read as white (255). That is the
// FastSAM reference's CLIP crop (the mask's box pasted on a white canvas of the whole image) without
// building the canvas; only the output pixels whose kernels reach into the window are computed, the
// others are the resized white canvas, computed once per plan. For many windows on one image, the
// image's own resize is kept too (ImageResize), and a window costs only the band where kernels cross its
// edges.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

namespace fastsam {

// One axis of Pillow's precompute_coeffs + normalize_coeffs_8bpc: for each output position in [from, to),
// the first source index, the tap count, and `ksize` fixed-point weights. Only the wanted positions are
// computed: a thin crop's centre square may be a few hundred positions of millions.
struct AxisCoefficients {
  int inSize = 0, outSize = 0, ksize = 0, from = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;
  int firstOf(int out) const { return first[out - from]; }
  int countOf(int out) const { return count[out - from]; }
  const int32_t* weightsOf(int out) const { return &weights[static_cast<size_t>(out - from) * ksize]; }
};
AxisCoefficients axisCoefficients(int inSize, int outSize, int from, int to);

// [x0, y0, x1, y1): the source pixels that are the image's own; everything else reads as white.
struct PixelWindow {
  int x0 = 0, y0 = 0, x1 = 0, y1 = 0;
};

// The output region wanted from the resize (e.g. the centre crop).
struct OutputRegion {
  int x = 0, y = 0, width = 0, height = 0;
};

// The image-wide passes of one image, kept for many windows on it.
struct ImageResize {
  int srcY0 = 0;                  // first source row of `rows`
  std::vector<uint8_t> rows;      // horizontal pass of every source row the region reads, region columns
  std::vector<uint8_t> full;      // the whole resized region
  std::vector<uint8_t> whiteRow;  // horizontal pass of an all-white row, region columns
};

// A resize of one source size to one output size, of which only `region` is wanted.
class BicubicPlan {
 public:
  BicubicPlan(int inWidth, int inHeight, int outWidth, int outHeight, OutputRegion region);

  const OutputRegion& region() const { return region_; }
  size_t regionBytes() const { return static_cast<size_t>(region_.width) * region_.height * 3; }

  // The image's own resize, for `resize(..., cache)`: computed once per image.
  ImageResize imageResize(const uint8_t* rgb) const;

  // The region of the resized image seen through `window`, region.width x region.height x 3 bytes into
  // out. With `cache` (this image's imageResize), only the band along the window's edges is computed.
  void resize(const uint8_t* rgb, PixelWindow window, uint8_t* out, const ImageResize* cache = nullptr) const;

 private:
  using Range = std::pair<int, int>;
  void resizeAll(const uint8_t* rgb, PixelWindow window, uint8_t* out) const;
  void resizeRect(const uint8_t* rgb, PixelWindow window, Range cols, Range rows, uint8_t* out) const;
  void resizeBand(const uint8_t* rgb, PixelWindow window, Range cols, Range rows, const ImageResize& cache,
                  uint8_t* out) const;
  Range sourceRows(Range rows) const;
  void verticalRow(const uint8_t* temp, int srcY0, int tempC0, int nCols, int yy, Range cols, uint8_t* out) const;
  void horizontalRow(const uint8_t* rgb, PixelWindow window, int sy, int c0, int c1, uint8_t* row) const;

  int inWidth_, inHeight_, outWidth_, outHeight_;
  OutputRegion region_;
  AxisCoefficients horizontal_, vertical_;
  bool needHorizontal_, needVertical_;  // Pillow skips a pass whose size does not change
  std::vector<uint8_t> white_;          // the region of the resized all-white image
};

}  // namespace fastsam
