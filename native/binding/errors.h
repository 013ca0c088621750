// The stable codes native errors carry to JS (lib/errors.ts FastSAMErrorCode); lib/native.ts turns every
// error that escapes the addons into a FastSAMError with this code (E_NATIVE when there is none).
#pragma once
#include <napi.h>

#include <stdexcept>
#include <string>

namespace fastsam_binding {

namespace codes {
constexpr const char* kBadOption = "E_BAD_OPTION";      // an argument or option the caller got wrong
constexpr const char* kBadSource = "E_BAD_SOURCE";      // input data that cannot be read (e.g. transferred away)
constexpr const char* kModelFormat = "E_MODEL_FORMAT";  // the model itself cannot be run
constexpr const char* kDisposed = "E_DISPOSED";         // used after dispose()
constexpr const char* kNative = "E_NATIVE";             // anything else: an internal failure
}  // namespace codes

// Thrown from work off the JS thread when the failure has a code other than the default mapping's.
struct CodedError : std::runtime_error {
  CodedError(const char* code_, const std::string& message) : std::runtime_error(message), code(code_) {}
  const char* code;
};

// The code for a C++ exception: its own (CodedError), E_BAD_OPTION for std::invalid_argument (the core
// refusing its input), else E_NATIVE.
inline const char* codeOf(const std::exception& e) {
  if (const auto* coded = dynamic_cast<const CodedError*>(&e)) return coded->code;
  if (dynamic_cast<const std::invalid_argument*>(&e)) return codes::kBadOption;
  return codes::kNative;
}

// A JS Error (TypeError for argument errors) with `code` set.
inline Napi::Error codedError(Napi::Env env, const char* code, const std::string& message, bool typeError = false) {
  Napi::Error error = typeError ? Napi::TypeError::New(env, message) : Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  return error;
}

}  // namespace fastsam_binding
