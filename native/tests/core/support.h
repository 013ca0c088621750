// What the core's test files share: deterministic random numbers, the output0 builder, and crops and RLE
// turned back into bitmaps. Included after <doctest/doctest.h>: its CHECK reports from helpers too.
#pragma once
#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../../core/masks.h"
#include "../../core/nms.h"

namespace fastsam_test {

using namespace fastsam;

inline constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
inline constexpr float kInf = std::numeric_limits<float>::infinity();

// Deterministic pseudo-random numbers (an LCG), so failures reproduce.
struct Rng {
  uint32_t s = 12345;
  uint32_t next() { return s = s * 1664525u + 1013904223u; }
  uint8_t byte() { return static_cast<uint8_t>(next() >> 24); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(next() >> 8) / 16777216.f; }
};

inline std::vector<uint8_t> randomImage(Rng& rng, int w, int h, int channels) {
  std::vector<uint8_t> img(static_cast<size_t>(w) * h * channels);
  for (uint8_t& v : img) v = rng.byte();
  return img;
}

// output0 builder: one anchor per call, columns filled row by row as the network lays them out.
struct Output0 {
  int nc, nm;
  std::vector<std::vector<float>> anchors;
  void add(float cx, float cy, float w, float h, std::vector<float> scores, std::vector<float> coef = {}) {
    std::vector<float> col = {cx, cy, w, h};
    scores.resize(nc, 0.f);
    coef.resize(nm, 0.f);
    col.insert(col.end(), scores.begin(), scores.end());
    col.insert(col.end(), coef.begin(), coef.end());
    anchors.push_back(col);
  }
  int rows() const { return 4 + nc + nm; }
  int count() const { return static_cast<int>(anchors.size()); }
  std::vector<float> data() const {
    std::vector<float> out(static_cast<size_t>(rows()) * count() + 1);  // +1: never a null pointer
    for (int a = 0; a < count(); ++a)
      for (int r = 0; r < rows(); ++r) out[static_cast<size_t>(r) * count() + a] = anchors[a][r];
    return out;
  }
};

inline std::vector<Detection> runNms(const Output0& o, const NmsOptions& opt) {
  const std::vector<float> d = o.data();
  return nonMaxSuppression(d.data(), o.rows(), o.count(), o.nc, opt);
}

// A crop placed back into its full frame.
inline std::vector<uint8_t> placeCrop(const MaskCrop& crop, int h, int w) {
  CHECK((crop.x >= 0 && crop.y >= 0 && crop.width >= 0 && crop.height >= 0));
  CHECK((crop.x + crop.width <= w && crop.y + crop.height <= h));
  CHECK(crop.bits.size() == static_cast<size_t>(crop.width) * crop.height);
  std::vector<uint8_t> full(static_cast<size_t>(h) * w, 0);
  for (int y = 0; y < crop.height; ++y)
    for (int x = 0; x < crop.width; ++x) {
      const uint8_t v = crop.bits[static_cast<size_t>(y) * crop.width + x];
      CHECK((v == 0 || v == 1));
      full[static_cast<size_t>(crop.y + y) * w + crop.x + x] = v;
    }
  return full;
}

// COCO uncompressed RLE back to a row-major bitmap: runs alternate 0/1, column-major, zeros first.
inline std::vector<uint8_t> decodeRle(const std::vector<uint32_t>& counts, int h, int w) {
  uint64_t total = 0;
  for (uint32_t c : counts) total += c;
  CHECK(total == static_cast<uint64_t>(h) * w);
  std::vector<uint8_t> out(static_cast<size_t>(h) * w, 0);
  uint64_t pos = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    if (i > 0) CHECK(counts[i] > 0);  // only the leading zero run may be empty
    for (uint32_t k = 0; k < counts[i]; ++k, ++pos) {
      const int x = static_cast<int>(pos / h), y = static_cast<int>(pos % h);
      out[static_cast<size_t>(y) * w + x] = static_cast<uint8_t>(i % 2);
    }
  }
  return out;
}

}  // namespace fastsam_test

using namespace fastsam_test;
