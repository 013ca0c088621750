#include "onnx_input.h"

#include <set>

namespace fastsam::trt {
namespace {

// Field numbers from onnx.proto (stable since IR version 3).
constexpr uint32_t kModelGraph = 7;
constexpr uint32_t kGraphInitializer = 5, kGraphInput = 11;
constexpr uint32_t kTensorName = 8;
constexpr uint32_t kValueInfoName = 1, kValueInfoType = 2;
constexpr uint32_t kTypeTensor = 1;
constexpr uint32_t kTensorTypeElem = 1, kTensorTypeShape = 2;
constexpr uint32_t kShapeDim = 1;
constexpr uint32_t kDimValue = 1;

enum WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

// A bounds-checked cursor over one protobuf message; every read fails cleanly on malformed input.
class Wire {
 public:
  Wire() = default;
  Wire(const uint8_t* p, size_t n) : p_(p), end_(p + n) {}
  bool done() const { return p_ == end_; }

  bool varint(uint64_t& value) {
    value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) return false;
      uint8_t byte = *p_++;
      value |= uint64_t(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return true;
    }
    return false;
  }
  bool tag(uint32_t& field, int& wireType) {
    uint64_t t;
    if (!varint(t) || (t >> 3) == 0 || (t >> 3) > 0x1fffffff) return false;
    field = uint32_t(t >> 3);
    wireType = int(t & 7);
    return true;
  }
  bool message(Wire& sub) {
    uint64_t n;
    if (!varint(n) || n > uint64_t(end_ - p_)) return false;
    sub = Wire(p_, size_t(n));
    p_ += n;
    return true;
  }
  bool string(std::string& out) {
    Wire sub;
    if (!message(sub)) return false;
    out.assign(reinterpret_cast<const char*>(sub.p_), size_t(sub.end_ - sub.p_));
    return true;
  }
  bool skip(int wireType) {
    uint64_t ignored;
    Wire sub;
    switch (wireType) {
      case kVarint:
        return varint(ignored);
      case kFixed64:
        return advance(8);
      case kLengthDelimited:
        return message(sub);
      case kFixed32:
        return advance(4);
      default:
        return false;  // groups (3, 4) are not used by ONNX
    }
  }

 private:
  bool advance(size_t n) {
    if (n > size_t(end_ - p_)) return false;
    p_ += n;
    return true;
  }
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
};

// Calls onField(field, wireType, wire) for each field; it consumes the field and returns false on error.
template <typename OnField>
bool forEachField(Wire wire, OnField onField) {
  while (!wire.done()) {
    uint32_t field;
    int wireType;
    if (!wire.tag(field, wireType) || !onField(field, wireType, wire)) return false;
  }
  return true;
}

bool readDim(Wire dim, int64_t& out) {
  out = -1;
  return forEachField(dim, [&](uint32_t field, int type, Wire& w) {
    uint64_t v;
    if (field == kDimValue && type == kVarint) {
      if (!w.varint(v)) return false;
      // A zero or negative size is not a usable static dimension.
      out = int64_t(v) > 0 ? int64_t(v) : -1;
      return true;
    }
    return w.skip(type);
  });
}

bool readTensorType(Wire tensorType, OnnxInput& input, bool& hasShape) {
  return forEachField(tensorType, [&](uint32_t field, int type, Wire& w) {
    if (field == kTensorTypeElem && type == kVarint) {
      uint64_t v;
      if (!w.varint(v)) return false;
      input.elemType = int32_t(v);
      return true;
    }
    if (field == kTensorTypeShape && type == kLengthDelimited) {
      Wire shape;
      if (!w.message(shape)) return false;
      hasShape = true;
      input.dims.clear();
      return forEachField(shape, [&](uint32_t f, int t, Wire& s) {
        if (f != kShapeDim || t != kLengthDelimited) return s.skip(t);
        Wire dim;
        int64_t size;
        if (!s.message(dim) || !readDim(dim, size)) return false;
        input.dims.push_back(size);
        return true;
      });
    }
    return w.skip(type);
  });
}

bool readValueInfo(Wire valueInfo, OnnxInput& input, bool& hasShape) {
  return forEachField(valueInfo, [&](uint32_t field, int type, Wire& w) {
    if (field == kValueInfoName && type == kLengthDelimited) return w.string(input.name);
    if (field == kValueInfoType && type == kLengthDelimited) {
      Wire typeProto;
      if (!w.message(typeProto)) return false;
      return forEachField(typeProto, [&](uint32_t f, int t, Wire& tw) {
        if (f != kTypeTensor || t != kLengthDelimited) return tw.skip(t);
        Wire tensorType;
        return tw.message(tensorType) && readTensorType(tensorType, input, hasShape);
      });
    }
    return w.skip(type);
  });
}

}  // namespace

std::optional<OnnxInput> readOnnxInput(const uint8_t* data, size_t size, std::string* whyNot) {
  auto reject = [whyNot](const std::string& reason) {
    if (whyNot) *whyNot = reason;
    return std::nullopt;
  };
  if (!data || size == 0) return reject("the ONNX model is empty");

  Wire graph;
  bool haveGraph = false;
  bool ok = forEachField(Wire(data, size), [&](uint32_t field, int type, Wire& w) {
    if (field == kModelGraph && type == kLengthDelimited) {
      haveGraph = true;
      return w.message(graph);
    }
    return w.skip(type);
  });
  if (!ok || !haveGraph) return reject("not an ONNX model (no graph found in the protobuf)");

  // Inputs and initializers may come in any order on the wire, so collect both first.
  std::vector<std::pair<OnnxInput, bool>> inputs;
  std::set<std::string> initializers;
  ok = forEachField(graph, [&](uint32_t field, int type, Wire& w) {
    if (field == kGraphInput && type == kLengthDelimited) {
      Wire valueInfo;
      OnnxInput input;
      bool hasShape = false;
      if (!w.message(valueInfo) || !readValueInfo(valueInfo, input, hasShape)) return false;
      inputs.emplace_back(std::move(input), hasShape);
      return true;
    }
    if (field == kGraphInitializer && type == kLengthDelimited) {
      Wire tensor;
      if (!w.message(tensor)) return false;
      return forEachField(tensor, [&](uint32_t f, int t, Wire& tw) {
        if (f != kTensorName || t != kLengthDelimited) return tw.skip(t);
        std::string name;
        if (!tw.string(name)) return false;
        initializers.insert(std::move(name));
        return true;
      });
    }
    return w.skip(type);
  });
  if (!ok) return reject("not an ONNX model (malformed graph)");

  for (auto& [input, hasShape] : inputs) {
    if (initializers.count(input.name)) continue;
    if (!hasShape) return reject("the ONNX input '" + input.name + "' has no shape");
    if (whyNot) whyNot->clear();
    return std::move(input);
  }
  return reject("the ONNX model has no graph input");
}

}  // namespace fastsam::trt
