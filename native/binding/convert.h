// Argument reading and result building shared by the bindings: typed arrays in, external buffers out.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

namespace fastsam_binding {

// Thrown inside argument parsing; the caller turns it into a JS TypeError.
struct ArgumentError {
  std::string message;
};

template <typename T>
struct TypedArrayKind;
template <>
struct TypedArrayKind<float> {
  static constexpr napi_typedarray_type value = napi_float32_array;
};
template <>
struct TypedArrayKind<uint8_t> {
  static constexpr napi_typedarray_type value = napi_uint8_array;
};
template <>
struct TypedArrayKind<uint32_t> {
  static constexpr napi_typedarray_type value = napi_uint32_array;
};

template <typename T>
Napi::TypedArrayOf<T> typedArrayArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != TypedArrayKind<T>::value)
    throw ArgumentError{std::string(name) + " must be a " +
                        (TypedArrayKind<T>::value == napi_float32_array ? "Float32Array" : "Uint8Array")};
  return info[index].As<Napi::TypedArrayOf<T>>();
}

inline Napi::Object objectArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !info[index].IsObject()) throw ArgumentError{std::string(name) + " must be an object"};
  return info[index].As<Napi::Object>();
}

int intField(const Napi::Object& obj, const char* key, int min, int max);
double numberField(const Napi::Object& obj, const char* key);
bool boolField(const Napi::Object& obj, const char* key);
std::string stringField(const Napi::Object& obj, const char* key);

// Hands a vector's memory to JS without copying; the ArrayBuffer frees it when collected.
template <typename T>
Napi::TypedArrayOf<T> toTypedArray(Napi::Env env, std::vector<T>&& values) {
  auto* owned = new std::vector<T>(std::move(values));
  if (owned->empty()) {
    delete owned;
    return Napi::TypedArrayOf<T>::New(env, 0);
  }
  Napi::ArrayBuffer buffer = Napi::ArrayBuffer::New(
      env, owned->data(), owned->size() * sizeof(T), [](Napi::Env, void*, std::vector<T>* data) { delete data; },
      owned);
  return Napi::TypedArrayOf<T>::New(env, owned->size(), buffer, 0);
}

}  // namespace fastsam_binding
