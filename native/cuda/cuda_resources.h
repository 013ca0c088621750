// RAII for every CUDA resource the GPU backend touches (streams, events, device and pinned memory), in the
// style of TensorRT's samples: nothing is freed by hand, and every CUDA error becomes a C++ exception that
// the binding turns into a rejected promise.
#pragma once
#include <cuda_runtime_api.h>

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace fastsam::cuda {

class CudaError : public std::runtime_error {
 public:
  CudaError(cudaError_t code, const std::string& what)
      : std::runtime_error(what + ": " + cudaGetErrorName(code) + " (" + cudaGetErrorString(code) + ")"), code_(code) {}
  cudaError_t code() const { return code_; }

 private:
  cudaError_t code_;
};

inline void check(cudaError_t code, const char* what) {
  if (code != cudaSuccess) {
    cudaGetLastError();  // clear a sticky-free error so the next call does not report it again
    throw CudaError(code, what);
  }
}

// Memory owned by one deleter (cudaFree or cudaFreeHost); grows on demand and is reused across calls.
template <typename T, cudaError_t (*Alloc)(void**, size_t), cudaError_t (*Free)(void*)>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(size_t count) { reserve(count); }
  ~Buffer() { release(); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  Buffer(Buffer&& other) noexcept
      : ptr_(std::exchange(other.ptr_, nullptr)), capacity_(std::exchange(other.capacity_, 0)) {}
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      release();
      ptr_ = std::exchange(other.ptr_, nullptr);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  // Ensures room for `count` elements; existing contents are not kept when it grows.
  T* reserve(size_t count) {
    if (count <= capacity_) return ptr_;
    release();
    void* p = nullptr;
    check(Alloc(&p, count * sizeof(T) > 0 ? count * sizeof(T) : 1), "cannot allocate GPU or pinned memory");
    ptr_ = static_cast<T*>(p);
    capacity_ = count;
    return ptr_;
  }
  T* data() const { return ptr_; }
  size_t capacity() const { return capacity_; }

 private:
  void release() noexcept {
    if (ptr_) Free(ptr_);
    ptr_ = nullptr;
    capacity_ = 0;
  }
  T* ptr_ = nullptr;
  size_t capacity_ = 0;
};

inline cudaError_t deviceAlloc(void** p, size_t bytes) { return cudaMalloc(p, bytes); }
inline cudaError_t pinnedAlloc(void** p, size_t bytes) { return cudaMallocHost(p, bytes); }

template <typename T>
using DeviceBuffer = Buffer<T, deviceAlloc, cudaFree>;
// Page-locked host memory: the only kind that cudaMemcpyAsync copies truly asynchronously.
template <typename T>
using PinnedBuffer = Buffer<T, pinnedAlloc, cudaFreeHost>;

class Stream {
 public:
  Stream() { check(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), "cannot create a CUDA stream"); }
  ~Stream() {
    if (stream_) cudaStreamDestroy(stream_);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return stream_; }
  void synchronize() const { check(cudaStreamSynchronize(stream_), "CUDA stream failed"); }

 private:
  cudaStream_t stream_ = nullptr;
};

class Event {
 public:
  Event() { check(cudaEventCreate(&event_), "cannot create a CUDA event"); }
  ~Event() {
    if (event_) cudaEventDestroy(event_);
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return event_; }
  void record(cudaStream_t stream) { check(cudaEventRecord(event_, stream), "cannot record a CUDA event"); }
  void synchronize() const { check(cudaEventSynchronize(event_), "CUDA event failed"); }
  // Milliseconds from `start` to this event (both recorded and complete).
  float since(const Event& start) const {
    float ms = 0.f;
    check(cudaEventElapsedTime(&ms, start.event_, event_), "cannot time CUDA events");
    return ms;
  }

 private:
  cudaEvent_t event_ = nullptr;
};

// Makes `device` current on this thread before CUDA work (libuv worker threads share no CUDA state).
// It does not restore the previous device on exit: that would be cudaSetDevice(0) on a fresh thread,
// which creates a context on GPU 0 even for work on GPU 1. Every user selects its device first instead.
class DeviceScope {
 public:
  explicit DeviceScope(int device) { check(cudaSetDevice(device), "cannot select the CUDA device"); }
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;
};

// Rounds a byte offset up to 16, so tables packed into one staging block stay aligned for any element type.
inline size_t alignUp(size_t n) { return (n + 15) & ~size_t(15); }

}  // namespace fastsam::cuda
