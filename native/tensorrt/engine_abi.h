// The engine layer's entry points for each TensorRT major: engine.cc is compiled once per major the
// addon is built against (CMakeLists.txt defines FASTSAM_TRT_ABI=trt<major> and FASTSAM_WITH_TRT<major>),
// and engine_dispatch.cc calls the one matching the libnvinfer found at run time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine.h"
#include "tensorrt_library.h"

namespace fastsam::trt {

#define FASTSAM_DECLARE_TRT_ABI(ns)                                                                  \
  namespace ns {                                                                                     \
  /* Engine::load for this major, through the library opened at run time. */                         \
  std::unique_ptr<Engine> loadEngine(const std::vector<uint8_t>& onnx, const EngineOptions& options, \
                                     const TensorRtLibrary& library);                                \
  /* The TensorRT version of the headers this copy was compiled against, e.g. "10.16.0". */          \
  std::string headerVersion();                                                                       \
  }

FASTSAM_DECLARE_TRT_ABI(trt10)
FASTSAM_DECLARE_TRT_ABI(trt11)
#undef FASTSAM_DECLARE_TRT_ABI

}  // namespace fastsam::trt
