// Argument reading and result building shared by the bindings: typed arrays in, external buffers out.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "errors.h"
#include "owned_array.h"

namespace fastsam_binding {

// Thrown inside argument parsing; guard() turns it into a JS TypeError with `code` (E_BAD_OPTION unless said).
struct ArgumentError {
  std::string message;
  const char* code = codes::kBadOption;
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
template <>
struct TypedArrayKind<int32_t> {
  static constexpr napi_typedarray_type value = napi_int32_array;
};
template <>
struct TypedArrayKind<double> {
  static constexpr napi_typedarray_type value = napi_float64_array;
};

const char* typedArrayName(napi_typedarray_type type);

template <typename T>
bool isTypedArrayOf(const Napi::Value& value) {
  return value.IsTypedArray() && value.As<Napi::TypedArray>().TypedArrayType() == TypedArrayKind<T>::value;
}

// A typed array whose buffer was transferred away before the call: nothing to read, and the caller's doing.
template <typename T>
void checkAttached(const Napi::TypedArrayOf<T>& array, const std::string& name) {
  if (array.ArrayBuffer().IsDetached())
    throw ArgumentError{name + " was detached (transferred) before the call could read it", codes::kBadSource};
}

template <typename T>
Napi::TypedArrayOf<T> typedArrayArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (info.Length() <= index || !isTypedArrayOf<T>(info[index]))
    throw ArgumentError{std::string(name) + " must be a " + typedArrayName(TypedArrayKind<T>::value)};
  Napi::TypedArrayOf<T> array = info[index].As<Napi::TypedArrayOf<T>>();
  checkAttached(array, name);
  return array;
}

// A copy of a typed array's elements (pooled, see owned_array.h). Async work reads copies, never the
// caller's memory: a caller may transfer (detach) its buffer while the work runs, which frees the memory
// under a borrowed pointer.
template <typename T>
OwnedArray<T> copyOf(const Napi::TypedArrayOf<T>& array) {
  return OwnedArray<T>(array);
}

// A copy as a vector, for work that writes into it and hands it back to JS.
template <typename T>
std::vector<T> vectorOf(const Napi::TypedArrayOf<T>& array) {
  const T* data = array.Data();
  return std::vector<T>(data, data + array.ElementLength());
}

template <typename T>
OwnedArray<T> copyArg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  return copyOf(typedArrayArg<T>(info, index, name));
}

// The same for a typed array held in an options object (`undefined` -> empty, `present` false).
template <typename T>
OwnedArray<T> copyField(const Napi::Object& obj, const char* key, bool* present = nullptr) {
  Napi::Value v = obj.Get(key);
  if (present) *present = !v.IsUndefined();
  if (v.IsUndefined()) return {};
  if (!isTypedArrayOf<T>(v))
    throw ArgumentError{std::string("option '") + key + "' must be a " + typedArrayName(TypedArrayKind<T>::value)};
  checkAttached(v.As<Napi::TypedArrayOf<T>>(), std::string("option '") + key + "'");
  return copyOf(v.As<Napi::TypedArrayOf<T>>());
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
