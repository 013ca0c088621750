// Mask assembly against a dense re-computation of the reference, on odd boxes and geometries; the
// smallest-first painter; areas at prototype resolution; RLE.
#include <doctest/doctest.h>

#include "../../core/masks.h"
#include "../../core/rle.h"
#include "support.h"

using namespace fastsam;

namespace {

// PyTorch bilinear (align_corners=False) source taps, written out independently of bilinear.cc.
void torchTap(int srcLen, int dstLen, int d, int& i0, int& i1, float& w0, float& w1) {
  const float scale = static_cast<float>(srcLen) / static_cast<float>(dstLen);
  const float real = std::max(scale * (static_cast<float>(d) + 0.5f) - 0.5f, 0.f);
  i0 = std::min(static_cast<int>(std::floor(real)), srcLen - 1);
  i1 = std::min(i0 + 1, srcLen - 1);
  w1 = std::min(std::max(real - static_cast<float>(i0), 0.f), 1.f);
  w0 = 1.f - w1;
}

// The prototype region that is upsampled: all of it (Letterbox), or process_mask_native's slice without
// the letterbox padding, truncated with int() (Native).
struct ReferenceRegion {
  int top = 0, left = 0, h = 0, w = 0;
};
ReferenceRegion referenceRegion(int ph, int pw, const MaskGeometry& g) {
  ReferenceRegion r{0, 0, ph, pw};
  if (g.mode == MaskMode::Native) {
    const double gain = std::min(static_cast<double>(ph) / g.outH, static_cast<double>(pw) / g.outW);
    const double padW = (pw - g.outW * gain) / 2, padH = (ph - g.outH * gain) / 2;
    r.top = static_cast<int>(padH), r.left = static_cast<int>(padW);
    r.h = static_cast<int>(ph - padH) - r.top, r.w = static_cast<int>(pw - padW) - r.left;
  }
  return r;
}

// The reference's mask, dense: logits (cropped at prototype resolution in Letterbox mode) -> upsample
// -> crop in output space (Native mode) -> logit > 0. Same float operation order as the core.
std::vector<uint8_t> denseMask(const std::vector<float>& protos, int nm, int ph, int pw, const MaskGeometry& g,
                               const float* coef, const float* box) {
  const ReferenceRegion region = referenceRegion(ph, pw, g);
  const int top = region.top, left = region.left, sh = region.h, sw = region.w;
  std::vector<uint8_t> out(static_cast<size_t>(g.outH) * g.outW, 0);
  if (sh <= 0 || sw <= 0) return out;
  const float sx = static_cast<float>(static_cast<double>(pw) / g.inputW);
  const float sy = static_cast<float>(static_cast<double>(ph) / g.inputH);
  std::vector<float> logits(static_cast<size_t>(sh) * sw);
  for (int r = 0; r < sh; ++r)
    for (int c = 0; c < sw; ++c) {
      float sum = 0.f;
      for (int k = 0; k < nm; ++k) sum += coef[k] * protos[(static_cast<size_t>(k) * ph + top + r) * pw + left + c];
      const bool inside = c >= box[0] * sx && c < box[2] * sx && r >= box[1] * sy && r < box[3] * sy;
      logits[static_cast<size_t>(r) * sw + c] = (g.mode == MaskMode::Native || inside) ? sum : 0.f;
    }
  for (int y = 0; y < g.outH; ++y) {
    int r0, r1, c0, c1;
    float v0, v1, h0, h1;
    torchTap(sh, g.outH, y, r0, r1, v0, v1);
    for (int x = 0; x < g.outW; ++x) {
      torchTap(sw, g.outW, x, c0, c1, h0, h1);
      const float a = logits[r0 * sw + c0] * h0 + logits[r0 * sw + c1] * h1;
      const float b = logits[r1 * sw + c0] * h0 + logits[r1 * sw + c1] * h1;
      bool keep = a * v0 + b * v1 > 0.f;
      if (g.mode == MaskMode::Native) keep = keep && x >= box[0] && x < box[2] && y >= box[1] && y < box[3];
      out[static_cast<size_t>(y) * g.outW + x] = keep ? 1 : 0;
    }
  }
  return out;
}

// The boxes every mask test renders: ordinary, empty, inverted, NaN, partly or fully outside, huge.
std::vector<std::vector<float>> edgeBoxes(float w, float h, Rng& rng) {
  std::vector<std::vector<float>> boxes = {
      {0, 0, w, h},
      {w * 0.2f, h * 0.3f, w * 0.7f, h * 0.9f},
      {w * 0.5f, h * 0.5f, w * 0.5f, h * 0.5f},  // empty
      {w * 0.8f, h * 0.8f, w * 0.2f, h * 0.2f},  // inverted
      {w * 0.8f, h * 0.2f, w * 0.2f, h * 0.9f},  // inverted in x only
      {kNaN, 0, w, h},
      {0, kNaN, kNaN, kNaN},
      {-w, -h, w * 0.3f, h * 0.4f},        // partly outside (top-left)
      {w * 0.6f, h * 0.5f, w * 3, h * 3},  // partly outside (bottom-right)
      {w * 2, h * 2, w * 3, h * 3},        // fully outside
      {-w * 3, -h * 3, -w, -h},
      {-1e30f, -1e30f, 1e30f, 1e30f},  // huge
      {-kInf, -kInf, kInf, kInf},
      {0.5f, 0.5f, 1.5f, 1.5f},  // sub-pixel
  };
  for (int i = 0; i < 6; ++i) {
    const float x1 = rng.uniform(-0.2f * w, w), y1 = rng.uniform(-0.2f * h, h);
    boxes.push_back({x1, y1, x1 + rng.uniform(0, w), y1 + rng.uniform(0, h)});
  }
  return boxes;
}

TEST_CASE("masks") {
  Rng rng;
  struct Case {
    MaskMode mode;
    int nm, ph, pw, inH, inW, outH, outW;
  };
  const Case cases[] = {
      {MaskMode::Letterbox, 3, 2, 2, 8, 8, 8, 8},  // 2x2 prototypes
      {MaskMode::Letterbox, 4, 3, 5, 12, 20, 12, 20},
      {MaskMode::Letterbox, 2, 4, 4, 16, 16, 13, 11},  // output not a multiple of the prototype size
      {MaskMode::Letterbox, 32, 8, 6, 32, 24, 32, 24},
      {MaskMode::Letterbox, 1, 1, 1, 4, 4, 4, 4},
      {MaskMode::Letterbox, 8, 16, 16, 64, 64, 64, 64},  // many boundary pixels: float order matters
      {MaskMode::Native, 3, 2, 2, 8, 8, 5, 7},
      {MaskMode::Native, 4, 4, 4, 16, 16, 9, 16},  // letterbox padding top and bottom
      {MaskMode::Native, 4, 4, 4, 16, 16, 16, 9},
      {MaskMode::Native, 2, 5, 3, 20, 12, 37, 23},
      {MaskMode::Native, 32, 8, 8, 32, 32, 61, 29},
      {MaskMode::Native, 8, 16, 16, 64, 64, 48, 64},
      {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1000},  // extreme aspect: a one-row original
      {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1},
  };
  int nonEmpty = 0;
  for (const Case& k : cases) {
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    MaskGeometry g;
    g.mode = k.mode, g.inputH = k.inH, g.inputW = k.inW, g.outH = k.outH, g.outW = k.outW;
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;  // box coordinate space
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      std::vector<float> coef(k.nm);
      for (float& c : coef) c = rng.uniform(-1.f, 1.f);
      const MaskCrop crop = renderer.render(coef.data(), box.data());
      const std::vector<uint8_t> full = placeCrop(crop, k.outH, k.outW);
      CHECK(full == denseMask(protos, k.nm, k.ph, k.pw, g, coef.data(), box.data()));
      if (!(box[0] < box[2]) || !(box[1] < box[3])) CHECK(crop.bits.empty());  // empty/inverted/NaN
      const std::vector<uint32_t> rle = encodeRle(crop, k.outH, k.outW);
      CHECK(decodeRle(rle, k.outH, k.outW) == full);
      CHECK(renderer.renderRle(coef.data(), box.data()) == rle);  // the fused path: same runs, no bitmap
      for (uint8_t v : full) nonEmpty += v;
    }
  }
  CHECK(nonEmpty > 0);  // the comparisons above are not all of empty masks
}

