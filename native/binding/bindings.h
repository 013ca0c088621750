// The addon's exported functions, and the guard that turns argument errors into JS TypeErrors.
#pragma once
#include <napi.h>

#include "convert.h"

namespace fastsam_binding {

template <typename Fn>
Napi::Value guard(const Napi::CallbackInfo& info, Fn&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;  // already a JS exception
  } catch (const ArgumentError& e) {
    Napi::TypeError::New(info.Env(), e.message).ThrowAsJavaScriptException();
  } catch (const std::exception& e) { Napi::Error::New(info.Env(), e.what()).ThrowAsJavaScriptException(); }
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
