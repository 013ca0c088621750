#include "masks.h"

#include <algorithm>
#include <cmath>

#include "bilinear.h"

namespace fastsam {

namespace {

struct Span {
  int begin = 0, end = 0;  // [begin, end)
  bool empty() const { return end <= begin; }
};

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

}  // namespace

MaskRenderer::MaskRenderer(const float* protos, int nm, int protoH, int protoW, const MaskGeometry& geometry)
    : protosHwc_(static_cast<size_t>(nm) * protoH * protoW), nm_(nm), protoH_(protoH), protoW_(protoW),
      geometry_(geometry) {
  const size_t plane = static_cast<size_t>(protoH) * protoW;
  for (int c = 0; c < nm; ++c)
    for (size_t p = 0; p < plane; ++p) protosHwc_[p * nm + c] = protos[c * plane + p];

  if (geometry.mode == MaskMode::Native) {
    // process_mask_native: the padding as it appears at prototype resolution, truncated with int().
    const double gain = std::min(static_cast<double>(protoH) / geometry.outH,
                                 static_cast<double>(protoW) / geometry.outW);
    const double padW = (protoW - geometry.outW * gain) / 2;
    const double padH = (protoH - geometry.outH * gain) / 2;
    srcTop_ = static_cast<int>(padH);
    srcLeft_ = static_cast<int>(padW);
    srcH_ = static_cast<int>(protoH - padH) - srcTop_;
    srcW_ = static_cast<int>(protoW - padW) - srcLeft_;
  } else {
    srcH_ = protoH;
    srcW_ = protoW;
  }
}

float MaskRenderer::logit(const float* coef, int row, int col) const {
  const float* p = &protosHwc_[(static_cast<size_t>(row) * protoW_ + col) * nm_];
  float sum = 0.f;
  for (int c = 0; c < nm_; ++c) sum += coef[c] * p[c];
  return sum;
}

MaskCrop MaskRenderer::render(const float* coef, const float* box) const {
  MaskCrop crop;
  if (srcH_ <= 0 || srcW_ <= 0) return crop;
  const int outH = geometry_.outH, outW = geometry_.outW;

  // Source cells that survive the crop (Letterbox crops at prototype resolution, before upsampling),
  // and the output window whose values can be non-zero.
  Span srcCols{0, srcW_}, srcRows{0, srcH_}, outCols, outRows;
  if (geometry_.mode == MaskMode::Letterbox) {
    // The reference multiplies float32 boxes by the Python float mw / iw.
    const float sx = static_cast<float>(static_cast<double>(protoW_) / geometry_.inputW);
    const float sy = static_cast<float>(static_cast<double>(protoH_) / geometry_.inputH);
    srcCols = indicesInside(box[0] * sx, box[2] * sx, srcW_);
    srcRows = indicesInside(box[1] * sy, box[3] * sy, srcH_);
    outCols = outputsTouching(srcCols, srcW_, outW);
    outRows = outputsTouching(srcRows, srcH_, outH);
  } else {
    outCols = indicesInside(box[0], box[2], outW);
    outRows = indicesInside(box[1], box[3], outH);
  }
  if (outCols.empty() || outRows.empty() || srcCols.empty() || srcRows.empty()) return crop;

  const std::vector<LinearTap> xt = linearTaps(srcW_, outW, outCols.begin, outCols.end);
  const std::vector<LinearTap> yt = linearTaps(srcH_, outH, outRows.begin, outRows.end);
  const int firstSrcCol = xt.front().i0, lastSrcCol = xt.back().i1;
  const int firstSrcRow = yt.front().i0, lastSrcRow = yt.back().i1;
  const int patchW = lastSrcCol - firstSrcCol + 1;
  const int winW = outCols.end - outCols.begin;

  // Horizontal pass for each needed source row, computed once and reused by the output rows.
  const int patchH = lastSrcRow - firstSrcRow + 1;
  std::vector<float> logits(static_cast<size_t>(patchW));
  std::vector<float> horizontal(static_cast<size_t>(patchH) * winW);
  for (int r = firstSrcRow; r <= lastSrcRow; ++r) {
    const bool rowKept = r >= srcRows.begin && r < srcRows.end;
    for (int c = firstSrcCol; c <= lastSrcCol; ++c) {
      const bool kept = rowKept && c >= srcCols.begin && c < srcCols.end;
      logits[c - firstSrcCol] = kept ? logit(coef, srcTop_ + r, srcLeft_ + c) : 0.f;
    }
    float* h = &horizontal[static_cast<size_t>(r - firstSrcRow) * winW];
    for (int x = 0; x < winW; ++x) {
      const LinearTap& t = xt[x];
      h[x] = logits[t.i0 - firstSrcCol] * t.w0 + logits[t.i1 - firstSrcCol] * t.w1;
    }
  }

  crop.x = outCols.begin;
  crop.y = outRows.begin;
  crop.width = winW;
  crop.height = outRows.end - outRows.begin;
  crop.bits.resize(static_cast<size_t>(crop.width) * crop.height);
  for (int y = 0; y < crop.height; ++y) {
    const LinearTap& t = yt[y];
    const float* h0 = &horizontal[static_cast<size_t>(t.i0 - firstSrcRow) * winW];
    const float* h1 = &horizontal[static_cast<size_t>(t.i1 - firstSrcRow) * winW];
    uint8_t* out = &crop.bits[static_cast<size_t>(y) * crop.width];
    for (int x = 0; x < winW; ++x) out[x] = (h0[x] * t.w0 + h1[x] * t.w1) > 0.f ? 1 : 0;
  }
  return crop;
}

}  // namespace fastsam
