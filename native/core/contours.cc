#include "contours.h"

#include <cstdlib>

namespace fastsam {

namespace {

// The 8 neighbours in clockwise order starting east (y grows downwards): E, SE, S, SW, W, NW, N, NE.
constexpr int kDx[8] = {1, 1, 0, -1, -1, -1, 0, 1};
constexpr int kDy[8] = {0, 1, 1, 1, 0, -1, -1, -1};

int directionOf(int dx, int dy) {
  for (int d = 0; d < 8; ++d)
    if (kDx[d] == dx && kDy[d] == dy) return d;
  return 0;
}

// Labels on a copy of the bitmap with a one-pixel zero frame, so neighbours never leave the buffer.
class Labels {
 public:
  Labels(const uint8_t* bits, int width, int height)
      : w_(width + 2), h_(height + 2), f_(static_cast<size_t>(w_) * h_, 0) {
    for (int y = 0; y < height; ++y)
      for (int x = 0; x < width; ++x)
        f_[static_cast<size_t>(y + 1) * w_ + x + 1] = bits[static_cast<size_t>(y) * width + x] ? 1 : 0;
  }
  int32_t& at(int x, int y) { return f_[static_cast<size_t>(y) * w_ + x]; }
  int width() const { return w_; }
  int height() const { return h_; }

 private:
  int w_, h_;
  std::vector<int32_t> f_;
};

// Follows one border from (x, y), whose first examined (zero) neighbour is (fromX, fromY); marks it with
// +/-nbd and returns its pixels (frame coordinates) in tracing order.
std::vector<int32_t> followBorder(Labels& f, int x, int y, int fromX, int fromY, int nbd) {
  std::vector<int32_t> path;
  // 3.1: clockwise from the start neighbour, find a non-zero pixel.
  const int start = directionOf(fromX - x, fromY - y);
  int found = -1;
  for (int k = 0; k < 8; ++k) {
    const int d = (start + k) % 8;
    if (f.at(x + kDx[d], y + kDy[d]) != 0) {
      found = d;
      break;
    }
  }
  if (found < 0) {  // an isolated pixel
    f.at(x, y) = -nbd;
    path.push_back(x);
    path.push_back(y);
    return path;
  }
  const int x1 = x + kDx[found], y1 = y + kDy[found];
  int x2 = x1, y2 = y1, x3 = x, y3 = y;
  while (true) {
    path.push_back(x3);
    path.push_back(y3);
    // 3.3: counter-clockwise from the neighbour after (x2, y2), find the next non-zero pixel.
    const int back = directionOf(x2 - x3, y2 - y3);
    bool eastZeroExamined = false;
    int x4 = x3, y4 = y3;
    for (int k = 1; k <= 8; ++k) {
      const int d = ((back - k) % 8 + 8) % 8;
      const int nx = x3 + kDx[d], ny = y3 + kDy[d];
      if (f.at(nx, ny) != 0) {
        x4 = nx;
        y4 = ny;
        break;
      }
      if (d == 0) eastZeroExamined = true;
    }
    // 3.4: mark the pixel: negative when its east neighbour is background (a right border).
    if (eastZeroExamined)
      f.at(x3, y3) = -nbd;
    else if (f.at(x3, y3) == 1)
      f.at(x3, y3) = nbd;
    // 3.5: back at the start, about to repeat the first step.
    if (x4 == x && y4 == y && x3 == x1 && y3 == y1) break;
    x2 = x3;
    y2 = y3;
    x3 = x4;
    y3 = y4;
  }
  return path;
}

// CHAIN_APPROX_SIMPLE: drop points in the middle of straight (incl. diagonal) runs.
std::vector<int32_t> simplify(const std::vector<int32_t>& path) {
  const size_t n = path.size() / 2;
  if (n <= 2) return path;
  std::vector<int32_t> out;
  for (size_t i = 0; i < n; ++i) {
    const size_t prev = (i + n - 1) % n, next = (i + 1) % n;
    const int dx1 = path[2 * i] - path[2 * prev], dy1 = path[2 * i + 1] - path[2 * prev + 1];
    const int dx2 = path[2 * next] - path[2 * i], dy2 = path[2 * next + 1] - path[2 * i + 1];
    if (dx1 == dx2 && dy1 == dy2) continue;
    out.push_back(path[2 * i]);
    out.push_back(path[2 * i + 1]);
  }
  if (out.empty()) {  // a straight closed path cannot happen; keep the start for safety
    out.push_back(path[0]);
    out.push_back(path[1]);
  }
  return out;
}

}  // namespace

std::vector<Contour> findContours(const uint8_t* bits, int width, int height, ContourRetrieval retrieval, bool simple) {
  std::vector<Contour> borders;  // index = label - 2 (label 1 is the frame)
  if (width <= 0 || height <= 0) return borders;
  Labels f(bits, width, height);
  int nbd = 1;
  for (int y = 1; y < f.height() - 1; ++y) {
    int lnbd = 1;
    for (int x = 1; x < f.width() - 1; ++x) {
      const int32_t v = f.at(x, y);
      if (v == 0) continue;
      bool outer = false, hole = false;
      if (v == 1 && f.at(x - 1, y) == 0)
        outer = true;
      else if (v >= 1 && f.at(x + 1, y) == 0)
        hole = true;
      if (outer || hole) {
        if (hole && v > 1) lnbd = v;
        ++nbd;
        Contour c;
        c.hole = hole;
        // Parent from the last border met on this row (Suzuki & Abe, table 1); label 1 = the frame (a hole).
        const bool lastIsHole = lnbd == 1 || borders[lnbd - 2].hole;
        const int lastIndex = lnbd - 2;
        if (outer)
          c.parent = lastIsHole ? lastIndex : borders[lastIndex].parent;
        else
          c.parent = lastIsHole ? (lnbd == 1 ? -1 : borders[lastIndex].parent) : lastIndex;
        std::vector<int32_t> path = followBorder(f, x, y, outer ? x - 1 : x + 1, y, nbd);
        for (size_t i = 0; i < path.size(); ++i) path[i] -= 1;  // frame -> bitmap coordinates
        c.points = simple ? simplify(path) : std::move(path);
        borders.push_back(std::move(c));
      }
      const int32_t after = f.at(x, y);
      if (after != 1) lnbd = std::abs(after);
    }
  }
  if (retrieval == ContourRetrieval::All) return borders;
  std::vector<Contour> external;
  for (Contour& c : borders)
    if (!c.hole && c.parent < 0) external.push_back(std::move(c));
  for (Contour& c : external) c.parent = -1;
  return external;
}

}  // namespace fastsam