// Geometries for the plot path (paintUnassigned, approximateArea): both modes, odd sizes, one-row and
// one-column originals, heights that do not split evenly into two bands.
struct PlotCase {
  MaskMode mode;
  int nm, ph, pw, inH, inW, outH, outW;
};
const PlotCase kPlotCases[] = {
    {MaskMode::Letterbox, 3, 2, 2, 8, 8, 8, 8},
    {MaskMode::Letterbox, 4, 3, 5, 12, 20, 12, 20},
    {MaskMode::Letterbox, 2, 4, 4, 16, 16, 13, 11},
    {MaskMode::Letterbox, 8, 16, 16, 64, 64, 64, 64},
    {MaskMode::Letterbox, 1, 1, 1, 4, 4, 4, 4},
    {MaskMode::Native, 3, 2, 2, 8, 8, 5, 7},
    {MaskMode::Native, 4, 4, 4, 16, 16, 9, 16},   // padding top and bottom
    {MaskMode::Native, 4, 8, 8, 32, 32, 40, 20},  // padding left and right
    {MaskMode::Native, 2, 5, 3, 20, 12, 37, 23},
    {MaskMode::Native, 8, 16, 16, 64, 64, 48, 64},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1000},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1000, 1},
    {MaskMode::Native, 2, 2, 2, 8, 8, 1, 1},
    {MaskMode::Native, 1, 1, 1, 4, 4, 1, 1000},  // odd 1x1 prototypes: the slice keeps no prototype row
};

