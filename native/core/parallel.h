// A tiny fork-join loop: masks are independent, and a worker thread per core makes them ~N x faster.
#pragma once
#include <algorithm>
#include <exception>
#include <functional>
#include <thread>
#include <vector>

namespace fastsam {

inline void parallelFor(size_t count, const std::function<void(size_t)>& body, size_t maxThreads = 0) {
  size_t threads = maxThreads ? maxThreads : std::max(1u, std::thread::hardware_concurrency());
  threads = std::min(threads, count);
  if (threads <= 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::vector<std::exception_ptr> errors(threads);
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (size_t t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      try {
        for (size_t i = t; i < count; i += threads) body(i);  // interleaved: mask sizes vary a lot
      } catch (...) { errors[t] = std::current_exception(); }
    });
  }
  for (std::thread& th : pool) th.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
}

}  // namespace fastsam
