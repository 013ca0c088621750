// TensorRT's C++ API for the engine sources, wrapped in a namespace named after the TensorRT major they
// are compiled for (FASTSAM_TRT_ABI: trt10 or trt11, set by CMakeLists.txt per compilation).
//
// Why: the addon carries one copy of the engine layer per TensorRT major it was built against, and the
// two majors' headers define the same names (nvinfer1::IBuilder, ...) with different virtual tables
// (TensorRT 11 removed methods of TensorRT 10). Wrapped, they become trt10::nvinfer1::... and
// trt11::nvinfer1::..., so the linker can never merge one major's inline code into the other's. The
// headers include only the standard and CUDA headers below (included first, so their include guards
// keep them out of the namespace), and never name ::nvinfer1 absolutely.
#pragma once

#ifndef FASTSAM_TRT_ABI
#error "compile the TensorRT engine sources with -DFASTSAM_TRT_ABI=trt<major> (CMakeLists.txt does)"
#endif

#include <cuda_runtime_api.h>
#include <stddef.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace FASTSAM_TRT_ABI {
#include <NvInfer.h>
#include <NvInferRuntime.h>
#include <NvOnnxParser.h>
}  // namespace FASTSAM_TRT_ABI

namespace fastsam::trt::FASTSAM_TRT_ABI {
namespace nvinfer1 = ::FASTSAM_TRT_ABI::nvinfer1;
namespace nvonnxparser = ::FASTSAM_TRT_ABI::nvonnxparser;
using ::FASTSAM_TRT_ABI::NV_ONNX_PARSER_VERSION;  // a constant, not a macro, in NvOnnxParser.h
}  // namespace fastsam::trt::FASTSAM_TRT_ABI
