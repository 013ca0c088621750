#include "nms.h"

#include <algorithm>
#include <numeric>

namespace fastsam {

namespace {

bool classAllowed(const NmsOptions& options, int cls) {
  return options.classes.empty() ||
         std::find(options.classes.begin(), options.classes.end(), cls) != options.classes.end();
}

Detection makeDetection(const float* out, size_t stride, int a, float score, int cls) {
  Detection d;
  decodeBox(out[a], out[stride + a], out[2 * stride + a], out[3 * stride + a], d.box);
  d.conf = score;
  d.cls = cls;
  d.anchor = a;
  return d;
}

// multi_label (the validator's NMS): one candidate per class score above the threshold.
std::vector<Detection> multiLabelCandidates(const float* out, int anchors, int nc, const NmsOptions& options) {
  std::vector<Detection> found;
  const size_t stride = static_cast<size_t>(anchors);
  for (int a = 0; a < anchors; ++a)
    for (int c = 0; c < nc; ++c) {
      const float s = out[(4 + c) * stride + a];
      if (s > options.confThreshold && classAllowed(options, c)) found.push_back(makeDetection(out, stride, a, s, c));
    }
  return found;
}

// Candidates above the threshold, best class each, boxes converted to xyxy in float32.
std::vector<Detection> candidates(const float* out, int anchors, int nc, const NmsOptions& options) {
  if (options.multiLabel && nc > 1) return multiLabelCandidates(out, anchors, nc, options);
  std::vector<Detection> found;
  const size_t stride = static_cast<size_t>(anchors);  // size_t: rows * anchors may exceed 2^31
  for (int a = 0; a < anchors; ++a) {
    int cls = 0;
    float score = 0.f;
    if (bestCandidate(
            out, stride, a, nc, options.confThreshold, [&](int c) { return classAllowed(options, c); }, cls, score))
      found.push_back(makeDetection(out, stride, a, score, cls));
  }
  return found;
}

}  // namespace

std::vector<Detection> nonMaxSuppression(const float* output0, int rows, int anchors, int nc,
                                         const NmsOptions& options) {
  (void)rows;
  std::vector<Detection> dets = candidates(output0, anchors, nc, options);
  std::stable_sort(dets.begin(), dets.end(), [](const Detection& x, const Detection& y) { return x.conf > y.conf; });
  if (static_cast<int>(dets.size()) > options.maxNms) dets.resize(options.maxNms);

  // Offset boxes by class in float32, exactly as the reference adds `c` before torchvision's nms.
  const size_t n = dets.size();
  std::vector<float> shifted(n * 4);
  for (size_t i = 0; i < n; ++i) {
    const float offset = options.agnostic ? 0.f : static_cast<float>(dets[i].cls) * kMaxWh;
    for (int k = 0; k < 4; ++k) shifted[i * 4 + k] = dets[i].box[k] + offset;
  }
  std::vector<char> suppressed(n, 0);
  std::vector<Detection> kept;
  for (size_t i = 0; i < n && static_cast<int>(kept.size()) < options.maxDet; ++i) {
    if (suppressed[i]) continue;
    kept.push_back(dets[i]);
    for (size_t j = i + 1; j < n; ++j) {
      if (!suppressed[j] && boxIou(&shifted[i * 4], &shifted[j * 4]) > options.iouThreshold) suppressed[j] = 1;
    }
  }
  return kept;
}

}  // namespace fastsam
