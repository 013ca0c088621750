// A pool of "lanes": everything one in-flight GPU request needs (its CUDA stream, reusable device and
// pinned buffers, a TensorRT execution context). Concurrent requests from JS each lease their own lane, so
// they run side by side without sharing buffers; a finished request returns its lane for the next one.
#pragma once
#include <cuda_runtime_api.h>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace fastsam::cuda {

template <typename Lane>
class LanePool {
 public:
  class Lease {
   public:
    Lease(LanePool* pool, std::unique_ptr<Lane> lane) : pool_(pool), lane_(std::move(lane)) {}
    Lease(Lease&&) noexcept = default;
    Lease(const Lease&) = delete;
    ~Lease() {
      if (lane_) pool_->giveBack(std::move(lane_));
    }
    Lane* operator->() const { return lane_.get(); }
    Lane& operator*() const { return *lane_; }
    // Drops the lane instead of returning it to the pool (its state may be broken).
    void discard() { lane_.reset(); }

   private:
    LanePool* pool_;
    std::unique_ptr<Lane> lane_;
  };

  // A free lane, or a new one from `make` (called outside the lock: creating CUDA resources is slow).
  Lease acquire(const std::function<std::unique_ptr<Lane>()>& make) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!free_.empty()) {
        std::unique_ptr<Lane> lane = std::move(free_.back());
        free_.pop_back();
        return Lease(this, std::move(lane));
      }
    }
    return Lease(this, make());
  }

  // Frees the idle lanes (their buffers); leased ones are freed when returned after this.
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.clear();
  }

 private:
  void giveBack(std::unique_ptr<Lane> lane) {
    std::lock_guard<std::mutex> lock(mutex_);
    free_.push_back(std::move(lane));
  }
  std::mutex mutex_;
  std::vector<std::unique_ptr<Lane>> free_;
};

// Runs `work(lane)` on a leased lane (any Lane with a `stream` member). If it throws, copies it queued
// may still be reading the lane's pinned buffers: wait for them, and drop the lane (its stream may be in
// an error state) instead of handing it to the next request.
template <typename Lease, typename Work>
auto withLane(Lease& lease, Work&& work) -> decltype(work(*lease)) {
  try {
    return work(*lease);
  } catch (...) {
    cudaStreamSynchronize(lease->stream.get());
    cudaGetLastError();  // clear what the failure left, so the next call on this thread starts clean
    lease.discard();
    throw;
  }
}

}  // namespace fastsam::cuda
