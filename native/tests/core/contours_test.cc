// cv2.findContours (RETR_EXTERNAL / RETR_TREE, CHAIN_APPROX_SIMPLE / NONE) on designed and random bitmaps.
#include <doctest/doctest.h>

#include "../../core/contours.h"
#include "support.h"

using namespace fastsam;

namespace {

// A bitmap, drawn as text in the hand-checked tests: one string per row, '#' = foreground.
struct Bitmap {
  int w = 0, h = 0;
  std::vector<uint8_t> bits;
  bool on(int x, int y) const { return x >= 0 && y >= 0 && x < w && y < h && bits[static_cast<size_t>(y) * w + x]; }
};

Bitmap art(std::initializer_list<const char*> rows) {
  Bitmap b;
  for (const char* row : rows) {
    const int len = static_cast<int>(std::strlen(row));
    CHECK((b.h == 0 || len == b.w));
    b.w = len, ++b.h;
    for (int x = 0; x < len; ++x) b.bits.push_back(row[x] == '#' ? 1 : 0);
  }
  return b;
}

using Points = std::vector<int32_t>;

std::vector<Contour> trace(const Bitmap& b, ContourRetrieval mode, bool simple) {
  return findContours(b.bits.data(), b.w, b.h, mode, simple);
}

// Contours as text, for hand-checked expectations: "outer: (x,y) ..." for a top-level border, "outer in
// P: ..." for one inside contour P, "hole of P: ..." for a hole; " | " between contours, in order.
std::string describe(const std::vector<Contour>& contours) {
  std::string s;
  for (size_t i = 0; i < contours.size(); ++i) {
    const Contour& c = contours[i];
    if (i > 0) s += " | ";
    s += c.hole         ? "hole of " + std::to_string(c.parent)
         : c.parent < 0 ? std::string("outer")
                        : "outer in " + std::to_string(c.parent);
    s += ":";
    for (size_t k = 0; k + 1 < c.points.size(); k += 2)
      s += " (" + std::to_string(c.points[k]) + "," + std::to_string(c.points[k + 1]) + ")";
  }
  return s;
}

// Traces and compares with the expected text; prints both on a mismatch, so a failure is readable.
bool traces(const Bitmap& b, ContourRetrieval mode, bool simple, const std::string& want) {
  const std::string got = describe(trace(b, mode, simple));
  if (got != want) std::fprintf(stderr, "  got:  %s\n  want: %s\n", got.c_str(), want.c_str());
  return got == want;
}

const ContourRetrieval kModes[] = {ContourRetrieval::External, ContourRetrieval::All};
constexpr ContourRetrieval kAll = ContourRetrieval::All, kExternal = ContourRetrieval::External;

// A filled rectangle: traced down its left side first (cv2's order); SIMPLE keeps the 4 corners.
TEST_CASE("contours rectangle") {
  const Bitmap b = art({"........", ".######.", ".######.", ".######.", ".######.", "........"});
  std::string border = "outer:";
  const auto add = [&border](int x, int y) { border += " (" + std::to_string(x) + "," + std::to_string(y) + ")"; };
  for (int y = 1; y <= 4; ++y) add(1, y);  // left side, down
  for (int x = 2; x <= 6; ++x) add(x, 4);  // bottom, rightwards
  for (int y = 3; y >= 1; --y) add(6, y);  // right side, up
  for (int x = 5; x >= 2; --x) add(x, 1);  // top, leftwards
  const std::vector<Contour> full = trace(b, kAll, false);
  CHECK((full.size() == 1 && full[0].points.size() == 2 * (2 * (6 + 4) - 4)));
  for (ContourRetrieval mode : kModes) {
    CHECK(traces(b, mode, true, "outer: (1,1) (1,4) (6,4) (6,1)"));
    CHECK(traces(b, mode, false, border));
  }
}

TEST_CASE("contours single pixel") {
  for (ContourRetrieval mode : kModes)
    for (bool simple : {true, false}) {
      CHECK(traces(art({"...", ".#.", "..."}), mode, simple, "outer: (1,1)"));
      CHECK(traces(art({"#"}), mode, simple, "outer: (0,0)"));
      CHECK(traces(art({"."}), mode, simple, ""));
    }
}

// One-pixel-wide lines: the border runs out and back, so inner pixels appear twice (as in cv2); SIMPLE
// keeps the two ends.
TEST_CASE("contours lines") {
  struct Line {
    Bitmap b;
    const char *full, *simple;
  };
  const Line lines[] = {
      {art({".......", ".#####.", "......."}), "outer: (1,1) (2,1) (3,1) (4,1) (5,1) (4,1) (3,1) (2,1)",
       "outer: (1,1) (5,1)"},
      {art({"...", ".#.", ".#.", ".#.", ".#.", "..."}), "outer: (1,1) (1,2) (1,3) (1,4) (1,3) (1,2)",
       "outer: (1,1) (1,4)"},
      {art({"#...", ".#..", "..#.", "...#"}), "outer: (0,0) (1,1) (2,2) (3,3) (2,2) (1,1)", "outer: (0,0) (3,3)"},
      {art({"...#", "..#.", ".#..", "#..."}), "outer: (3,0) (2,1) (1,2) (0,3) (1,2) (2,1)", "outer: (3,0) (0,3)"},
      {art({".##."}), "outer: (1,0) (2,0)", "outer: (1,0) (2,0)"},  // two pixels: nothing to drop
  };
  for (const Line& line : lines)
    for (ContourRetrieval mode : kModes) {
      CHECK(traces(line.b, mode, false, line.full));
      CHECK(traces(line.b, mode, true, line.simple));
    }
}

// Separate blobs are separate contours, in raster order of their first pixel; pixels touching at a corner
// are one blob (8-connectivity), also in the bitmap's corners.
TEST_CASE("contours blobs") {
  const Bitmap b = art({"##....", "##....", "......", "....#."});
  for (ContourRetrieval mode : kModes)
    for (bool simple : {true, false}) CHECK(traces(b, mode, simple, "outer: (0,0) (0,1) (1,1) (1,0) | outer: (4,3)"));
  CHECK(traces(art({"#.", ".#"}), kAll, false, "outer: (0,0) (1,1)"));
  CHECK(traces(art({".#", "#."}), kAll, false, "outer: (1,0) (0,1)"));
  CHECK(traces(art({"#.#", "...", "#.#"}), kAll, true, "outer: (0,0) | outer: (2,0) | outer: (0,2) | outer: (2,2)"));
}

// A 5x5 ring, inside a margin and touching the bitmap's edges: All mode gives the outer border and the
// hole (child of the outer border); External only the outer one. The hole border cuts the ring's corners,
// which are not 4-adjacent to the hole.
TEST_CASE("contours ring") {
  const Bitmap margin = art({".......", ".#####.", ".#...#.", ".#...#.", ".#...#.", ".#####.", "......."});
  CHECK(traces(margin, kAll, true,
               "outer: (1,1) (1,5) (5,5) (5,1) | hole of 0: (1,2) (2,1) (4,1) (5,2) (5,4) (4,5) (2,5) (1,4)"));
  CHECK(traces(margin, kAll, false,
               "outer: (1,1) (1,2) (1,3) (1,4) (1,5) (2,5) (3,5) (4,5) (5,5) (5,4) (5,3) (5,2) (5,1) (4,1) (3,1) (2,1)"
               " | hole of 0: (1,2) (2,1) (3,1) (4,1) (5,2) (5,3) (5,4) (4,5) (3,5) (2,5) (1,4) (1,3)"));
  CHECK(traces(margin, kExternal, true, "outer: (1,1) (1,5) (5,5) (5,1)"));
  const Bitmap edge = art({"#####", "#...#", "#...#", "#...#", "#####"});
  CHECK(traces(edge, kAll, true,
               "outer: (0,0) (0,4) (4,4) (4,0) | hole of 0: (0,1) (1,0) (3,0) (4,1) (4,3) (3,4) (1,4) (0,3)"));
  CHECK(traces(edge, kAll, false,
               "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (1,4) (2,4) (3,4) (4,4) (4,3) (4,2) (4,1) (4,0) (3,0) (2,0) (1,0)"
               " | hole of 0: (0,1) (1,0) (2,0) (3,0) (4,1) (4,2) (4,3) (3,4) (2,4) (1,4) (0,3) (0,2)"));
  CHECK(traces(edge, kExternal, false,
               "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (1,4) (2,4) (3,4) (4,4) (4,3) (4,2) (4,1) (4,0) (3,0) (2,0)"
               " (1,0)"));
}

// Nesting: a ring inside the hole of a ring. Parents chain outer -> hole -> inner outer -> inner hole;
// External keeps only the outermost border.
TEST_CASE("contours nested") {
  const Bitmap b = art({"...........", ".#########.", ".#.......#.", ".#.......#.", ".#..###..#.", ".#..#.#..#.",
                        ".#..###..#.", ".#.......#.", ".#.......#.", ".#########.", "..........."});
  CHECK(traces(b, kAll, true,
               "outer: (1,1) (1,9) (9,9) (9,1) | hole of 0: (1,2) (2,1) (8,1) (9,2) (9,8) (8,9) (2,9) (1,8)"
               " | outer in 1: (4,4) (4,6) (6,6) (6,4) | hole of 2: (4,5) (5,4) (6,5) (5,6)"));
  CHECK(traces(b, kExternal, true, "outer: (1,1) (1,9) (9,9) (9,1)"));
}

// Degenerate shapes: the whole bitmap, nothing, zero sizes, one row or one column.
TEST_CASE("contours degenerate") {
  const uint8_t one = 1;
  for (ContourRetrieval mode : kModes) {
    CHECK(traces(art({"####", "####", "####"}), mode, true, "outer: (0,0) (0,2) (3,2) (3,0)"));
    CHECK(traces(art({".....", "....."}), mode, false, ""));
    CHECK(findContours(nullptr, 0, 0, mode, true).empty());
    CHECK(findContours(&one, 0, 1, mode, true).empty());
    CHECK(findContours(&one, 1, 0, mode, true).empty());
    CHECK(findContours(&one, -1, -1, mode, true).empty());
    const Bitmap column = art({"#", "#", "#", "#", "#"}), row = art({"#####"});
    CHECK(traces(column, mode, false, "outer: (0,0) (0,1) (0,2) (0,3) (0,4) (0,3) (0,2) (0,1)"));
    CHECK(traces(column, mode, true, "outer: (0,0) (0,4)"));
    CHECK(traces(row, mode, false, "outer: (0,0) (1,0) (2,0) (3,0) (4,0) (3,0) (2,0) (1,0)"));
    CHECK(traces(row, mode, true, "outer: (0,0) (4,0)"));
    CHECK(traces(art({"#", ".", "#", "#", "."}), mode, true, "outer: (0,0) | outer: (0,2) (0,3)"));
    CHECK(traces(art({"##.#"}), mode, true, "outer: (0,0) (1,0) | outer: (3,0)"));
  }
}

// Components of the bitmap framed by one background pixel: foreground 8-connected, background
// 4-connected (the pairing Suzuki-Abe traces). Background component 0 is the outside.
struct Components {
  int w = 0, h = 0;        // framed size
  std::vector<int> label;  // framed pixel -> its component (foreground and background numbered apart)
  int foreground = 0, background = 0;
  int at(int x, int y) const { return label[static_cast<size_t>(y + 1) * w + x + 1]; }  // bitmap coordinates
};

Components components(const Bitmap& b) {
  Components c;
  c.w = b.w + 2, c.h = b.h + 2;
  c.label.assign(static_cast<size_t>(c.w) * c.h, -1);
  std::vector<int> stack;
  for (int y = 0; y < c.h; ++y)
    for (int x = 0; x < c.w; ++x) {
      if (c.label[static_cast<size_t>(y) * c.w + x] >= 0) continue;
      const bool fg = b.on(x - 1, y - 1);
      const int id = fg ? c.foreground++ : c.background++;
      c.label[static_cast<size_t>(y) * c.w + x] = id;
      stack.assign(1, y * c.w + x);
      while (!stack.empty()) {
        const int qx = stack.back() % c.w, qy = stack.back() / c.w;
        stack.pop_back();
        for (int dy = -1; dy <= 1; ++dy)
          for (int dx = -1; dx <= 1; ++dx) {
            const int nx = qx + dx, ny = qy + dy;
            if ((dx == 0 && dy == 0) || (!fg && dx != 0 && dy != 0)) continue;
            if (nx < 0 || ny < 0 || nx >= c.w || ny >= c.h || b.on(nx - 1, ny - 1) != fg) continue;
            if (c.label[static_cast<size_t>(ny) * c.w + nx] >= 0) continue;
            c.label[static_cast<size_t>(ny) * c.w + nx] = id;
            stack.push_back(ny * c.w + nx);
          }
      }
    }
  return c;
}

int sign(int v) { return (v > 0) - (v < 0); }

// CHAIN_APPROX_SIMPLE's points, joined by straight or diagonal unit steps, give back the full border (from
// a later point when the start was mid-run), and no kept point is mid-run.
bool simplifies(const Points& simple, const Points& full) {
  const size_t n = simple.size() / 2, m = full.size() / 2;
  if (m <= 2) return simple == full;
  if (n < 2 || simple.size() % 2 != 0) return false;
  Points joined;
  for (size_t i = 0; i < n; ++i) {
    const size_t next = (i + 1) % n, prev = (i + n - 1) % n;
    const int dx = simple[2 * next] - simple[2 * i], dy = simple[2 * next + 1] - simple[2 * i + 1];
    if ((dx == 0 && dy == 0) || (dx != 0 && dy != 0 && std::abs(dx) != std::abs(dy))) return false;
    const int inX = sign(simple[2 * i] - simple[2 * prev]), inY = sign(simple[2 * i + 1] - simple[2 * prev + 1]);
    if (inX == sign(dx) && inY == sign(dy)) return false;  // mid-run: SIMPLE should have dropped it
    for (int k = 0; k < std::max(std::abs(dx), std::abs(dy)); ++k)
      joined.insert(joined.end(), {simple[2 * i] + k * sign(dx), simple[2 * i + 1] + k * sign(dy)});
  }
  if (joined.size() != full.size()) return false;
  for (size_t r = 0; r < m; ++r) {
    bool match = true;
    for (size_t k = 0; match && k < m; ++k)
      match = joined[2 * ((k + r) % m)] == full[2 * k] && joined[2 * ((k + r) % m) + 1] == full[2 * k + 1];
    if (match) return true;
  }
  return false;
}

// Suzuki-Abe's guarantees on any bitmap, checked against the flood fill above. In All mode with every
// border pixel kept: each foreground component has one outer border and each enclosed background
// component one hole border; a border is exactly the pixels of its component that are 4-adjacent to the
// background component on its other side (the left of an outer border's start, the right of a hole's);
// an outer border's parent is the hole it sits in, a hole's parent its component's outer border.
void checkContourProperties(const Bitmap& b) {
  const Components cc = components(b);
  const std::vector<Contour> all = trace(b, ContourRetrieval::All, false);
  CHECK(all.size() == static_cast<size_t>(cc.foreground + cc.background - 1));
  std::vector<int> outerOf(cc.foreground, -1), holeOf(cc.background, -1), faces(all.size());
  std::map<std::pair<int, int>, int> borderOf;  // (foreground, background component) -> contour
  for (size_t i = 0; i < all.size(); ++i) {
    const Points& p = all[i].points;
    CHECK((!p.empty() && p.size() % 2 == 0));
    const size_t n = p.size() / 2;
    const int x0 = p[0], y0 = p[1], fg = cc.at(x0, y0);
    for (size_t k = 0; k < n; ++k) {
      CHECK(b.on(p[2 * k], p[2 * k + 1]));  // inside the bitmap, foreground
      CHECK(cc.at(p[2 * k], p[2 * k + 1]) == fg);
      const size_t next = (k + 1) % n;  // consecutive points are 8-neighbours
      if (n > 1) CHECK(std::max(std::abs(p[2 * next] - p[2 * k]), std::abs(p[2 * next + 1] - p[2 * k + 1])) == 1);
    }
    const int side = all[i].hole ? x0 + 1 : x0 - 1;
    CHECK(!b.on(side, y0));
    const int bg = cc.at(side, y0);
    faces[i] = bg;
    if (all[i].hole) {
      CHECK((bg != 0 && holeOf[bg] < 0));
      holeOf[bg] = static_cast<int>(i);
    } else {
      CHECK(outerOf[fg] < 0);
      outerOf[fg] = static_cast<int>(i);
    }
    CHECK(borderOf.emplace(std::make_pair(fg, bg), static_cast<int>(i)).second);
  }
  for (size_t i = 0; i < all.size(); ++i) {
    const Contour& c = all[i];
    CHECK(c.parent < static_cast<int>(i));
    if (c.hole)
      CHECK(c.parent == outerOf[cc.at(c.points[0], c.points[1])]);
    else
      CHECK(c.parent == (faces[i] == 0 ? -1 : holeOf[faces[i]]));
  }

  // Every border pixel (a 4-neighbour in the background or beyond the edge) lies on the border between its
  // component and that background component, and those borders hold nothing else.
  const int dx4[4] = {1, 0, -1, 0}, dy4[4] = {0, 1, 0, -1};
  std::vector<std::vector<int>> want(all.size());
  for (int y = 0; y < b.h; ++y)
    for (int x = 0; x < b.w; ++x) {
      if (!b.on(x, y)) continue;
      for (int d = 0; d < 4; ++d) {
        if (b.on(x + dx4[d], y + dy4[d])) continue;
        const auto found = borderOf.find({cc.at(x, y), cc.at(x + dx4[d], y + dy4[d])});
        CHECK(found != borderOf.end());
        want[found->second].push_back(y * b.w + x);
      }
    }
  for (size_t i = 0; i < all.size(); ++i) {
    std::vector<int> got;
    for (size_t k = 0; k < all[i].points.size(); k += 2) got.push_back(all[i].points[k + 1] * b.w + all[i].points[k]);
    for (std::vector<int>* v : {&got, &want[i]}) {
      std::sort(v->begin(), v->end());
      v->erase(std::unique(v->begin(), v->end()), v->end());
    }
    CHECK(got == want[i]);
  }

  // External: the outer borders of the components that touch the outside, as All mode traces them.
  const std::vector<Contour> external = trace(b, ContourRetrieval::External, false);
  std::vector<const Contour*> topLevel;
  for (const Contour& c : all)
    if (!c.hole && c.parent == -1) topLevel.push_back(&c);
  std::vector<uint8_t> touchesOutside(cc.foreground, 0);
  for (int y = 0; y < b.h; ++y)
    for (int x = 0; x < b.w; ++x)
      for (int d = 0; d < 4; ++d)
        if (b.on(x, y) && !b.on(x + dx4[d], y + dy4[d]) && cc.at(x + dx4[d], y + dy4[d]) == 0)
          touchesOutside[cc.at(x, y)] = 1;
  CHECK(external.size() == topLevel.size());
  CHECK(external.size() == static_cast<size_t>(std::count(touchesOutside.begin(), touchesOutside.end(), 1)));
  for (size_t i = 0; i < external.size(); ++i)
    CHECK((!external[i].hole && external[i].parent == -1 && external[i].points == topLevel[i]->points));

  // SIMPLE: the same contours, each a compression of its full border.
  for (ContourRetrieval mode : kModes) {
    const std::vector<Contour>& full = mode == ContourRetrieval::All ? all : external;
    const std::vector<Contour> simple = trace(b, mode, true);
    CHECK(simple.size() == full.size());
    for (size_t i = 0; i < full.size(); ++i) {
      CHECK((simple[i].hole == full[i].hole && simple[i].parent == full[i].parent));
      CHECK(simplifies(simple[i].points, full[i].points));
    }
  }
}

// SIGALRM: a border that never closes would hang the run; fail it instead.
void onWatchdog(int) {
  const char message[] = "core_test: watchdog expired: findContours did not terminate?\n";
  if (write(2, message, sizeof message - 1) < 0) _exit(2);
  _exit(1);
}

TEST_CASE("contour properties") {
  std::signal(SIGALRM, onWatchdog);
  alarm(200);  // generous: valgrind runs this ~50x slower than native
  Rng rng{2024};
  for (int i = 0; i < 2000; ++i) {
    Bitmap b;
    b.w = 1 + static_cast<int>((rng.next() >> 16) % 20);
    b.h = 1 + static_cast<int>((rng.next() >> 16) % 20);
    const float density = rng.uniform(0.1f, 0.9f);
    for (int p = 0; p < b.w * b.h; ++p) b.bits.push_back(rng.uniform(0.f, 1.f) < density ? 1 : 0);
    checkContourProperties(b);
    // Any non-zero byte is foreground: 255s (and other values) trace like 1s.
    Bitmap bytes = b;
    for (uint8_t& v : bytes.bits) v = v ? static_cast<uint8_t>(1 + rng.byte() % 255) : 0;
    const std::vector<Contour> a = trace(b, ContourRetrieval::All, true), c = trace(bytes, ContourRetrieval::All, true);
    CHECK(a.size() == c.size());
    for (size_t k = 0; k < a.size(); ++k) CHECK((a[k].points == c[k].points && a[k].parent == c[k].parent));
  }
  // Patterns random bitmaps rarely produce: checkerboards (every joint diagonal, every enclosed background
  // pixel its own hole), all ones, stripes, and larger bitmaps.
  for (int w = 1; w <= 12; ++w)
    for (int h = 1; h <= 12; ++h)
      for (int phase = 0; phase < 2; ++phase) {
        Bitmap b;
        b.w = w, b.h = h;
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) b.bits.push_back((x + y + phase) % 2 == 0);
        checkContourProperties(b);
        for (int y = 0; y < h; ++y)
          for (int x = 0; x < w; ++x) b.bits[static_cast<size_t>(y) * w + x] = phase ? 1 : (y % 2 == 0);
        checkContourProperties(b);
      }
  for (float density : {0.3f, 0.5f, 0.6f, 0.7f}) {
    Bitmap b;
    b.w = 64, b.h = 48;
    for (int p = 0; p < b.w * b.h; ++p) b.bits.push_back(rng.uniform(0.f, 1.f) < density ? 1 : 0);
    checkContourProperties(b);
  }
  alarm(0);
}

}  // namespace
