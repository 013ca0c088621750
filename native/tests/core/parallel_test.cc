// parallelFor: every index once, exceptions carried to the caller.
#include <doctest/doctest.h>

#include "../../core/parallel.h"
#include "support.h"

using namespace fastsam;

namespace {

TEST_CASE("parallel for") {
  for (size_t count : {size_t(0), size_t(1), size_t(257)}) {
    std::vector<std::atomic<int>> hits(count);
    parallelFor(
        count, [&](size_t i) { hits[i]++; }, 4);
    for (auto& h : hits) CHECK(h.load() == 1);
  }
  bool threw = false;
  try {
    parallelFor(
        100,
        [](size_t i) {
          if (i == 37) throw std::runtime_error("boom");
        },
        3);
  } catch (const std::runtime_error&) { threw = true; }
  CHECK(threw);
}

}  // namespace
