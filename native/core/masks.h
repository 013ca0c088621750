// Mask assembly: coefficients x prototypes -> bilinear upsample -> box crop -> logit > 0 (spec 3.3),
// computed only inside each mask's box so 300 masks of a 12 MP photo stay small.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "bilinear.h"

namespace fastsam {

// A mask materialised inside its window; everything outside the window is 0.
struct MaskCrop {
  int x = 0, y = 0, width = 0, height = 0;  // window in mask coordinates
  std::vector<uint8_t> bits;                // width * height, row-major, 0 or 1
};

// A half-open index range [begin, end).
struct Span {
  int begin = 0, end = 0;
  bool empty() const { return end <= begin; }
};

enum class MaskMode {
  Letterbox,  // process_mask(upsample=True): crop at prototype resolution, upsample to the input size
  Native,     // process_mask_native (retina): slice off the padding, upsample to the original, crop
};

struct MaskGeometry {
  MaskMode mode = MaskMode::Letterbox;
  int inputH = 0, inputW = 0;  // letterboxed network input
  int outH = 0, outW = 0;      // mask size: input size (Letterbox) or original image size (Native)
};

// The prototype region that is upsampled: all of it (Letterbox), or the part inside the letterbox
// padding (Native), in prototype cells.
struct ProtoRegion {
  int top = 0, left = 0, height = 0, width = 0;
};
ProtoRegion protoRegion(int protoH, int protoW, const MaskGeometry& geometry);

// Source cells kept by the crop (relative to the region) and the output window that can be non-zero.
struct MaskWindow {
  Span srcCols, srcRows, outCols, outRows;
};
// False when the mask is empty (box outside the frame, NaN box, empty region). Shared by the CPU renderer
// and the GPU mask kernels, so both materialise exactly the same windows.
bool maskWindow(const float* box, int protoH, int protoW, const ProtoRegion& region, const MaskGeometry& geometry,
                MaskWindow& w);

// One image's prototypes, transposed from [nm][protoH][protoW] to [protoH][protoW][nm] so each logit is
// one contiguous dot product. Built once per image and shared by every renderer of it.
struct Prototypes {
  Prototypes(const float* chw, int nm, int protoH, int protoW);
  std::vector<float> hwc;
  int nm, protoH, protoW;
};

class MaskRenderer {
 public:
  // `protos` is [nm][protoH][protoW] (transposed into a Prototypes of its own).
  MaskRenderer(const float* protos, int nm, int protoH, int protoW, const MaskGeometry& geometry);
  // Renders from prototypes someone else keeps alive while the renderer is used.
  MaskRenderer(const Prototypes& protos, const MaskGeometry& geometry);

  // `coef` holds nm coefficients; `box` is xyxy in input coordinates (Letterbox) or original (Native).
  MaskCrop render(const float* coef, const float* box) const;

  // The same mask as COCO uncompressed RLE over the full outH x outW frame (column-major), computed
  // column by column without materialising a bitmap.
  std::vector<uint32_t> renderRle(const float* coef, const float* box) const;

  // For plots: writes `value` into index[y * outW + x] at the mask's pixels whose `assigned` byte is still
  // 0, and sets those bytes. Rows of the window with nothing left to assign are skipped before any
  // interpolation, so painting many overlapping masks costs little more than the first few.
  // Only rows [rowBegin, rowEnd) are touched, so bands of rows can be painted by different threads.
  void paintUnassigned(const float* coef, const float* box, int32_t value, int32_t* index, uint8_t* assigned,
                       int rowBegin, int rowEnd) const;

  // The mask's area estimated at prototype resolution (cells with logit > 0 inside the crop, scaled to
  // output pixels): enough to order masks by size without rendering them.
  double approximateArea(const float* coef, const float* box) const;

 private:
  // The output window and its horizontally interpolated source rows (first stage of the upsample).
  struct RowInterpolation {
    int x = 0, y = 0, width = 0, height = 0;  // output window
    int firstSrcRow = 0, srcRows = 0;
    std::vector<LinearTap> yt;      // vertical taps of the window's rows
    std::vector<float> horizontal;  // srcRows x width
    const float* row(int srcRow) const { return &horizontal[static_cast<size_t>(srcRow - firstSrcRow) * width]; }
  };

  bool window(const float* box, MaskWindow& w) const {
    return maskWindow(box, protoH_, protoW_, region_, geometry_, w);
  }

  // Rows [rowBegin, rowEnd) of the window only (a band's share), or all of them by default.
  bool interpolateRows(const float* coef, const float* box, RowInterpolation& out, int rowBegin = 0,
                       int rowEnd = 1 << 30) const;
  float logit(const float* coef, int row, int col) const;

  MaskRenderer(std::unique_ptr<const Prototypes> owned, const MaskGeometry& geometry,
               const Prototypes* borrowed = nullptr);

  // (No shared_ptr: its refcount pulls in glibc 2.32's __libc_single_threaded, and the prebuilt addon
  // must load on glibc 2.28.)
  std::unique_ptr<const Prototypes> owned_;
  const Prototypes* protos_;
  int nm_, protoH_, protoW_;
  MaskGeometry geometry_;
  ProtoRegion region_;  // the prototype cells that are upsampled
};

}  // namespace fastsam
