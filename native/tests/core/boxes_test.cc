// FastSAM's full-image box and scale_boxes back to the original image.
#include <doctest/doctest.h>

#include "../../core/full_image_box.h"
#include "../../core/scale_boxes.h"
#include "support.h"

using namespace fastsam;

namespace {

Detection det(float x1, float y1, float x2, float y2, float conf, int cls) {
  Detection d;
  d.box[0] = x1, d.box[1] = y1, d.box[2] = x2, d.box[3] = y2;
  d.conf = conf, d.cls = cls, d.anchor = 0;
  return d;
}

TEST_CASE("full image box") {
  std::vector<Detection> none;
  applyFullImageBox(none, 640, 640);
  CHECK(none.empty());

  std::vector<Detection> d = {
      det(5, 3, 630, 635, 0.9f, 2),    // snapped to the border, then IoU 1: becomes the full box
      det(25, 25, 600, 600, 0.8f, 1),  // not within 20 px, IoU 0.81: unchanged
      det(10, 30, 100, 630, 0.7f, 1),  // only snapped
      det(1, 1, 639, 639, 0.6f, 3),    // a second full-image match: also the full box (a deliberate deviation)
      det(kNaN, kNaN, kNaN, kNaN, 0.5f, 1), det(300, 300, 200, 200, 0.4f, 1),  // inverted
  };
  applyFullImageBox(d, 640, 640);
  CHECK((d[0].box[0] == 0 && d[0].box[1] == 0 && d[0].box[2] == 640 && d[0].box[3] == 640 && d[0].cls == 0));
  CHECK(d[0].conf == 0.9f);
  CHECK((d[1].box[0] == 25 && d[1].box[2] == 600 && d[1].cls == 1));
  CHECK((d[2].box[0] == 0 && d[2].box[1] == 30 && d[2].box[2] == 100 && d[2].box[3] == 640 && d[2].cls == 1));
  CHECK((d[3].box[2] == 640 && d[3].cls == 0 && d[3].conf == 0.6f));
  CHECK((std::isnan(d[4].box[0]) && d[4].cls == 1));
  CHECK((d[5].box[0] == 300 && d[5].cls == 1));
}

TEST_CASE("scale boxes") {
  // 1000x667 letterboxed into 640x640: gain 0.64, pad (0, 106).
  float full[4] = {0, 106, 640, 533};
  scaleBoxToOriginal(full, 640, 640, 667, 1000);
  CHECK((full[0] == 0 && full[1] == 0 && full[2] == 1000 && full[3] == 667));  // 667.19 clipped
  float mid[4] = {64, 170, 128, 234};
  scaleBoxToOriginal(mid, 640, 640, 667, 1000);
  CHECK((std::fabs(mid[0] - 100) < 1e-3f && std::fabs(mid[1] - 100) < 1e-3f));
  CHECK((std::fabs(mid[2] - 200) < 1e-3f && std::fabs(mid[3] - 200) < 1e-3f));
  float wild[4] = {-1e30f, kInf, 1e30f, kNaN};
  scaleBoxToOriginal(wild, 640, 640, 1, 1);
  CHECK((wild[0] == 0 && wild[1] == 1 && wild[2] == 1));
  CHECK(std::isnan(wild[3]));  // NaN stays NaN: clamp does not invent a number
}

}  // namespace
