// Reads the shape of an ONNX model's image input straight from the protobuf bytes, without TensorRT.
// The engine cache key needs the input size and the effective batch before anything is built, and asking
// TensorRT would mean creating a builder (seconds, and over a GB of host memory) even when the cached
// engine is there. Pure C++17; tested in native/tests/tensorrt/engine_cache_test.cc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fastsam::trt {

struct OnnxInput {
  std::string name;
  int32_t elemType = 0;       // onnx.TensorProto.DataType: 1 = float32, 10 = float16
  std::vector<int64_t> dims;  // -1 where the dimension is symbolic or unset
};

// The first graph input that is not also an initializer (old exporters list weights as inputs).
// std::nullopt with the reason in *whyNot when the bytes are not a readable ONNX model or no input has
// a tensor shape.
std::optional<OnnxInput> readOnnxInput(const uint8_t* data, size_t size, std::string* whyNot);

}  // namespace fastsam::trt
