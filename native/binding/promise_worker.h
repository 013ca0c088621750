// AsyncWorker that settles a Promise: pixel work runs on the libuv pool, never on the JS thread.
#pragma once
#include <napi.h>

#include <exception>
#include <string>
#include <vector>

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

  // Keeps a JS value (an input typed array) alive until the work is done, so no copy is needed.
  void Hold(const Napi::Value& value) { held_.push_back(Napi::Persistent(value.As<Napi::Object>())); }

 protected:
  // Runs off the JS thread; C++ exceptions become rejections.
  virtual void Run() = 0;
  // Back on the JS thread: builds the resolution value.
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute() override {
    try {
      Run();
    } catch (const std::exception& e) { SetError(e.what()); } catch (...) {
      SetError("unknown native error");
    }
  }
  void OnOK() override {
    Napi::HandleScope scope(Env());
    deferred_.Resolve(Result(Env()));
  }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

  Napi::Promise::Deferred deferred_;
  std::vector<Napi::ObjectReference> held_;
};

}  // namespace fastsam_binding
