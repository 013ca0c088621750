// COCO uncompressed RLE: runs over a mask in column-major order, starting with a (possibly empty) run of 0s.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastsam {

struct MaskCrop;

// Accumulates alternating runs and closes one only when the value changes.
class RunBuilder {
 public:
  void zeros(uint64_t length) {
    if (length == 0) return;
    if (current_ != 0) flip();
    run_ += length;
  }
  // Appends `count` values given by `valueAt(i)`. Hot loop, branch-free: masks of noisy models flip
  // often, and a mispredicted branch per flip cost more than the interpolation itself.
  template <typename ValueAt>
  void scan(int count, ValueAt&& valueAt) {
    if (count <= 0) return;
    size_t used = counts_.size();
    counts_.resize(used + static_cast<size_t>(count) + 1);  // at most one closed run per value
    uint32_t* out = counts_.data();
    uint32_t current = current_;
    uint64_t run = run_;
    for (int i = 0; i < count; ++i) {
      const uint32_t v = valueAt(i) ? 1u : 0u;
      const uint32_t changed = v ^ current;
      out[used] = static_cast<uint32_t>(run);  // kept only when the value changed
      used += changed;
      run = (changed ? 0 : run) + 1;
      current = v;
    }
    counts_.resize(used);
    current_ = static_cast<uint8_t>(current);
    run_ = run;
  }

  std::vector<uint32_t> finish() {
    counts_.push_back(static_cast<uint32_t>(run_));
    return std::move(counts_);
  }

 private:
  void flip() {
    counts_.push_back(static_cast<uint32_t>(run_));
    current_ ^= 1;
    run_ = 0;
  }
  std::vector<uint32_t> counts_;
  uint8_t current_ = 0;
  uint64_t run_ = 0;
};

// RLE of a window (x, y, w, h) of a height x width frame that is 0 outside it; pixel(col, row) gives
// the window's values (col, row relative to the window).
template <typename Pixel>
std::vector<uint32_t> encodeWindowRle(int x, int y, int w, int h, int height, int width, Pixel&& pixel) {
  RunBuilder runs;
  const int x0 = w > 0 ? x : width;  // an empty window is all zeros
  const int x1 = w > 0 ? x + w : width;
  runs.zeros(static_cast<uint64_t>(x0) * height);
  for (int col = x0; col < x1; ++col) {
    runs.zeros(static_cast<uint64_t>(y));
    runs.scan(h, [&](int row) { return pixel(col - x, row); });
    runs.zeros(static_cast<uint64_t>(height - y - h));
  }
  runs.zeros(static_cast<uint64_t>(width - x1) * height);
  return runs.finish();
}

// RLE of a cropped mask placed in a full height x width frame.
std::vector<uint32_t> encodeRle(const MaskCrop& crop, int height, int width);

}  // namespace fastsam