MaskGeometry plotGeometry(const PlotCase& k) {
  MaskGeometry g;
  g.mode = k.mode, g.inputH = k.inH, g.inputW = k.inW, g.outH = k.outH, g.outW = k.outW;
  return g;
}

// An index map (-1 = no mask) and its `assigned` bytes, as a plot paints them.
struct PaintMap {
  std::vector<int32_t> index;
  std::vector<uint8_t> assigned;
};

constexpr int32_t kSentinelIndex = 0x5E5E5E5E;

// A fresh map whose rows [rowBegin, rowEnd) are blank and whose other rows hold a sentinel index. Their
// `assigned` bytes are 0, so a stray paint there would write (a set byte would make it skip the row).
PaintMap bandMap(int h, int w, int rowBegin, int rowEnd) {
  PaintMap m{std::vector<int32_t>(static_cast<size_t>(h) * w), std::vector<uint8_t>(static_cast<size_t>(h) * w)};
  for (int y = 0; y < h; ++y) {
    const bool inside = y >= rowBegin && y < rowEnd;
    for (int x = 0; x < w; ++x) {
      m.index[static_cast<size_t>(y) * w + x] = inside ? -1 : kSentinelIndex;
      m.assigned[static_cast<size_t>(y) * w + x] = 0;
    }
  }
  return m;
}

// What the plot must show, built from render()'s crops: masks in `order`, the first painter of a pixel wins.
PaintMap referencePaint(const MaskRenderer& r, const MaskGeometry& g, const std::vector<std::vector<float>>& coefs,
                        const std::vector<std::vector<float>>& boxes, const std::vector<int>& order) {
  PaintMap m = bandMap(g.outH, g.outW, 0, g.outH);
  for (int i : order) {
    const MaskCrop crop = r.render(coefs[i].data(), boxes[i].data());
    for (int y = 0; y < crop.height; ++y)
      for (int x = 0; x < crop.width; ++x) {
        const size_t p = static_cast<size_t>(crop.y + y) * g.outW + crop.x + x;
        if (crop.bits[static_cast<size_t>(y) * crop.width + x] && !m.assigned[p]) m.index[p] = i, m.assigned[p] = 1;
      }
  }
  return m;
}

