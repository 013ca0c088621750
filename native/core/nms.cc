#include "nms.h"

#include <algorithm>
#include <numeric>

namespace fastsam {

namespace {

constexpr float kMaxWh = 7680.f;  // class offset that keeps boxes of different classes apart

bool classAllowed(const NmsOptions& options, int cls) {
  return options.classes.empty() ||
         std::find(options.classes.begin(), options.classes.end(), cls) != options.classes.end();
}

Detection makeDetection(const float* out, size_t stride, int a, float score, int cls) {
  const float cx = out[a], cy = out[stride + a], w = out[2 * stride + a], h = out[3 * stride + a];
  Detection d;
  d.box[0] = cx - w / 2.f;
  d.box[1] = cy - h / 2.f;
  d.box[2] = cx + w / 2.f;
  d.box[3] = cy + h / 2.f;
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
    int best = 0;
    float score = out[4 * stride + a];
    bool nan = score != score;
    for (int c = 1; c < nc; ++c) {
      float s = out[(4 + c) * stride + a];
      nan = nan || s != s;
      if (s > score) {
        score = s;
        best = c;
      }  // first maximum wins, like torch.max
    }
    // torch's amax/max propagate NaN, so the reference drops an anchor with any NaN class score.
    if (nan || !(score > options.confThreshold) || !classAllowed(options, best)) continue;
    found.push_back(makeDetection(out, stride, a, score, best));
  }
  return found;
}

}  // namespace

float boxIou(const float* a, const float* b) {
  const float areaA = (a[2] - a[0]) * (a[3] - a[1]);
  const float areaB = (b[2] - b[0]) * (b[3] - b[1]);
  const float w = std::max(0.f, std::min(a[2], b[2]) - std::max(a[0], b[0]));
  const float h = std::max(0.f, std::min(a[3], b[3]) - std::max(a[1], b[1]));
  const float inter = w * h;
  return inter / (areaA + areaB - inter);
}

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
