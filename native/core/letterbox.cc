#include "letterbox.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace fastsam {

std::vector<ResizeTap> resizeTaps(int srcLen, int dstLen, bool clampLikeX) {
  std::vector<ResizeTap> taps(dstLen);
  const double scale = static_cast<double>(srcLen) / dstLen;
  for (int d = 0; d < dstLen; ++d) {
    float f = static_cast<float>((d + 0.5) * scale - 0.5);
    int s = static_cast<int>(std::floor(f));
    float a = f - static_cast<float>(s);
    if (clampLikeX) {
      if (s < 0) {
        s = 0;
        a = 0.f;
      }
      if (s >= srcLen - 1) {
        s = srcLen - 1;
        a = 0.f;
      }
    }
    ResizeTap t;
    t.w1 = static_cast<int16_t>(std::nearbyint(a * 2048.f));
    t.w0 = static_cast<int16_t>(std::nearbyint((1.f - a) * 2048.f));
    t.s0 = std::clamp(s, 0, srcLen - 1);
    t.s1 = std::clamp(s + 1, 0, srcLen - 1);
    taps[d] = t;
  }
  return taps;
}

namespace {

// Horizontal pass of one source row into int32 (OpenCV's intermediate buffer).
void horizontalPass(const uint8_t* row, const std::vector<ResizeTap>& xt, int channels, int32_t* out) {
  const int dstW = static_cast<int>(xt.size());
  for (int x = 0; x < dstW; ++x) {
    const ResizeTap& t = xt[x];
    const uint8_t* p0 = row + t.s0 * channels;
    const uint8_t* p1 = row + t.s1 * channels;
    for (int c = 0; c < channels; ++c) out[x * channels + c] = p0[c] * t.w0 + p1[c] * t.w1;
  }
}

}  // namespace

void resizeBilinearU8(const uint8_t* src, int srcW, int srcH, int channels, uint8_t* dst, int dstW, int dstH) {
  const std::vector<ResizeTap> xt = resizeTaps(srcW, dstW, true);
  const std::vector<ResizeTap> yt = resizeTaps(srcH, dstH, false);
  const int rowLen = dstW * channels;
  // Two cached horizontally-resized source rows: consecutive output rows share them.
  std::vector<int32_t> bufA(rowLen), bufB(rowLen);
  int rowA = -1, rowB = -1;
  // Returns source row `need`, evicting the slot that does not hold `keep`.
  auto ensureRow = [&](int need, int keep) -> const int32_t* {
    if (need == rowA) return bufA.data();
    if (need == rowB) return bufB.data();
    const size_t offset = static_cast<size_t>(need) * srcW * channels;
    if (rowA == keep) {
      horizontalPass(src + offset, xt, channels, bufB.data());
      rowB = need;
      return bufB.data();
    }
    horizontalPass(src + offset, xt, channels, bufA.data());
    rowA = need;
    return bufA.data();
  };
  for (int y = 0; y < dstH; ++y) {
    const ResizeTap& t = yt[y];
    const int32_t* h0 = ensureRow(t.s0, t.s1);
    const int32_t* h1 = ensureRow(t.s1, t.s0);
    uint8_t* out = dst + static_cast<size_t>(y) * rowLen;
    const int32_t b0 = t.w0, b1 = t.w1;
    for (int i = 0; i < rowLen; ++i) out[i] = static_cast<uint8_t>(blendRowsFixedPoint(h0[i], h1[i], b0, b1));
  }
}

void letterboxToTensor(const uint8_t* rgb, int srcW, int srcH, const LetterboxGeometry& g, float* chw) {
  std::vector<uint8_t> resized;
  const uint8_t* img = rgb;
  if (g.unpadWidth != srcW || g.unpadHeight != srcH) {  // the reference resizes only on a size change
    resized.resize(static_cast<size_t>(g.unpadWidth) * g.unpadHeight * 3);
    resizeBilinearU8(rgb, srcW, srcH, 3, resized.data(), g.unpadWidth, g.unpadHeight);
    img = resized.data();
  }
  const size_t plane = static_cast<size_t>(g.outWidth) * g.outHeight;
  const float pad = 114.f / 255.f;
  std::fill(chw, chw + plane * 3, pad);
  for (int y = 0; y < g.unpadHeight; ++y) {
    const uint8_t* row = img + static_cast<size_t>(y) * g.unpadWidth * 3;
    const size_t base = static_cast<size_t>(y + g.top) * g.outWidth + g.left;
    for (int x = 0; x < g.unpadWidth; ++x) {
      // The reference divides a float32 tensor by 255: do the same (not multiply by 1/255).
      chw[base + x] = static_cast<float>(row[x * 3]) / 255.f;
      chw[plane + base + x] = static_cast<float>(row[x * 3 + 1]) / 255.f;
      chw[2 * plane + base + x] = static_cast<float>(row[x * 3 + 2]) / 255.f;
    }
  }
}

}  // namespace fastsam
