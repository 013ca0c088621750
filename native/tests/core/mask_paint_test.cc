// Painting cropped masks: prompt paint plans against a dense re-computation (clipped windows, saturating
// sums), tight crops, the smallest-on-top index map, and crop RLE against encodeRle.
#include <doctest/doctest.h>

#include "../../core/mask_paint.h"
#include "../../core/rle.h"
#include "support.h"

using namespace fastsam;

namespace {

struct Crops {
  std::vector<int32_t> windows;
  std::vector<double> offsets{0};
  std::vector<uint8_t> bits;
  void add(int x, int y, int w, int h, const std::vector<uint8_t>& b) {
    windows.insert(windows.end(), {x, y, w, h});
    bits.insert(bits.end(), b.begin(), b.end());
    offsets.push_back(static_cast<double>(bits.size()));
  }
  CropSet view() const { return {bits.data(), windows.data(), offsets.data(), windows.size() / 4}; }
};

Crops randomCrops(Rng& rng, int count, int h, int w, bool inside) {
  Crops c;
  for (int i = 0; i < count; ++i) {
    int x = static_cast<int>(rng.next() % (w + 6)) - 3, y = static_cast<int>(rng.next() % (h + 6)) - 3;
    int cw = static_cast<int>(rng.next() % 9), ch = static_cast<int>(rng.next() % 9);
    if (inside) {
      x = std::clamp(x, 0, w - 1), y = std::clamp(y, 0, h - 1);
      cw = std::min(cw, w - x), ch = std::min(ch, h - y);
    }
    std::vector<uint8_t> b(static_cast<size_t>(cw) * ch);
    for (uint8_t& v : b) v = rng.next() % 3 == 0 ? 0 : 1;
    c.add(x, y, cw, ch, b);
  }
  return c;
}

// The plan on a full int64 picture, by definition.
std::vector<uint8_t> densePlan(const Crops& c, const std::vector<PaintOp>& ops, int h, int w) {
  std::vector<int64_t> sum(static_cast<size_t>(h) * w, 0);
  const CropSet set = c.view();
  for (const PaintOp& op : ops) {
    const CropView m = set[op.mask];
    for (int row = 0; row < m.height; ++row)
      for (int col = 0; col < m.width; ++col) {
        const int x = m.x + col, y = m.y + row;
        if (!m.at(col, row) || x < 0 || y < 0 || x >= w || y >= h) continue;
        int64_t& v = sum[static_cast<size_t>(y) * w + x];
        if (op.kind == PaintKind::Add)
          v = std::clamp<int64_t>(v + op.amount, INT32_MIN, INT32_MAX);
        else
          v = op.kind == PaintKind::Set ? 1 : 0;
      }
  }
  std::vector<uint8_t> out(sum.size());
  for (size_t k = 0; k < sum.size(); ++k) out[k] = sum[k] >= 1;
  return out;
}

TEST_CASE("paint plans equal the dense definition, with windows reaching outside") {
  Rng rng{11};
  for (int round = 0; round < 200; ++round) {
    const int h = 1 + static_cast<int>(rng.next() % 20), w = 1 + static_cast<int>(rng.next() % 20);
    const Crops c = randomCrops(rng, 1 + static_cast<int>(rng.next() % 6), h, w, false);
    std::vector<PaintOp> ops;
    for (int k = 0; k < 8; ++k) {
      const uint32_t mask = rng.next() % (c.windows.size() / 4);
      const uint32_t kind = rng.next() % 3;
      const int32_t amount = rng.next() % 10 == 0 ? INT32_MAX : static_cast<int32_t>(rng.next() % 7) - 3;
      ops.push_back({mask, static_cast<PaintKind>(kind), amount});
    }
    const MaskCrop got = paintPlan(c.view(), ops, h, w);
    const std::vector<uint8_t> want = densePlan(c, ops, h, w);
    CHECK(placeCrop(got, h, w) == want);
    const MaskCrop tight = tightCrop(want.data(), h, w);
    CHECK(got.x == tight.x);
    CHECK(got.y == tight.y);
    CHECK(got.width == tight.width);
    CHECK(got.height == tight.height);
  }
  Crops one;
  one.add(0, 0, 1, 1, {1});
  CHECK_THROWS_AS(paintPlan(one.view(), {PaintOp{3, PaintKind::Set, 0}}, 2, 2), std::invalid_argument);
  CHECK(paintPlan(one.view(), {}, 2, 2).bits.empty());
}

TEST_CASE("smallest on top: largest painted first, ties by index") {
  Rng rng{5};
  for (int round = 0; round < 100; ++round) {
    const int h = 1 + static_cast<int>(rng.next() % 16), w = 1 + static_cast<int>(rng.next() % 16);
    const Crops c = randomCrops(rng, static_cast<int>(rng.next() % 7), h, w, true);
    const CropSet set = c.view();
    std::vector<std::pair<uint32_t, size_t>> order;  // (area, index)
    for (size_t i = 0; i < set.count; ++i) {
      uint32_t area = 0;
      const CropView m = set[i];
      for (int k = 0; k < m.width * m.height; ++k) area += m.bits[k] != 0;
      order.emplace_back(area, i);
    }
    std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first > b.first; });
    std::vector<int32_t> want(static_cast<size_t>(h) * w, -1);
    for (auto [area, i] : order) {
      const CropView m = set[i];
      for (int row = 0; row < m.height; ++row)
        for (int col = 0; col < m.width; ++col)
          if (m.at(col, row)) want[static_cast<size_t>(m.y + row) * w + m.x + col] = static_cast<int32_t>(i);
    }
    CHECK(smallestOnTop(set, h, w) == want);
  }
}

TEST_CASE("crop RLE equals encodeRle of the same crop") {
  Rng rng{9};
  for (int round = 0; round < 100; ++round) {
    const int h = 1 + static_cast<int>(rng.next() % 12), w = 1 + static_cast<int>(rng.next() % 12);
    const Crops c = randomCrops(rng, 1, h, w, true);
    const CropView v = c.view()[0];
    MaskCrop crop;
    crop.x = v.x, crop.y = v.y, crop.width = v.width, crop.height = v.height;
    crop.bits.assign(v.bits, v.bits + static_cast<size_t>(v.width) * v.height);
    for (uint8_t& b : crop.bits) b = b != 0;
    if (crop.width == 0 || crop.height == 0) crop = MaskCrop();
    CHECK(cropRle(v, h, w) == encodeRle(crop, h, w));
  }
}

}  // namespace
