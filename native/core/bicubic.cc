#include "bicubic.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace fastsam {

namespace {

constexpr int kPrecisionBits = 32 - 8 - 2;
constexpr int64_t kHalf = int64_t{1} << (kPrecisionBits - 1);
constexpr double kSupport = 2;  // the bicubic kernel's support

// Pillow's bicubic kernel (a = -0.5), in double with Pillow's operation order.
double bicubic(double x) {
  const double a = -0.5;
  const double t = std::fabs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

// Pillow's clip8: the fixed-point sum to a byte. The sums stay inside int32 (as in Pillow's INT32).
uint8_t clip8(int64_t sum) {
  const int32_t v = static_cast<int32_t>(sum) >> kPrecisionBits;
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// Output positions [lo, hi) of `axis` whose taps touch source [start, end), within [from, to).
std::pair<int, int> touching(const AxisCoefficients& axis, int start, int end, int from, int to) {
  int lo = from;
  while (lo < to && axis.firstOf(lo) + axis.countOf(lo) <= start) ++lo;
  int hi = to;
  while (hi > lo && axis.firstOf(hi - 1) >= end) --hi;
  return {lo, hi};
}

// The sub-range of output positions `within` whose taps lie wholly in source [start, end); contiguous
// because taps move monotonically. Empty ranges come back as [within.second, within.second].
std::pair<int, int> inside(const AxisCoefficients& axis, int start, int end, std::pair<int, int> within) {
  int lo = within.first;
  while (lo < within.second && axis.firstOf(lo) < start) ++lo;
  int hi = lo;
  while (hi < within.second && axis.firstOf(hi) + axis.countOf(hi) <= end) ++hi;
  return lo < hi ? std::make_pair(lo, hi) : std::make_pair(within.second, within.second);
}

std::pair<int, int> clampRange(int start, int end, int from, int to) {
  return {std::max(start, from), std::min(end, to)};
}

constexpr PixelWindow kBlank{0, 0, 0, 0};  // an image seen through an empty window: all white, nothing read

}  // namespace

AxisCoefficients axisCoefficients(int inSize, int outSize, int from, int to) {
  AxisCoefficients axis;
  axis.inSize = inSize;
  axis.outSize = outSize;
  axis.from = from;
  const double scale = static_cast<double>(inSize) / outSize;
  const double filterScale = std::max(scale, 1.0);
  const double support = kSupport * filterScale;
  axis.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  axis.first.resize(to - from);
  axis.count.resize(to - from);
  axis.weights.assign(static_cast<size_t>(to - from) * axis.ksize, 0);
  std::vector<double> taps(axis.ksize);
  for (int xx = from; xx < to; ++xx) {
    const double center = (xx + 0.5) * scale;
    const int xmin = std::max(static_cast<int>(std::trunc(center - support + 0.5)), 0);
    const int n = std::min(static_cast<int>(std::trunc(center + support + 0.5)), inSize) - xmin;
    double sum = 0;
    for (int x = 0; x < n; ++x) {
      taps[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      sum += taps[x];
    }
    for (int x = 0; x < n; ++x) {
      const double w = sum != 0 ? taps[x] / sum : taps[x];
      const double scaled = w * (1 << kPrecisionBits);
      axis.weights[static_cast<size_t>(xx - from) * axis.ksize + x] =
          static_cast<int32_t>(std::trunc(w < 0 ? scaled - 0.5 : scaled + 0.5));
    }
    axis.first[xx - from] = xmin;
    axis.count[xx - from] = n;
  }
  return axis;
}

BicubicPlan::BicubicPlan(int inWidth, int inHeight, int outWidth, int outHeight, OutputRegion region)
    : inWidth_(inWidth),
      inHeight_(inHeight),
      outWidth_(outWidth),
      outHeight_(outHeight),
      region_(region),
      horizontal_(axisCoefficients(inWidth, outWidth, region.x, region.x + region.width)),
      vertical_(axisCoefficients(inHeight, outHeight, region.y, region.y + region.height)),
      needHorizontal_(inWidth != outWidth),
      needVertical_(inHeight != outHeight) {
  white_.resize(regionBytes());
  resizeAll(nullptr, kBlank, white_.data());
}

void BicubicPlan::resizeAll(const uint8_t* rgb, PixelWindow window, uint8_t* out) const {
  resizeRect(rgb, window, {region_.x, region_.x + region_.width}, {region_.y, region_.y + region_.height}, out);
}

void BicubicPlan::resize(const uint8_t* rgb, PixelWindow window, uint8_t* out, const ImageResize* cache) const {
  const int wx0 = window.x0, wy0 = window.y0, wx1 = window.x1, wy1 = window.y1;
  if (wx0 <= 0 && wy0 <= 0 && wx1 >= inWidth_ && wy1 >= inHeight_) {
    resizeAll(rgb, window, out);  // a plain image: no white to reuse
    return;
  }
  std::memcpy(out, white_.data(), white_.size());
  if (wx1 <= wx0 || wy1 <= wy0) return;
  const int x = region_.x, y = region_.y;
  const Range cols = needHorizontal_ ? touching(horizontal_, wx0, wx1, x, x + region_.width)
                                     : clampRange(wx0, wx1, x, x + region_.width);
  const Range rows = needVertical_ ? touching(vertical_, wy0, wy1, y, y + region_.height)
                                   : clampRange(wy0, wy1, y, y + region_.height);
  if (cols.first >= cols.second || rows.first >= rows.second) return;
  if (cache && needHorizontal_ && needVertical_)
    resizeBand(rgb, window, cols, rows, *cache, out);
  else
    resizeRect(rgb, window, cols, rows, out);
}

BicubicPlan::Range BicubicPlan::sourceRows(Range rows) const {
  if (!needVertical_) return rows;
  return {vertical_.firstOf(rows.first), vertical_.firstOf(rows.second - 1) + vertical_.countOf(rows.second - 1)};
}

void BicubicPlan::resizeRect(const uint8_t* rgb, PixelWindow window, Range cols, Range rows, uint8_t* out) const {
  const int c0 = cols.first, c1 = cols.second, nCols = c1 - c0;
  const Range src = sourceRows(rows);
  std::vector<uint8_t> temp(static_cast<size_t>(src.second - src.first) * nCols * 3);
  for (int sy = src.first; sy < src.second; ++sy)
    horizontalRow(rgb, window, sy, c0, c1, temp.data() + (static_cast<size_t>(sy - src.first) * nCols * 3));
  for (int yy = rows.first; yy < rows.second; ++yy) verticalRow(temp.data(), src.first, c0, nCols, yy, cols, out);
}

void BicubicPlan::resizeBand(const uint8_t* rgb, PixelWindow window, Range cols, Range rows, const ImageResize& cache,
                             uint8_t* out) const {
  const int c0 = cols.first, c1 = cols.second, nCols = c1 - c0;
  const Range in = inside(horizontal_, window.x0, window.x1, cols);
  const Range inRows = inside(vertical_, window.y0, window.y1, rows);
  const int i0 = in.first, i1 = in.second;
  const int rx = region_.x, ry = region_.y, rw = region_.width;
  const Range src = sourceRows(rows);
  const size_t rowBytes = static_cast<size_t>(nCols) * 3;
  std::vector<uint8_t> temp(static_cast<size_t>(src.second - src.first) * rowBytes);
  for (int sy = src.first; sy < src.second; ++sy) {
    uint8_t* row = temp.data() + (static_cast<size_t>(sy - src.first) * rowBytes);
    if (sy < window.y0 || sy >= window.y1) {
      std::memcpy(row, cache.whiteRow.data() + (static_cast<size_t>(c0 - rx) * 3), rowBytes);
      continue;
    }
    const size_t cached = static_cast<size_t>(sy - cache.srcY0) * rw * 3;
    std::memcpy(row + static_cast<size_t>(i0 - c0) * 3, cache.rows.data() + (cached + static_cast<size_t>(i0 - rx) * 3),
                static_cast<size_t>(i1 - i0) * 3);
    horizontalRow(rgb, window, sy, c0, i0, row);
    horizontalRow(rgb, window, sy, i1, c1, row + static_cast<size_t>(i1 - c0) * 3);
  }
  for (int yy = rows.first; yy < rows.second; ++yy) {
    if (yy < inRows.first || yy >= inRows.second) {
      verticalRow(temp.data(), src.first, c0, nCols, yy, cols, out);
      continue;
    }
    const size_t at = (static_cast<size_t>(yy - ry) * rw + (i0 - rx)) * 3;
    std::memcpy(out + at, cache.full.data() + at, static_cast<size_t>(i1 - i0) * 3);
    verticalRow(temp.data(), src.first, c0, nCols, yy, {c0, i0}, out);
    verticalRow(temp.data(), src.first, c0, nCols, yy, {i1, c1}, out);
  }
}

ImageResize BicubicPlan::imageResize(const uint8_t* rgb) const {
  ImageResize cache;
  const int x = region_.x, y = region_.y, width = region_.width, height = region_.height;
  const PixelWindow plain{0, 0, inWidth_, inHeight_};
  const Range src = sourceRows({y, y + height});
  cache.srcY0 = src.first;
  cache.rows.resize(static_cast<size_t>(src.second - src.first) * width * 3);
  for (int sy = src.first; sy < src.second; ++sy)
    horizontalRow(rgb, plain, sy, x, x + width, cache.rows.data() + (static_cast<size_t>(sy - src.first) * width * 3));
  cache.full.resize(regionBytes());
  for (int yy = y; yy < y + height; ++yy)
    verticalRow(cache.rows.data(), src.first, x, width, yy, {x, x + width}, cache.full.data());
  cache.whiteRow.resize(static_cast<size_t>(width) * 3);
  horizontalRow(nullptr, kBlank, 0, x, x + width, cache.whiteRow.data());
  return cache;
}

void BicubicPlan::verticalRow(const uint8_t* temp, int srcY0, int tempC0, int nCols, int yy, Range cols,
                              uint8_t* out) const {
  const int a = cols.first, b = cols.second;
  if (b <= a) return;
  const size_t rowBytes = static_cast<size_t>(nCols) * 3;
  uint8_t* dst = out + (static_cast<size_t>(yy - region_.y) * region_.width + (a - region_.x)) * 3;
  if (!needVertical_) {
    std::memcpy(dst, temp + static_cast<size_t>(yy - srcY0) * rowBytes + static_cast<size_t>(a - tempC0) * 3,
                static_cast<size_t>(b - a) * 3);
    return;
  }
  const uint8_t* base =
      temp + static_cast<size_t>(vertical_.firstOf(yy) - srcY0) * rowBytes + static_cast<size_t>(a - tempC0) * 3;
  const int n = vertical_.countOf(yy);
  const int32_t* w = vertical_.weightsOf(yy);
  for (int i = 0; i < (b - a) * 3; i += 3) {
    int64_t s0 = kHalf, s1 = kHalf, s2 = kHalf;
    const uint8_t* p = base + i;
    for (int t = 0; t < n; ++t, p += rowBytes) {
      s0 += p[0] * int64_t{w[t]};
      s1 += p[1] * int64_t{w[t]};
      s2 += p[2] * int64_t{w[t]};
    }
    dst[i] = clip8(s0);
    dst[i + 1] = clip8(s1);
    dst[i + 2] = clip8(s2);
  }
}

void BicubicPlan::horizontalRow(const uint8_t* rgb, PixelWindow window, int sy, int c0, int c1, uint8_t* row) const {
  const bool inWindowRow = sy >= window.y0 && sy < window.y1;
  const size_t base = static_cast<size_t>(sy) * inWidth_ * 3;
  if (!needHorizontal_) {
    for (int xx = c0; xx < c1; ++xx) {
      uint8_t* o = row + static_cast<size_t>(xx - c0) * 3;
      const bool inWindow = inWindowRow && xx >= window.x0 && xx < window.x1;
      for (int c = 0; c < 3; ++c) o[c] = inWindow ? rgb[base + static_cast<size_t>(xx) * 3 + c] : 255;
    }
    return;
  }
  for (int xx = c0; xx < c1; ++xx) {
    const int x0 = horizontal_.firstOf(xx), n = horizontal_.countOf(xx);
    const int32_t* w = horizontal_.weightsOf(xx);
    // Taps split into white before the window, image inside it, white after it.
    const int a = inWindowRow ? std::clamp(window.x0 - x0, 0, n) : n;
    const int b = inWindowRow ? std::clamp(window.x1 - x0, a, n) : n;
    int64_t white = 0;
    for (int t = 0; t < a; ++t) white += w[t];
    for (int t = b; t < n; ++t) white += w[t];
    int64_t s0 = kHalf + 255 * white, s1 = s0, s2 = s0;
    const uint8_t* p = rgb ? rgb + base + static_cast<size_t>(x0 + a) * 3 : nullptr;
    for (int t = a; t < b; ++t, p += 3) {
      s0 += p[0] * int64_t{w[t]};
      s1 += p[1] * int64_t{w[t]};
      s2 += p[2] * int64_t{w[t]};
    }
    uint8_t* o = row + static_cast<size_t>(xx - c0) * 3;
    o[0] = clip8(s0);
    o[1] = clip8(s1);
    o[2] = clip8(s2);
  }
}

}  // namespace fastsam
