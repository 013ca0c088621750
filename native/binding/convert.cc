#include "convert.h"

#include <cmath>

namespace fastsam_binding {

namespace {
Napi::Value field(const Napi::Object& obj, const char* key) {
  Napi::Value v = obj.Get(key);
  if (v.IsUndefined()) throw ArgumentError{std::string("missing option '") + key + "'"};
  return v;
}
}  // namespace

const char* typedArrayName(napi_typedarray_type type) {
  switch (type) {
    case napi_uint8_array:
      return "Uint8Array";
    case napi_int32_array:
      return "Int32Array";
    case napi_uint32_array:
      return "Uint32Array";
    case napi_float32_array:
      return "Float32Array";
    case napi_float64_array:
      return "Float64Array";
    default:
      return "typed array";
  }
}

int intField(const Napi::Object& obj, const char* key, int min, int max) {
  Napi::Value v = field(obj, key);
  if (!v.IsNumber()) throw ArgumentError{std::string("option '") + key + "' must be a number"};
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || d < min || d > max)
    throw ArgumentError{std::string("option '") + key + "' must be an integer in [" + std::to_string(min) + ", " +
                        std::to_string(max) + "]"};
  return static_cast<int>(d);
}

double numberField(const Napi::Object& obj, const char* key) {
  Napi::Value v = field(obj, key);
  if (!v.IsNumber()) throw ArgumentError{std::string("option '") + key + "' must be a number"};
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) throw ArgumentError{std::string("option '") + key + "' must be finite"};
  return d;
}

bool boolField(const Napi::Object& obj, const char* key) {
  Napi::Value v = field(obj, key);
  if (!v.IsBoolean()) throw ArgumentError{std::string("option '") + key + "' must be a boolean"};
  return v.As<Napi::Boolean>().Value();
}

std::string stringField(const Napi::Object& obj, const char* key) {
  Napi::Value v = field(obj, key);
  if (!v.IsString()) throw ArgumentError{std::string("option '") + key + "' must be a string"};
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace fastsam_binding
