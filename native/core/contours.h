// Border following (Suzuki & Abe 1985, the algorithm behind cv2.findContours) on a binary bitmap.
#pragma once
#include <cstdint>
#include <vector>

namespace fastsam {

struct Contour {
  std::vector<int32_t> points;  // x0, y0, x1, y1, ... in bitmap coordinates
  bool hole = false;            // a hole border (inside a component) rather than an outer border
  int parent = -1;              // index of the enclosing contour, -1 for the image frame
};

enum class ContourRetrieval {
  External,  // outer borders of top-level components only (RETR_EXTERNAL)
  All,       // every outer and hole border, with parents (RETR_TREE)
};

// `bits` is width x height, row-major, non-zero = foreground. `simple` keeps only the end points of
// horizontal, vertical and diagonal runs (CHAIN_APPROX_SIMPLE); otherwise every border pixel is kept.
std::vector<Contour> findContours(const uint8_t* bits, int width, int height, ContourRetrieval retrieval, bool simple);

}  // namespace fastsam
