#include "masks.h"

#include <algorithm>
#include <cmath>

#include "bilinear.h"
#include "rle.h"

namespace fastsam {

namespace {

// Integer indices i with lo <= i < hi (float compare, as crop_mask does), within [0, limit).
Span indicesInside(float lo, float hi, int limit) {
  if (!(lo == lo) || !(hi == hi)) return {};  // NaN box: nothing is inside
  const double b = std::max(0.0, std::ceil(static_cast<double>(lo)));
  const double e = std::min(static_cast<double>(limit), std::ceil(static_cast<double>(hi)));
  if (e <= b) return {};
  return {static_cast<int>(b), static_cast<int>(e)};
}

// Output indices whose bilinear taps reach a source index in `src` (others interpolate zeros only).
Span outputsTouching(const Span& src, int srcLen, int dstLen) {
  if (src.empty()) return {};
  const std::vector<LinearTap> taps = linearTaps(srcLen, dstLen, 0, dstLen);
  Span out{dstLen, 0};
  for (int d = 0; d < dstLen; ++d) {
    const LinearTap& t = taps[d];
    const bool touches = (t.i0 >= src.begin && t.i0 < src.end) || (t.i1 >= src.begin && t.i1 < src.end);
    if (touches) {
      out.begin = std::min(out.begin, d);
      out.end = std::max(out.end, d + 1);
    }
  }
  return out;
}

// One output row: blend two horizontally-interpolated rows and threshold at logit 0. `__restrict` tells
// the compiler the byte output cannot alias the floats, so the loop vectorises.
void verticalPass(const float* __restrict h0, const float* __restrict h1, float w0, float w1, int width,
                  uint8_t* __restrict out) {
  for (int x = 0; x < width; ++x) out[x] = (h0[x] * w0 + h1[x] * w1) > 0.f ? 1 : 0;
}

}  // namespace

ProtoRegion protoRegion(int protoH, int protoW, const MaskGeometry& geometry) {
  ProtoRegion r;
  if (geometry.mode == MaskMode::Native) {
    // process_mask_native: the padding as it appears at prototype resolution, truncated with int().
    const double gain =
        std::min(static_cast<double>(protoH) / geometry.outH, static_cast<double>(protoW) / geometry.outW);
    const double padW = (protoW - geometry.outW * gain) / 2;
    const double padH = (protoH - geometry.outH * gain) / 2;
    r.top = static_cast<int>(padH);
    r.left = static_cast<int>(padW);
    r.height = static_cast<int>(protoH - padH) - r.top;
    r.width = static_cast<int>(protoW - padW) - r.left;
  } else {
    r.height = protoH;
    r.width = protoW;
  }
  return r;
}

bool maskWindow(const float* box, int protoH, int protoW, const ProtoRegion& region, const MaskGeometry& geometry,
                MaskWindow& w) {
  const int srcH = region.height, srcW = region.width;
  if (srcH <= 0 || srcW <= 0) return false;
  const int outH = geometry.outH, outW = geometry.outW;
  // Source cells that survive the crop (Letterbox crops at prototype resolution, before upsampling),
  // and the output window whose values can be non-zero.
  w.srcCols = {0, srcW};
  w.srcRows = {0, srcH};
  if (geometry.mode == MaskMode::Letterbox) {
    // The reference multiplies float32 boxes by the Python float mw / iw.
    const float sx = static_cast<float>(static_cast<double>(protoW) / geometry.inputW);
    const float sy = static_cast<float>(static_cast<double>(protoH) / geometry.inputH);
    w.srcCols = indicesInside(box[0] * sx, box[2] * sx, srcW);
    w.srcRows = indicesInside(box[1] * sy, box[3] * sy, srcH);
    w.outCols = outputsTouching(w.srcCols, srcW, outW);
    w.outRows = outputsTouching(w.srcRows, srcH, outH);
  } else {
    w.outCols = indicesInside(box[0], box[2], outW);
    w.outRows = indicesInside(box[1], box[3], outH);
  }
  return !(w.outCols.empty() || w.outRows.empty() || w.srcCols.empty() || w.srcRows.empty());
}

Prototypes::Prototypes(const float* chw, int count, int height, int width)
    : hwc(static_cast<size_t>(count) * height * width), nm(count), protoH(height), protoW(width) {
  const size_t plane = static_cast<size_t>(protoH) * protoW;
  for (int c = 0; c < nm; ++c)
    for (size_t p = 0; p < plane; ++p) hwc[p * nm + c] = chw[c * plane + p];
}

MaskRenderer::MaskRenderer(const float* protos, int nm, int protoH, int protoW, const MaskGeometry& geometry)
    : MaskRenderer(std::make_unique<const Prototypes>(protos, nm, protoH, protoW), geometry) {}

MaskRenderer::MaskRenderer(const Prototypes& protos, const MaskGeometry& geometry)
    : MaskRenderer(nullptr, geometry, &protos) {}

MaskRenderer::MaskRenderer(std::unique_ptr<const Prototypes> owned, const MaskGeometry& geometry,
                           const Prototypes* borrowed)
    : owned_(std::move(owned)),
      protos_(borrowed ? borrowed : owned_.get()),
      nm_(protos_->nm),
      protoH_(protos_->protoH),
      protoW_(protos_->protoW),
      geometry_(geometry),
      region_(protoRegion(protoH_, protoW_, geometry)) {}

float MaskRenderer::logit(const float* coef, int row, int col) const {
  const float* p = protos_->hwc.data() + (static_cast<size_t>(row) * protoW_ + col) * nm_;
  float sum = 0.f;
  for (int c = 0; c < nm_; ++c) sum += coef[c] * p[c];
  return sum;
}

bool MaskRenderer::interpolateRows(const float* coef, const float* box, RowInterpolation& out, int rowBegin,
                                   int rowEnd) const {
  MaskWindow w;
  if (!window(box, w)) return false;
  const int outH = geometry_.outH, outW = geometry_.outW;
  const Span srcCols = w.srcCols, srcRows = w.srcRows, outCols = w.outCols;
  const Span outRows{std::max(w.outRows.begin, rowBegin), std::min(w.outRows.end, rowEnd)};  // a band's share
  if (outRows.empty()) return false;
  const std::vector<LinearTap> xt = linearTaps(region_.width, outW, outCols.begin, outCols.end);
  out.yt = linearTaps(region_.height, outH, outRows.begin, outRows.end);
  const int firstSrcCol = xt.front().i0, lastSrcCol = xt.back().i1;
  out.firstSrcRow = out.yt.front().i0;
  const int lastSrcRow = out.yt.back().i1;
  const int patchW = lastSrcCol - firstSrcCol + 1;
  out.x = outCols.begin;
  out.y = outRows.begin;
  out.width = outCols.end - outCols.begin;
  out.height = outRows.end - outRows.begin;
  out.srcRows = lastSrcRow - out.firstSrcRow + 1;

  // Horizontal pass for each needed source row, computed once and reused by every output row.
  std::vector<float> logits(static_cast<size_t>(patchW));
  out.horizontal.assign(static_cast<size_t>(out.srcRows) * out.width, 0.f);
  for (int r = out.firstSrcRow; r <= lastSrcRow; ++r) {
    const bool rowKept = r >= srcRows.begin && r < srcRows.end;
    for (int c = firstSrcCol; c <= lastSrcCol; ++c) {
      const bool kept = rowKept && c >= srcCols.begin && c < srcCols.end;
      logits[c - firstSrcCol] = kept ? logit(coef, region_.top + r, region_.left + c) : 0.f;
    }
    float* h = &out.horizontal[static_cast<size_t>(r - out.firstSrcRow) * out.width];
    for (int x = 0; x < out.width; ++x) {
      const LinearTap& t = xt[x];
      h[x] = logits[t.i0 - firstSrcCol] * t.w0 + logits[t.i1 - firstSrcCol] * t.w1;
    }
  }
  return true;
}

MaskCrop MaskRenderer::render(const float* coef, const float* box) const {
  MaskCrop crop;
  RowInterpolation rows;
  if (!interpolateRows(coef, box, rows)) return crop;
  crop.x = rows.x;
  crop.y = rows.y;
  crop.width = rows.width;
  crop.height = rows.height;
  crop.bits.resize(static_cast<size_t>(crop.width) * crop.height);
  for (int y = 0; y < crop.height; ++y) {
    const LinearTap& t = rows.yt[y];
    verticalPass(rows.row(t.i0), rows.row(t.i1), t.w0, t.w1, rows.width,
                 &crop.bits[static_cast<size_t>(y) * crop.width]);
  }
  return crop;
}

std::vector<uint32_t> MaskRenderer::renderRle(const float* coef, const float* box) const {
  const int outH = geometry_.outH, outW = geometry_.outW;
  RunBuilder runs;
  RowInterpolation rows;
  if (!interpolateRows(coef, box, rows)) {
    runs.zeros(static_cast<uint64_t>(outH) * outW);
    return runs.finish();
  }
  // Column-major output: transpose the horizontal rows so each column's source values are contiguous,
  // then evaluate the same vertical formula pixel by pixel, emitting runs without a bitmap.
  std::vector<float> columns(rows.horizontal.size());
  for (int r = 0; r < rows.srcRows; ++r)
    for (int x = 0; x < rows.width; ++x)
      columns[static_cast<size_t>(x) * rows.srcRows + r] = rows.row(r + rows.firstSrcRow)[x];

  runs.zeros(static_cast<uint64_t>(rows.x) * outH);
  for (int x = 0; x < rows.width; ++x) {
    const float* column = &columns[static_cast<size_t>(x) * rows.srcRows];
    const int first = rows.firstSrcRow;
    runs.zeros(static_cast<uint64_t>(rows.y));
    const LinearTap* taps = rows.yt.data();
    runs.scan(rows.height, [&](int y) {
      const LinearTap& t = taps[y];
      return (column[t.i0 - first] * t.w0 + column[t.i1 - first] * t.w1) > 0.f;
    });
    runs.zeros(static_cast<uint64_t>(outH - rows.y - rows.height));
  }
  runs.zeros(static_cast<uint64_t>(outW - rows.x - rows.width) * outH);
  return runs.finish();
}

void MaskRenderer::paintUnassigned(const float* coef, const float* box, int32_t value, int32_t* index,
                                   uint8_t* assigned, int rowBegin, int rowEnd) const {
  // Most masks land where smaller ones already painted everything: check before computing any logit.
  MaskWindow w;
  if (!window(box, w)) return;
  const int outW = geometry_.outW;
  const int r0 = std::max(w.outRows.begin, rowBegin), r1 = std::min(w.outRows.end, rowEnd);
  bool anythingLeft = false;
  for (int y = r0; y < r1 && !anythingLeft; ++y) {
    const uint8_t* done = assigned + static_cast<size_t>(y) * outW;
    uint8_t all = 1;
    for (int x = w.outCols.begin; x < w.outCols.end; ++x) all &= done[x];
    anythingLeft = !all;
  }
  if (!anythingLeft) return;

  RowInterpolation rows;
  if (!interpolateRows(coef, box, rows, rowBegin, rowEnd)) return;
  const int yBegin = 0, yEnd = rows.height;
  constexpr int kChunk = 64;  // skip granularity: after a few masks, almost every chunk is fully assigned
  for (int y = yBegin; y < yEnd; ++y) {
    uint8_t* done = assigned + static_cast<size_t>(rows.y + y) * outW + rows.x;
    int32_t* out = index + static_cast<size_t>(rows.y + y) * outW + rows.x;
    const LinearTap& t = rows.yt[y];
    const float* h0 = rows.row(t.i0);
    const float* h1 = rows.row(t.i1);
    for (int c0 = 0; c0 < rows.width; c0 += kChunk) {
      const int c1 = std::min(rows.width, c0 + kChunk);
      uint8_t all = 1;
      for (int x = c0; x < c1; ++x) all &= done[x];  // vectorised "anything left?"
      if (all) continue;
      for (int x = c0; x < c1; ++x) {
        const bool set = !done[x] && (h0[x] * t.w0 + h1[x] * t.w1) > 0.f;
        out[x] = set ? value : out[x];
        done[x] = done[x] | static_cast<uint8_t>(set);
      }
    }
  }
}

double MaskRenderer::approximateArea(const float* coef, const float* box) const {
  if (region_.height <= 0 || region_.width <= 0) return 0.0;  // an empty prototype slice renders nothing
  // The crop box at prototype resolution (Native mode boxes are in output pixels: scale them down).
  const double sx = geometry_.mode == MaskMode::Letterbox ? static_cast<double>(protoW_) / geometry_.inputW
                                                          : static_cast<double>(region_.width) / geometry_.outW;
  const double sy = geometry_.mode == MaskMode::Letterbox ? static_cast<double>(protoH_) / geometry_.inputH
                                                          : static_cast<double>(region_.height) / geometry_.outH;
  const Span cols = indicesInside(static_cast<float>(box[0] * sx), static_cast<float>(box[2] * sx), region_.width);
  const Span rows = indicesInside(static_cast<float>(box[1] * sy), static_cast<float>(box[3] * sy), region_.height);
  int cells = 0;
  for (int r = rows.begin; r < rows.end; ++r)
    for (int c = cols.begin; c < cols.end; ++c) cells += logit(coef, region_.top + r, region_.left + c) > 0.f;
  const double cellArea =
      (static_cast<double>(geometry_.outW) / region_.width) * (static_cast<double>(geometry_.outH) / region_.height);
  return cells * cellArea;
}

}  // namespace fastsam
