// Module entry: the portable core addon (no CUDA, no TensorRT: those live in a separately loaded addon).
#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace fastsam_binding;
  exports.Set("letterboxGeometry", Napi::Function::New(env, LetterboxGeometry, "letterboxGeometry"));
  exports.Set("letterbox", Napi::Function::New(env, Letterbox, "letterbox"));
  exports.Set("letterboxBatch", Napi::Function::New(env, LetterboxBatch, "letterboxBatch"));
  exports.Set("detect", Napi::Function::New(env, Detect, "detect"));
  exports.Set("renderMasks", Napi::Function::New(env, RenderMasks, "renderMasks"));
  exports.Set("paintIndexMap", Napi::Function::New(env, PaintIndexMap, "paintIndexMap"));
  exports.Set("maskPrototypes", Napi::Function::New(env, MaskPrototypes, "maskPrototypes"));
  exports.Set("traceContours", Napi::Function::New(env, TraceContours, "traceContours"));
  exports.Set("refineMasks", Napi::Function::New(env, RefineMasks, "refineMasks"));
  exports.Set("unpackMasks", Napi::Function::New(env, UnpackMasks, "unpackMasks"));
  exports.Set("measureMasks", Napi::Function::New(env, MeasureMasks, "measureMasks"));
  exports.Set("paintMasks", Napi::Function::New(env, PaintMasks, "paintMasks"));
  exports.Set("masksNearPoints", Napi::Function::New(env, MasksNearPoints, "masksNearPoints"));
  exports.Set("smallestOnTop", Napi::Function::New(env, SmallestOnTop, "smallestOnTop"));
  exports.Set("cropsToRle", Napi::Function::New(env, CropsToRle, "cropsToRle"));
  exports.Set("blendIndexMap", Napi::Function::New(env, BlendIndexMap, "blendIndexMap"));
  exports.Set("clipImage", Napi::Function::New(env, ClipImage, "clipImage"));
  exports.Set("clipPreprocess", Napi::Function::New(env, ClipPreprocess, "clipPreprocess"));
  return exports;
}

}  // namespace

NODE_API_MODULE(fastsam, Init)
