// Engine::load and tensorrtStatus for every TensorRT major the addon was built against: the libnvinfer
// this machine has decides which compiled copy of the engine layer runs (engine_abi.h).
#include <stdexcept>

#include "engine.h"
#include "engine_abi.h"
#include "tensorrt_library.h"

namespace fastsam::trt {
namespace {

struct Variant {
  int major;
  std::unique_ptr<Engine> (*load)(const std::vector<uint8_t>&, const EngineOptions&, const TensorRtLibrary&);
  std::string (*headerVersion)();
};

// Newest first: where both majors are installed, the newer one runs.
const std::vector<Variant>& variants() {
  static const std::vector<Variant> list = {
#ifdef FASTSAM_WITH_TRT11
      {11, &trt11::loadEngine, &trt11::headerVersion},
#endif
#ifdef FASTSAM_WITH_TRT10
      {10, &trt10::loadEngine, &trt10::headerVersion},
#endif
  };
  return list;
}

std::vector<int> majors() {
  std::vector<int> out;
  for (const Variant& v : variants()) out.push_back(v.major);
  return out;
}

std::string builtForText() {
  std::string text;
  for (const Variant& v : variants()) text += (text.empty() ? "" : " or ") + std::to_string(v.major);
  return text;
}

}  // namespace

std::unique_ptr<Engine> Engine::load(const std::vector<uint8_t>& onnx, const EngineOptions& options) {
  std::string why;
  const TensorRtLibrary* library = openTensorRt(majors(), &why);
  if (!library) {
    throw TensorRtUnavailable("TensorRT's runtime library is not usable here (" + why + "): install TensorRT " +
                              builtForText() + " and put its lib folder on LD_LIBRARY_PATH");
  }
  for (const Variant& v : variants()) {
    if (v.major == library->major) return v.load(onnx, options, *library);
  }
  throw std::logic_error("no engine layer for the TensorRT major that was loaded");
}

TensorRtStatus tensorrtStatus() {
  TensorRtStatus status;
  for (const Variant& v : variants()) status.builtFor.push_back(v.headerVersion());
  if (status.builtFor.empty()) return status;  // kernels-only addons have no engine: nothing to look for
  const TensorRtLibrary* library = openTensorRt(majors(), &status.whyNot);
  if (library) status.version = library->version;
  return status;
}

}  // namespace fastsam::trt
