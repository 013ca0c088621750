// Pillow's bicubic resize: a golden hash Pillow printed, uniform images staying uniform, and the windowed
// resize (alone, or with the image's own resize reused) equal to resizing the white canvas itself.
#include <doctest/doctest.h>

#include "../../core/bicubic.h"
#include "../../core/clip_image.h"
#include "support.h"

using namespace fastsam;

namespace {

// The generator's pattern (test/clip/preprocess.test.ts): (x*x*3 + y*7 + c*85 + (x*y) % 13) % 256.
std::vector<uint8_t> pattern(int w, int h) {
  std::vector<uint8_t> rgb(static_cast<size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        rgb[(static_cast<size_t>(y) * w + x) * 3 + c] = (x * x * 3 + y * 7 + c * 85 + (x * y) % 13) % 256;
  return rgb;
}

uint32_t fnv1a(const std::vector<uint8_t>& bytes) {
  uint32_t hash = 0x811c9dc5u;
  for (uint8_t b : bytes) hash = (hash ^ b) * 0x01000193u;
  return hash;
}

TEST_CASE("Pillow's pixels: 97 x 61 upscaled to 356 x 224, centre crop") {
  // Python: np.asarray(Image.fromarray(a).resize((356, 224), Image.BICUBIC))[:, 66:290]
  struct Owner : PixelOwner {
    std::vector<uint8_t> rgb = pattern(97, 61);
    const uint8_t* data() const override { return rgb.data(); }
  };
  ClipImage image(std::make_unique<Owner>(), 97, 61, ClipGeometry{356, 224, 66, 0, 224, 224});
  std::vector<uint8_t> out(224 * 224 * 3);
  image.pixels(PixelWindow{0, 0, 97, 61}, out.data(), false);
  CHECK(fnv1a(out) == 0xf153050eu);
}

TEST_CASE("a uniform image stays uniform") {
  std::vector<uint8_t> rgb(300 * 200 * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) rgb[i] = 200, rgb[i + 1] = 17, rgb[i + 2] = 90;
  const BicubicPlan plan(300, 200, 113, 77, OutputRegion{0, 0, 113, 77});
  std::vector<uint8_t> out(plan.regionBytes());
  plan.resize(rgb.data(), PixelWindow{0, 0, 300, 200}, out.data());
  for (size_t i = 0; i < out.size(); i += 3) {
    CHECK(out[i] == 200);
    CHECK(out[i + 1] == 17);
    CHECK(out[i + 2] == 90);
  }
}

TEST_CASE("windowed resizes equal resizing the white canvas") {
  Rng rng{3};
  for (auto [w, h, outW, outH, left] : {std::array<int, 5>{173, 129, 301, 224, 38},
                                        {640, 480, 298, 224, 37},
                                        {50, 30, 50, 224, 0},
                                        {30, 30, 30, 30, 0}}) {
    const std::vector<uint8_t> rgb = pattern(w, h);
    const int cropW = std::min(224, outW - left), cropH = std::min(224, outH);
    const BicubicPlan plan(w, h, outW, outH, OutputRegion{left, 0, cropW, cropH});
    const BicubicPlan whole(w, h, outW, outH, OutputRegion{0, 0, outW, outH});
    const ImageResize cache = plan.imageResize(rgb.data());
    for (int k = 0; k < 12; ++k) {
      const int x0 = static_cast<int>(rng.next() % w), y0 = static_cast<int>(rng.next() % h);
      const PixelWindow window{x0, y0, x0 + static_cast<int>(rng.next() % (w - x0 + 1)),
                               y0 + static_cast<int>(rng.next() % (h - y0 + 1))};
      std::vector<uint8_t> canvas(rgb.size(), 255);
      for (int y = window.y0; y < window.y1; ++y)
        std::copy(rgb.data() + ((static_cast<size_t>(y) * w + window.x0) * 3),
                  rgb.data() + ((static_cast<size_t>(y) * w + window.x1) * 3),
                  canvas.data() + ((static_cast<size_t>(y) * w + window.x0) * 3));
      std::vector<uint8_t> full(whole.regionBytes());
      whole.resize(canvas.data(), PixelWindow{0, 0, w, h}, full.data());
      for (const ImageResize* reuse : {static_cast<const ImageResize*>(nullptr), &cache}) {
        std::vector<uint8_t> got(plan.regionBytes());
        plan.resize(rgb.data(), window, got.data(), reuse);
        bool same = true;
        for (int y = 0; y < cropH; ++y)
          same = same && std::equal(got.data() + (static_cast<size_t>(y) * cropW * 3),
                                    got.data() + (static_cast<size_t>(y + 1) * cropW * 3),
                                    full.data() + ((static_cast<size_t>(y) * outW + left) * 3));
        CHECK(same);
      }
    }
  }
}

TEST_CASE("coefficients only for the wanted positions") {
  const AxisCoefficients all = axisCoefficients(61, 224, 0, 224), part = axisCoefficients(61, 224, 100, 110);
  for (int xx = 100; xx < 110; ++xx) {
    CHECK(part.firstOf(xx) == all.firstOf(xx));
    CHECK(part.countOf(xx) == all.countOf(xx));
    CHECK(std::equal(part.weightsOf(xx), part.weightsOf(xx) + part.ksize, all.weightsOf(xx)));
  }
}

}  // namespace
