#include "crop_args.h"

#include <cmath>
#include <string>

#include "convert.h"

namespace fastsam_binding {

OwnedCrops readCrops(const Napi::CallbackInfo& info, size_t first, int maskHeight, int maskWidth) {
  Napi::Uint8Array bits = typedArrayArg<uint8_t>(info, first, "bits");
  Napi::Int32Array windows = typedArrayArg<int32_t>(info, first + 1, "windows");
  Napi::Float64Array offsets = typedArrayArg<double>(info, first + 2, "offsets");
  const size_t count = windows.ElementLength() / 4;
  if (windows.ElementLength() % 4 != 0 || offsets.ElementLength() != count + 1)
    throw ArgumentError{"windows must be n x 4 and offsets n + 1 long"};
  const double size = static_cast<double>(bits.ElementLength());
  for (size_t i = 0; i < count; ++i) {
    const int32_t x = windows[i * 4], y = windows[i * 4 + 1], w = windows[i * 4 + 2], h = windows[i * 4 + 3];
    const double begin = offsets[i], end = offsets[i + 1];
    if (w < 0 || h < 0 || !(begin >= 0) || begin != std::floor(begin) || !(end <= size) ||
        end - begin != static_cast<double>(w) * h)
      throw ArgumentError{"crop " + std::to_string(i) + " does not fit its window or the bits"};
    if (maskHeight > 0 && w > 0 && h > 0 &&
        (x < 0 || y < 0 || int64_t{x} + w > maskWidth || int64_t{y} + h > maskHeight))
      throw ArgumentError{"crop " + std::to_string(i) + " lies outside the mask"};
  }
  return {copyOf(bits), copyOf(windows), copyOf(offsets)};
}

}  // namespace fastsam_binding
