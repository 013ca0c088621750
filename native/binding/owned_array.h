// Copies of callers' typed arrays in memory the binding owns (see promise_worker.h for why), from a small
// pool of recently freed blocks. Copying into fresh memory costs a page fault per 4 KiB: a 12 MP image took
// 80-100 ms on the JS thread that way, against 5-15 ms for a memcpy into a block touched before. The pool
// keeps at most kPoolBytes of idle blocks, so a burst of big images does not pin memory for ever.
#pragma once
#include <napi.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

namespace fastsam_binding {

class BlockPool {
 public:
  static constexpr size_t kPoolBytes = size_t{96} << 20;   // two 12 MP images and change
  static constexpr size_t kSmallBytes = size_t{64} << 10;  // below this, malloc is cheap enough

  struct Block {
    std::unique_ptr<unsigned char[]> bytes;
    size_t capacity = 0;
  };

  static BlockPool& instance() {
    static BlockPool* pool = new BlockPool();  // never destroyed: workers may release blocks at exit
    return *pool;
  }

  // A block of at least `size` bytes: the smallest idle one that fits (at most twice the size), else new.
  Block acquire(size_t size) {
    if (size >= kSmallBytes) {
      std::lock_guard<std::mutex> lock(mutex_);
      size_t best = idle_.size();
      for (size_t i = 0; i < idle_.size(); ++i)
        if (idle_[i].capacity >= size && idle_[i].capacity / 2 <= size &&
            (best == idle_.size() || idle_[i].capacity < idle_[best].capacity))
          best = i;
      if (best != idle_.size()) {
        Block block = std::move(idle_[best]);
        idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(best));
        idleBytes_ -= block.capacity;
        return block;
      }
    }
    return {std::unique_ptr<unsigned char[]>(new unsigned char[std::max<size_t>(size, 1)]), std::max<size_t>(size, 1)};
  }

  // Keeps a big block for reuse while the pool has room; the oldest idle blocks make room first.
  void release(Block block) {
    if (block.capacity < kSmallBytes || block.capacity > kPoolBytes) return;
    std::lock_guard<std::mutex> lock(mutex_);
    while (idleBytes_ + block.capacity > kPoolBytes && !idle_.empty()) {
      idleBytes_ -= idle_.front().capacity;
      idle_.erase(idle_.begin());
    }
    idleBytes_ += block.capacity;
    idle_.push_back(std::move(block));
  }

 private:
  std::mutex mutex_;
  std::vector<Block> idle_;
  size_t idleBytes_ = 0;
};

// A copy of a typed array's elements in a pooled block: move-only, returned to the pool when destroyed.
template <typename T>
class OwnedArray {
 public:
  OwnedArray() = default;
  explicit OwnedArray(const Napi::TypedArrayOf<T>& array) : size_(array.ElementLength()) {
    block_ = BlockPool::instance().acquire(size_ * sizeof(T));
    if (size_) std::memcpy(block_.bytes.get(), array.Data(), size_ * sizeof(T));
  }
  OwnedArray(OwnedArray&&) noexcept = default;
  OwnedArray& operator=(OwnedArray&& other) noexcept {
    if (this != &other) {
      release();
      block_ = std::move(other.block_);
      size_ = other.size_;
      other.size_ = 0;
    }
    return *this;
  }
  ~OwnedArray() { release(); }

  const T* data() const { return reinterpret_cast<const T*>(block_.bytes.get()); }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const T& operator[](size_t i) const { return data()[i]; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  // Frees the copy now (e.g. once the work no longer needs it) instead of with the worker.
  void reset() { *this = OwnedArray(); }

 private:
  void release() {
    if (block_.bytes) BlockPool::instance().release(std::move(block_));
    block_ = {};
  }
  BlockPool::Block block_;
  size_t size_ = 0;
};

}  // namespace fastsam_binding