void paintAll(const MaskRenderer& r, const std::vector<std::vector<float>>& coefs,
              const std::vector<std::vector<float>>& boxes, const std::vector<int>& order, PaintMap& m, int rowBegin,
              int rowEnd) {
  for (int i : order)
    r.paintUnassigned(coefs[i].data(), boxes[i].data(), i, m.index.data(), m.assigned.data(), rowBegin, rowEnd);
}

// Rows [rowBegin, rowEnd) equal the reference; every other row still holds the sentinel.
bool bandMatches(const PaintMap& got, const PaintMap& want, int h, int w, int rowBegin, int rowEnd) {
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t p = static_cast<size_t>(y) * w + x;
      const bool inside = y >= rowBegin && y < rowEnd;
      if (got.index[p] != (inside ? want.index[p] : kSentinelIndex)) return false;
      if (got.assigned[p] != (inside ? want.assigned[p] : 0)) return false;
    }
  return true;
}

TEST_CASE("paint unassigned") {
  Rng rng{4242};
  int painted = 0, overlapped = 0;
  for (const PlotCase& k : kPlotCases) {
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    const MaskGeometry g = plotGeometry(k);
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;  // box coordinate space
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    const std::vector<std::vector<float>> boxes = edgeBoxes(bw, bh, rng);
    std::vector<std::vector<float>> coefs(boxes.size(), std::vector<float>(k.nm));
    for (auto& c : coefs)
      for (float& v : c) v = rng.uniform(-1.f, 1.f);
    // A shuffled painting order (the binding paints smallest first): the index is the mask, not the step.
    std::vector<int> order(boxes.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[(rng.next() >> 16) % (i + 1)]);

    const int h = k.outH, w = k.outW, mid = h / 2;
    const PaintMap want = referencePaint(renderer, g, coefs, boxes, order);

    PaintMap whole = bandMap(h, w, 0, h);  // one band: all rows
    paintAll(renderer, coefs, boxes, order, whole, 0, h);
    CHECK((whole.index == want.index && whole.assigned == want.assigned));

    // Each half alone writes only its own rows (the binding paints bands on different threads).
    const int bands[2][2] = {{0, mid}, {mid, h}};
    for (const auto& band : bands) {
      PaintMap m = bandMap(h, w, band[0], band[1]);
      paintAll(renderer, coefs, boxes, order, m, band[0], band[1]);
      CHECK(bandMatches(m, want, h, w, band[0], band[1]));
    }
    // Both halves into one map, the second half first: bands are independent, the result is the whole.
    PaintMap halves = bandMap(h, w, 0, h);
    paintAll(renderer, coefs, boxes, order, halves, mid, h);
    paintAll(renderer, coefs, boxes, order, halves, 0, mid);
    CHECK((halves.index == want.index && halves.assigned == want.assigned));

    // Bands reaching past the image are clipped; empty and inverted bands touch nothing.
    PaintMap wide = bandMap(h, w, 0, h);
    paintAll(renderer, coefs, boxes, order, wide, -5, h + 5);
    CHECK((wide.index == want.index && wide.assigned == want.assigned));
    const int emptyBands[4][2] = {{mid, mid}, {h, 0}, {-9, 0}, {h, h + 9}};
    for (const auto& band : emptyBands) {
      PaintMap none = bandMap(h, w, 0, 0);  // all sentinel
      paintAll(renderer, coefs, boxes, order, none, band[0], band[1]);
      CHECK(bandMatches(none, want, h, w, 0, 0));
    }

    // Boxes that render nothing (empty, inverted, NaN, outside) paint nothing.
    for (size_t i = 0; i < boxes.size(); ++i) {
      if (!renderer.render(coefs[i].data(), boxes[i].data()).bits.empty()) continue;
      PaintMap m = bandMap(h, w, 0, 0);
      renderer.paintUnassigned(coefs[i].data(), boxes[i].data(), 7, m.index.data(), m.assigned.data(), 0, h);
      for (size_t p = 0; p < m.index.size(); ++p) CHECK((m.index[p] == kSentinelIndex && m.assigned[p] == 0));
    }

    // The comparison is not vacuous: masks were painted, and later masks lost pixels to earlier ones.
    for (int i : order) {
      const MaskCrop crop = renderer.render(coefs[i].data(), boxes[i].data());
      for (int y = 0; y < crop.height; ++y)
        for (int x = 0; x < crop.width; ++x)
          if (crop.bits[static_cast<size_t>(y) * crop.width + x])
            overlapped += want.index[static_cast<size_t>(crop.y + y) * w + crop.x + x] != i;
    }
    for (int32_t v : want.index) painted += v >= 0;
  }
  CHECK((painted > 0 && overlapped > 0));
}

