#include "bitpack.h"

#include <array>
#include <cstring>

#include "rle.h"

namespace fastsam {

namespace {

// Each byte value's eight 0/1 bytes: unpacking is one 8-byte copy per packed byte.
const std::array<std::array<uint8_t, 8>, 256>& unpackTable() {
  static const auto table = [] {
    std::array<std::array<uint8_t, 8>, 256> t{};
    for (int v = 0; v < 256; ++v)
      for (int b = 0; b < 8; ++b) t[v][b] = static_cast<uint8_t>((v >> b) & 1);
    return t;
  }();
  return table;
}

}  // namespace

void unpackBits(const uint8_t* packed, int width, int height, uint8_t* out) {
  if (width <= 0 || height <= 0) return;
  const auto& table = unpackTable();
  const size_t rowBytes = packedRowBytes(width);
  const int whole = width / 8;
  for (int y = 0; y < height; ++y, packed += rowBytes, out += width) {
    for (int k = 0; k < whole; ++k) std::memcpy(out + static_cast<size_t>(k) * 8, table[packed[k]].data(), 8);
    for (int x = whole * 8; x < width; ++x) out[x] = static_cast<uint8_t>((packed[x >> 3] >> (x & 7)) & 1);
  }
}

std::vector<uint32_t> packedRle(const uint8_t* packed, int x, int y, int w, int h, int frameH, int frameW) {
  const size_t rowBytes = packedRowBytes(w);
  return encodeWindowRle(x, y, w, h, frameH, frameW, [&](int col, int row) {
    return (packed[static_cast<size_t>(row) * rowBytes + (col >> 3)] >> (col & 7)) & 1;
  });
}

}  // namespace fastsam
