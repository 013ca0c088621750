// Bit-packed mask crops: 8 pixels per byte, least significant bit first, each row starting on a byte. The
// GPU assembles masks in this form (an eighth of the bytes to copy back); crops are unpacked only when
// someone asks for their pixels.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fastsam {

inline size_t packedRowBytes(int width) { return (static_cast<size_t>(width) + 7) / 8; }

// width x height packed pixels to one 0/1 byte each, row-major.
void unpackBits(const uint8_t* packed, int width, int height, uint8_t* out);

// COCO uncompressed RLE (column-major) of a packed window (x, y, w, h) in a frameH x frameW mask, read
// straight from the bits.
std::vector<uint32_t> packedRle(const uint8_t* packed, int x, int y, int w, int h, int frameH, int frameW);

}  // namespace fastsam