// Cells c with lo <= c < hi among [0, limit): the cells crop_mask keeps at prototype resolution.
int cellsInside(double lo, double hi, int limit) {
  int n = 0;
  for (int c = 0; c < limit; ++c) n += c >= lo && c < hi;
  return n;
}

// A box edge, scaled to cells, within rounding of a cell boundary: whether that cell counts depends on
// float vs double arithmetic, which an estimate need not pin down.
bool nearCellEdge(double v) {
  const double d = std::fabs(v - std::round(v));
  return d > 0 && d < 1e-4;
}

TEST_CASE("approximate area") {
  const float plus = 1.f, minus = -1.f, zero = 0.f;
  {  // Letterbox, 4x4 prototypes for a 16x16 input and output: a cell is 4x4 px. Logit +1 everywhere.
    const std::vector<float> ones(16, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Letterbox, g.inputH = 16, g.inputW = 16, g.outH = 16, g.outW = 16;
    const MaskRenderer r(ones.data(), 1, 4, 4, g);
    const float full[4] = {0, 0, 16, 16}, part[4] = {4, 4, 12, 8}, narrow[4] = {4, 4, 5, 8};
    CHECK(r.approximateArea(&plus, full) == 256.0);
    CHECK(r.approximateArea(&plus, part) == 32.0);    // cells x 1..2, y 1
    CHECK(r.approximateArea(&plus, narrow) == 16.0);  // 1 <= x < 1.25: cell 1 only
    CHECK(r.approximateArea(&minus, full) == 0.0);
    CHECK(r.approximateArea(&zero, full) == 0.0);  // logit 0 is outside, as render() thresholds (> 0)
  }
  {  // Native: the same prototypes for a 16x9 original: 3 prototype rows are the image, a cell is 4x3 px.
    const std::vector<float> ones(16, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Native, g.inputH = 16, g.inputW = 16, g.outH = 9, g.outW = 16;
    const MaskRenderer r(ones.data(), 1, 4, 4, g);
    const float full[4] = {0, 0, 16, 9}, part[4] = {4, 4.5f, 12, 7.5f};
    CHECK(std::fabs(r.approximateArea(&plus, full) - 144.0) < 1e-9);
    CHECK(std::fabs(r.approximateArea(&plus, part) - 24.0) < 1e-9);  // cells x 1..2, y 2 (1.5 <= y < 2.5)
  }
  {  // Native, 8x8 prototypes for a 40x20 original: rows 2..5 are the image (cells of 5x5 px), rows 0, 1, 6
     // and 7 padding. Logit +1 in the image and -1 in the padding: only the image counts.
    std::vector<float> protos(64, -1.f);
    std::fill(protos.begin() + 2 * 8, protos.begin() + 6 * 8, 1.f);
    MaskGeometry g;
    g.mode = MaskMode::Native, g.inputH = 32, g.inputW = 32, g.outH = 20, g.outW = 40;
    const MaskRenderer r(protos.data(), 1, 8, 8, g);
    const float full[4] = {0, 0, 40, 20};
    CHECK(std::fabs(r.approximateArea(&plus, full) - 800.0) < 1e-9);
    CHECK(r.approximateArea(&minus, full) == 0.0);
  }

  Rng rng{9001};
  for (const PlotCase& k : kPlotCases) {
    const MaskGeometry g = plotGeometry(k);
    const ReferenceRegion region = referenceRegion(k.ph, k.pw, g);
    const float bw = k.mode == MaskMode::Letterbox ? k.inW : k.outW;
    const float bh = k.mode == MaskMode::Letterbox ? k.inH : k.outH;
    const double total = static_cast<double>(k.outW) * k.outH;

    // A constant +1 logit: every cell in the crop counts, each worth (outW / srcW) x (outH / srcH) px.
    const std::vector<float> ones(static_cast<size_t>(k.ph) * k.pw, 1.f);
    const MaskRenderer flat(ones.data(), 1, k.ph, k.pw, g);
    if (region.h <= 0 || region.w <= 0) {
      // An odd prototype size with an extreme aspect leaves no prototype row: nothing renders, so every
      // area is 0 (not 0 cells times an infinite cell area, NaN).
      for (const std::vector<float>& box : edgeBoxes(bw, bh, rng))
        CHECK(flat.approximateArea(&plus, box.data()) == 0.0);
      continue;
    }
    const double sx =
        k.mode == MaskMode::Letterbox ? static_cast<double>(k.pw) / k.inW : static_cast<double>(region.w) / k.outW;
    const double sy =
        k.mode == MaskMode::Letterbox ? static_cast<double>(k.ph) / k.inH : static_cast<double>(region.h) / k.outH;
    const double cellArea = (static_cast<double>(k.outW) / region.w) * (static_cast<double>(k.outH) / region.h);
    int checked = 0;
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      const double edges[4] = {box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy};
      if (nearCellEdge(edges[0]) || nearCellEdge(edges[1]) || nearCellEdge(edges[2]) || nearCellEdge(edges[3]))
        continue;
      const int cells = cellsInside(edges[0], edges[2], region.w) * cellsInside(edges[1], edges[3], region.h);
      const double want = cells * cellArea;
      CHECK(std::fabs(flat.approximateArea(&plus, box.data()) - want) <= 1e-9 * (1 + want));
      CHECK(flat.approximateArea(&minus, box.data()) == 0.0);
      ++checked;
    }
    CHECK(checked > 0);
    const float full[4] = {0, 0, bw, bh};  // the whole image: the whole output
    CHECK(std::fabs(flat.approximateArea(&plus, full) - total) <= 1e-9 * total);

    // Random prototypes: never negative or more than the image; nothing for empty, inverted or NaN boxes.
    std::vector<float> protos(static_cast<size_t>(k.nm) * k.ph * k.pw);
    for (float& p : protos) p = rng.uniform(-1.f, 1.f);
    const MaskRenderer renderer(protos.data(), k.nm, k.ph, k.pw, g);
    for (const std::vector<float>& box : edgeBoxes(bw, bh, rng)) {
      std::vector<float> coef(k.nm);
      for (float& c : coef) c = rng.uniform(-1.f, 1.f);
      const double area = renderer.approximateArea(coef.data(), box.data());
      CHECK((area >= 0.0 && area <= total * (1 + 1e-12)));
      if (!(box[0] < box[2]) || !(box[1] < box[3])) CHECK(area == 0.0);
    }
  }
}

TEST_CASE("rle known") {
  // Crop [[1,0],[1,1]] at (1,1) in a 3x3 frame; column-major it reads 0000 11 00 1.
  MaskCrop crop;
  crop.x = 1, crop.y = 1, crop.width = 2, crop.height = 2;
  crop.bits = {1, 0, 1, 1};
  CHECK((encodeRle(crop, 3, 3) == std::vector<uint32_t>{4, 2, 2, 1}));
  CHECK((encodeRle(MaskCrop(), 4, 5) == std::vector<uint32_t>{20}));
  MaskCrop ones;
  ones.width = 3, ones.height = 2;
  ones.bits.assign(6, 1);
  CHECK((encodeRle(ones, 2, 3) == std::vector<uint32_t>{0, 6}));
  CHECK((encodeRle(MaskCrop(), 0, 0) == std::vector<uint32_t>{0}));

  // RunBuilder directly: a leading 1 opens with an empty zero run, and adjacent zero runs merge.
  RunBuilder b;
  b.zeros(0);
  b.scan(3, [](int i) { return i != 1; });  // 1 0 1
  b.zeros(2);
  b.scan(0, [](int) { return true; });
  b.scan(2, [](int) { return false; });
  CHECK((b.finish() == std::vector<uint32_t>{0, 1, 1, 1, 4}));
}

}  // namespace
