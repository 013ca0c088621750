// The shared geometry rules (geometry.h): round half to even, LetterBox's padding, scale_boxes, FastSAM's
// full-image box, box decoding, IoU and the candidate filter.
#include <doctest/doctest.h>

#include "../../core/geometry.h"
#include "support.h"

using namespace fastsam;

namespace {

Detection det(float x1, float y1, float x2, float y2, float conf, int cls) {
  Detection d;
  d.box[0] = x1, d.box[1] = y1, d.box[2] = x2, d.box[3] = y2;
  d.conf = conf, d.cls = cls, d.anchor = 0;
  return d;
}

// The full-image-box step over a list, as postprocess.cc runs it.
void applyFullImageBox(std::vector<Detection>& dets, int inputH, int inputW) {
  for (Detection& d : dets)
    if (fullImageBox(d.box, inputH, inputW)) d.cls = 0;
}

void scaleBoxToOriginal(float* box, int inputH, int inputW, int origH, int origW) {
  scaleBox(box, scaleGeometry(inputH, inputW, origH, origW), origH, origW);
}

TEST_CASE("round half even") {
  CHECK(roundHalfEven(766.5) == 766.0);  // Python round(), as the spec's example
  CHECK(roundHalfEven(0.5) == 0.0);
  CHECK(roundHalfEven(1.5) == 2.0);
  CHECK(roundHalfEven(-0.1) == 0.0);
  CHECK(roundHalfEven(106.4) == 106.0);
}

TEST_CASE("compute letterbox") {
  // Spec 2.4 examples: 1000x667 at 640 (square and auto), bus.jpg 810x1080 at 1024 with auto.
  LetterboxGeometry g = computeLetterbox(667, 1000, 640, 640, false, true, 32);
  CHECK((g.unpadWidth == 640 && g.unpadHeight == 427));
  CHECK((g.top == 106 && g.bottom == 107 && g.left == 0 && g.right == 0));
  CHECK((g.outWidth == 640 && g.outHeight == 640));
  g = computeLetterbox(667, 1000, 640, 640, true, true, 32);
  CHECK((g.top == 10 && g.bottom == 11 && g.outHeight == 448 && g.outWidth == 640));
  g = computeLetterbox(1080, 810, 1024, 1024, true, true, 32);
  CHECK((g.unpadWidth == 768 && g.unpadHeight == 1024 && g.outWidth == 768 && g.outHeight == 1024));
  g = computeLetterbox(1080, 810, 1024, 1024, false, true, 32);
  CHECK((g.left == 128 && g.right == 128 && g.outWidth == 1024));

  // scaleUp=false keeps a small image at its size; a 1x1 image fills the whole input when upscaled.
  g = computeLetterbox(50, 100, 640, 640, false, false, 32);
  CHECK((g.unpadWidth == 100 && g.unpadHeight == 50 && g.outWidth == 640 && g.outHeight == 640));
  g = computeLetterbox(1, 1, 640, 640, false, true, 32);
  CHECK((g.unpadWidth == 640 && g.unpadHeight == 640 && g.top == 0 && g.left == 0));

  // Extreme aspect ratios: the short side rounds to 0 px (the binding rejects that), the rest still fits.
  g = computeLetterbox(1, 4000, 640, 640, false, true, 32);
  CHECK((g.unpadWidth == 640 && g.unpadHeight == 0 && g.outHeight == 640 && g.top == 320));
  g = computeLetterbox(4000, 1, 640, 640, true, true, 32);
  CHECK((g.unpadHeight == 640 && g.unpadWidth == 0 && g.outWidth == 0));

  // Invariants over odd sizes: padding adds up; square mode fills the input; auto pads to the stride.
  const int sizes[] = {1, 2, 3, 7, 31, 33, 333, 641, 1999};
  for (int h : sizes)
    for (int w : sizes)
      for (int autoPad = 0; autoPad < 2; ++autoPad) {
        g = computeLetterbox(h, w, 96, 160, autoPad, true, 32);
        CHECK((g.unpadWidth <= 160 && g.unpadHeight <= 96 && g.unpadWidth >= 0 && g.unpadHeight >= 0));
        CHECK((g.top >= 0 && g.bottom >= g.top && g.bottom - g.top <= 1));
        CHECK((g.left >= 0 && g.right >= g.left && g.right - g.left <= 1));
        CHECK((g.outWidth == g.unpadWidth + g.left + g.right && g.outHeight == g.unpadHeight + g.top + g.bottom));
        if (autoPad)
          CHECK(((160 - g.outWidth) % 32 == 0 && (96 - g.outHeight) % 32 == 0));
        else
          CHECK((g.outWidth == 160 && g.outHeight == 96));
      }
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

TEST_CASE("scale geometry: the double gain, pads rounded half to even after -0.1") {
  const ScaleGeometry s = scaleGeometry(640, 640, 667, 1000);
  CHECK(s.gain == 0.64);
  CHECK(s.padX == 0);
  CHECK(s.padY == 106);                                      // (640 - 426.88) / 2 - 0.1 = 106.46
  const ScaleGeometry odd = scaleGeometry(64, 64, 64, 128);  // pad (64 - 32) / 2 - 0.1 = 15.9 -> 16
  CHECK(odd.padY == 16);
  CHECK(scaleGeometry(640, 640, 640, 640).gain == 1);
}

TEST_CASE("decodeBox, boxIou") {
  float b[4];
  decodeBox(10, 20, 4, 6, b);
  CHECK(b[0] == 8);
  CHECK(b[1] == 17);
  CHECK(b[2] == 12);
  CHECK(b[3] == 23);
  const float a[4] = {0, 0, 10, 10}, c[4] = {5, 5, 15, 15}, far[4] = {20, 20, 30, 30};
  CHECK(boxIou(a, c) == 25.f / 175.f);
  CHECK(boxIou(a, far) == 0.f);
  CHECK(std::isnan(boxIou(a, std::array<float, 4>{kNaN, 0, 1, 1}.data())));
}

TEST_CASE("candidate filter: first maximum, NaN drops the anchor, strict threshold, class filter") {
  // One anchor per column; rows cx, cy, w, h, then 3 class scores.
  const int anchors = 5;
  const float out[7 * anchors] = {
      0,   0,    0,    0,   0,    // cx
      0,   0,    0,    0,   0,    // cy
      0,   0,    0,    0,   0,    // w
      0,   0,    0,    0,   0,    // h
      0.5, 0.7,  0.3,  0.9, 0.4,  // class 0
      0.5, 0.7,  kNaN, 0.1, 0.4,  // class 1
      0.2, 0.25, 0.1,  0.2, 0.4,  // class 2
  };
  auto any = [](int) { return true; };
  int cls = -1;
  float score = 0;
  CHECK(bestCandidate(out, anchors, 0, 3, 0.4f, any, cls, score));
  CHECK(cls == 0);  // a tie: the first class
  CHECK(score == 0.5f);
  CHECK(bestCandidate(out, anchors, 1, 3, 0.4f, any, cls, score));
  CHECK(cls == 0);
  CHECK(!bestCandidate(out, anchors, 2, 3, 0.f, any, cls, score));   // NaN
  CHECK(!bestCandidate(out, anchors, 4, 3, 0.4f, any, cls, score));  // not above conf
  CHECK(!bestCandidate(
      out, anchors, 3, 3, 0.4f, [](int c) { return c != 0; }, cls, score));
}

}  // namespace
