// The ILogger every TensorRT object of one engine reports to. TensorRT returns null or false on failure
// and explains why only through the logger, so errors are kept here and quoted in the exceptions the
// engine layer throws. Silent by default (a library must not write to a Node process's stderr); set
// FASTSAM_TRT_LOG=error|warning|info|verbose to also print messages up to that severity.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "tensorrt_api.h"

namespace fastsam::trt::FASTSAM_TRT_ABI {

class Logger : public nvinfer1::ILogger {
 public:
  Logger() : printUpTo_(severityFromEnv()) {}

  // TensorRT calls this from any of its threads; it must not throw.
  void log(Severity severity, const char* msg) noexcept override {
    if (!msg) return;
    if (severity <= printUpTo_) std::fprintf(stderr, "[fastsam tensorrt] %s\n", msg);
    if (severity != Severity::kERROR && severity != Severity::kINTERNAL_ERROR) return;
    try {
      std::lock_guard<std::mutex> lock(mutex_);
      // Keep every error since the last clear(): the first usually names the cause, the last the symptom.
      if (errors_.size() < kMaxErrorText) {
        if (!errors_.empty()) errors_ += "; ";
        errors_ += msg;
      }
    } catch (...) {
      // Out of memory while recording an error: drop the message rather than terminate.
    }
  }

  // Errors reported since the last clear(), joined with "; " (empty if none).
  std::string lastError() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return errors_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    errors_.clear();
  }
  // "<what>: <TensorRT errors>" or just "<what>" when TensorRT said nothing.
  std::string explain(const std::string& what) const {
    std::string errors = lastError();
    return errors.empty() ? what : what + ": " + errors;
  }

 private:
  static constexpr size_t kMaxErrorText = 8192;

  static Severity severityFromEnv() {
    const char* level = std::getenv("FASTSAM_TRT_LOG");
    // Below kINTERNAL_ERROR (0): prints nothing.
    if (!level) return static_cast<Severity>(-1);
    if (!std::strcmp(level, "verbose")) return Severity::kVERBOSE;
    if (!std::strcmp(level, "info")) return Severity::kINFO;
    if (!std::strcmp(level, "warning")) return Severity::kWARNING;
    if (!std::strcmp(level, "error")) return Severity::kERROR;
    return static_cast<Severity>(-1);
  }

  const Severity printUpTo_;
  mutable std::mutex mutex_;
  std::string errors_;
};

}  // namespace fastsam::trt::FASTSAM_TRT_ABI
