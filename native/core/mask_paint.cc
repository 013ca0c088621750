#include "mask_paint.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <stdexcept>

#include "mask_measures.h"
#include "rle.h"

namespace fastsam {

namespace {

// The part of a crop inside a height x width picture, in crop coordinates.
struct Clip {
  int col0 = 0, row0 = 0, col1 = 0, row1 = 0;
  bool empty() const { return col1 <= col0 || row1 <= row0; }
};

Clip clipTo(const CropView& c, int height, int width) {
  if (c.empty()) return {};
  Clip k;
  k.col0 = static_cast<int>(std::max<int64_t>(0, -int64_t{c.x}));
  k.row0 = static_cast<int>(std::max<int64_t>(0, -int64_t{c.y}));
  k.col1 = static_cast<int>(std::min<int64_t>(c.width, int64_t{width} - c.x));
  k.row1 = static_cast<int>(std::min<int64_t>(c.height, int64_t{height} - c.y));
  return k;
}

}  // namespace

MaskCrop tightCrop(const uint8_t* picture, int height, int width) {
  const MaskStats s = maskStats(CropView{0, 0, width, height, picture});
  MaskCrop out;
  if (s.area == 0) return out;
  out.x = s.bounds[0];
  out.y = s.bounds[1];
  out.width = s.bounds[2] - s.bounds[0];
  out.height = s.bounds[3] - s.bounds[1];
  out.bits.resize(static_cast<size_t>(out.width) * out.height);
  for (int row = 0; row < out.height; ++row) {
    const uint8_t* src = picture + static_cast<size_t>(out.y + row) * width + out.x;
    uint8_t* dst = &out.bits[static_cast<size_t>(row) * out.width];
    for (int col = 0; col < out.width; ++col) dst[col] = src[col] != 0;
  }
  return out;
}

MaskCrop paintPlan(const CropSet& crops, const std::vector<PaintOp>& ops, int height, int width) {
  // The union of the painted windows (clipped): nothing outside it is ever non-zero.
  int64_t x0 = width, y0 = height, x1 = 0, y1 = 0;
  for (const PaintOp& op : ops) {
    if (op.mask >= crops.count) throw std::invalid_argument("a paint operation names a mask outside the set");
    const CropView c = crops[op.mask];
    const Clip k = clipTo(c, height, width);
    if (k.empty()) continue;
    x0 = std::min<int64_t>(x0, int64_t{c.x} + k.col0);
    y0 = std::min<int64_t>(y0, int64_t{c.y} + k.row0);
    x1 = std::max<int64_t>(x1, int64_t{c.x} + k.col1);
    y1 = std::max<int64_t>(y1, int64_t{c.y} + k.row1);
  }
  if (x1 <= x0 || y1 <= y0) return {};
  const int areaW = static_cast<int>(x1 - x0), areaH = static_cast<int>(y1 - y0);
  std::vector<int32_t> sum(static_cast<size_t>(areaW) * areaH, 0);
  for (const PaintOp& op : ops) {
    const CropView c = crops[op.mask];
    const Clip k = clipTo(c, height, width);
    if (k.empty()) continue;
    for (int row = k.row0; row < k.row1; ++row) {
      // c.x + k.col0 >= x0, so the first painted column is at or after the area's start.
      int32_t* out = sum.data() + static_cast<size_t>(c.y + row - y0) * areaW + static_cast<size_t>(c.x + k.col0 - x0);
      const uint8_t* bits = c.bits + static_cast<size_t>(row) * c.width + k.col0;
      const int n = k.col1 - k.col0;
      for (int col = 0; col < n; ++col) {
        if (!bits[col]) continue;
        if (op.kind == PaintKind::Add)  // saturating: the amounts are caller data
          out[col] = static_cast<int32_t>(std::clamp<int64_t>(int64_t{out[col]} + op.amount, INT32_MIN, INT32_MAX));
        else
          out[col] = op.kind == PaintKind::Set ? 1 : 0;
      }
    }
  }
  std::vector<uint8_t> picture(sum.size());
  for (size_t k = 0; k < sum.size(); ++k) picture[k] = sum[k] >= 1 ? 1 : 0;
  MaskCrop crop = tightCrop(picture.data(), areaH, areaW);
  crop.x += static_cast<int>(x0);
  crop.y += static_cast<int>(y0);
  if (crop.bits.empty()) crop.x = crop.y = 0;
  return crop;
}

std::vector<int32_t> smallestOnTop(const CropSet& crops, int height, int width) {
  std::vector<int32_t> index(static_cast<size_t>(height) * width, -1);
  std::vector<uint32_t> areas(crops.count);
  for (size_t i = 0; i < crops.count; ++i) areas[i] = maskStats(crops[i]).area;
  std::vector<size_t> order(crops.count);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return areas[a] > areas[b]; });
  for (size_t i : order) {
    const CropView c = crops[i];
    const Clip k = clipTo(c, height, width);
    if (k.empty()) continue;
    for (int row = k.row0; row < k.row1; ++row) {
      int32_t* out = index.data() + static_cast<size_t>(c.y + row) * width + static_cast<size_t>(c.x + k.col0);
      const uint8_t* bits = c.bits + static_cast<size_t>(row) * c.width + k.col0;
      const int n = k.col1 - k.col0;
      for (int col = 0; col < n; ++col)
        if (bits[col]) out[col] = static_cast<int32_t>(i);
    }
  }
  return index;
}

std::vector<uint32_t> cropRle(const CropView& crop, int height, int width) {
  return encodeWindowRle(crop.x, crop.y, crop.empty() ? 0 : crop.width, crop.empty() ? 0 : crop.height, height, width,
                         [&](int col, int row) { return crop.at(col, row) != 0; });
}

}  // namespace fastsam
