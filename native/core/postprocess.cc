#include "postprocess.h"

#include <stdexcept>

#include "geometry.h"

namespace fastsam {

ImageDetections detect(const float* output0, int rows, int anchors, const PostprocessOptions& options) {
  const int nm = rows - 4 - options.nc;
  if (nm < 0) throw std::invalid_argument("output0 has fewer rows than 4 + number of classes");
  std::vector<Detection> dets = nonMaxSuppression(output0, rows, anchors, options.nc, options.nms);
  if (options.fullImageBox)
    for (Detection& d : dets)
      if (fullImageBox(d.box, options.inputH, options.inputW)) d.cls = 0;  // keeps its score and coefficients
  const ScaleGeometry scale = scaleGeometry(options.inputH, options.inputW, options.origH, options.origW);

  ImageDetections out;
  out.nm = nm;
  const size_t n = dets.size();
  out.boxes.resize(n * 4);
  out.inputBoxes.resize(n * 4);
  out.conf.resize(n);
  out.cls.resize(n);
  out.coef.resize(n * nm);
  for (size_t i = 0; i < n; ++i) {
    const Detection& d = dets[i];
    for (int k = 0; k < 4; ++k) out.inputBoxes[i * 4 + k] = out.boxes[i * 4 + k] = d.box[k];
    scaleBox(&out.boxes[i * 4], scale, options.origH, options.origW);
    out.conf[i] = d.conf;
    out.cls[i] = static_cast<float>(d.cls);
    for (int c = 0; c < nm; ++c)
      out.coef[i * nm + c] = output0[static_cast<size_t>(4 + options.nc + c) * anchors + d.anchor];
  }
  return out;
}

}  // namespace fastsam
