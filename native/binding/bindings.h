// The addon's exported functions, and the guard that turns C++ errors into coded JS errors.
#pragma once
#include <napi.h>

#include "convert.h"
#include "errors.h"

namespace fastsam_binding {

// Runs an entry point's synchronous part: argument errors become TypeErrors with their code
// (E_BAD_OPTION, E_BAD_SOURCE), other C++ exceptions Errors with codeOf()'s.
template <typename Fn>
Napi::Value guard(const Napi::CallbackInfo& info, Fn&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception
  } catch (const ArgumentError& e) {
    codedError(info.Env(), e.code, e.message, true).ThrowAsJavaScriptException();
  } catch (const std::exception& e) { codedError(info.Env(), codeOf(e), e.what()).ThrowAsJavaScriptException(); }
  return info.Env().Undefined();
}

Napi::Value LetterboxGeometry(const Napi::CallbackInfo& info);
Napi::Value Letterbox(const Napi::CallbackInfo& info);
Napi::Value LetterboxBatch(const Napi::CallbackInfo& info);
Napi::Value Detect(const Napi::CallbackInfo& info);
Napi::Value RenderMasks(const Napi::CallbackInfo& info);
Napi::Value PaintIndexMap(const Napi::CallbackInfo& info);
Napi::Value MaskPrototypes(const Napi::CallbackInfo& info);
Napi::Value TraceContours(const Napi::CallbackInfo& info);
Napi::Value RefineMasks(const Napi::CallbackInfo& info);
Napi::Value UnpackMasks(const Napi::CallbackInfo& info);
Napi::Value MeasureMasks(const Napi::CallbackInfo& info);
Napi::Value PaintMasks(const Napi::CallbackInfo& info);
Napi::Value MasksNearPoints(const Napi::CallbackInfo& info);
Napi::Value SmallestOnTop(const Napi::CallbackInfo& info);
Napi::Value CropsToRle(const Napi::CallbackInfo& info);
Napi::Value BlendIndexMap(const Napi::CallbackInfo& info);
Napi::Value ClipImage(const Napi::CallbackInfo& info);
Napi::Value ClipPreprocess(const Napi::CallbackInfo& info);

}  // namespace fastsam_binding
