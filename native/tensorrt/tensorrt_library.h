// TensorRT's libraries, opened at run time by soname (libnvinfer.so.<major>, libnvonnxparser.so.<major>)
// instead of linked: the prebuilt GPU addon then loads wherever the NVIDIA driver is (its kernels and the
// static CUDA runtime need nothing else), and finds TensorRT only when an engine is asked for, saying
// exactly what is missing when it is not there.
//
// Only TensorRT's C entry points are looked up: the factories behind the headers' inline
// createInferBuilder / createInferRuntime / nvonnxparser::createParser, and the version query. Every other
// TensorRT call is a virtual call on an object those factories return, so it needs no symbol.
// No TensorRT header is needed here: the factories take and return void*.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace fastsam::trt {

struct TensorRtLibrary {
  int major = 0;
  std::string version;  // the loaded library's, e.g. "10.13.3"
  std::string file;     // the soname that was opened, e.g. "libnvinfer.so.10"
  // createInferBuilder_INTERNAL / createInferRuntime_INTERNAL: (ILogger*, NV_TENSORRT_VERSION) -> object.
  void* (*createInferBuilder)(void* logger, int32_t version) = nullptr;
  void* (*createInferRuntime)(void* logger, int32_t version) = nullptr;
};

struct OnnxParserLibrary {
  std::string file;
  // createNvOnnxParser_INTERNAL: (INetworkDefinition*, ILogger*, NV_ONNX_PARSER_VERSION) -> IParser*.
  void* (*createParser)(void* network, void* logger, int version) = nullptr;
};

// The soname of TensorRT's runtime library and ONNX parser for a major version on this platform.
std::string nvinferFile(int major);
std::string onnxParserFile(int major);

// libnvinfer for the first of `majors` that opens and has the entry points (tried in order), or nullptr
// with a sentence in *whyNot naming every library tried and why it failed. Opened once per process and
// never closed (TensorRT objects may outlive any caller); thread-safe.
const TensorRtLibrary* openTensorRt(const std::vector<int>& majors, std::string* whyNot);

// The ONNX parser matching an opened TensorRT, or nullptr with the reason (only building an engine needs
// it: loading a cached engine does not).
const OnnxParserLibrary* openOnnxParser(int major, std::string* whyNot);

}  // namespace fastsam::trt
