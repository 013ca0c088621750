// AsyncWorker that settles a Promise: pixel work runs on the libuv pool, never on the JS thread.
//
// Workers own everything they read or write off the JS thread. A caller's typed array is only borrowed
// memory: the caller may transfer (detach) its buffer while the work runs (structuredClone with
// `transfer`, postMessage to a worker), which frees it under a borrowed pointer. So the bindings copy
// their inputs into vectors the worker owns before queueing it (convert.h copyOf / copyArg), results are
// native vectors handed to JS without a copy, and anything written into a caller's array is written back
// on the JS thread in Result(), after checking the array is still there. There is deliberately no way to
// keep a pointer into a JS value across the async boundary.
#pragma once
#include <napi.h>

#include <exception>
#include <string>

#include "errors.h"

namespace fastsam_binding {

class PromiseWorker : public Napi::AsyncWorker {
 public:
  explicit PromiseWorker(Napi::Env env)
      : Napi::AsyncWorker(env, "fastsam"), deferred_(Napi::Promise::Deferred::New(env)) {}

  Napi::Promise Queue() {
    Napi::Promise promise = deferred_.Promise();
    AsyncWorker::Queue();
    return promise;
  }

 protected:
  // Runs off the JS thread; C++ exceptions become rejections.
  virtual void Run() = 0;
  // Back on the JS thread: builds the resolution value. A throw here rejects the promise too (with the
  // code of a codedError, E_NATIVE for a plain exception).
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() override {
    try {
      Run();
    } catch (const std::exception& e) {
      code_ = codeOf(e);
      SetError(e.what());
    } catch (...) { SetError("unknown native error"); }
  }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    try {
      deferred_.Resolve(Result(env));
    } catch (const Napi::Error& e) { deferred_.Reject(e.Value()); } catch (const std::exception& e) {
      deferred_.Reject(codedError(env, codeOf(e), e.what()).Value());
    }
  }
  void OnError(const Napi::Error& error) override {
    error.Set("code", Napi::String::New(Env(), code_));
    deferred_.Reject(error.Value());
  }

  Napi::Promise::Deferred deferred_;
  const char* code_ = codes::kNative;
};

}  // namespace fastsam_binding
