#!/usr/bin/env bash
# Builds the core's doctest suite (native/tests/core/*.cc, one file per core module; doctest from Debian's
# doctest-dev) against the pure C++ core and runs it twice:
#   1. under AddressSanitizer + UndefinedBehaviorSanitizer (any report fails the run);
#   2. under valgrind (an -O1 build without sanitizers), when valgrind is installed.
# Exit status 0 means every run passed. Needs a C++17 compiler (CXX, default g++) and <doctest/doctest.h>.
# Usage: scripts/native-sanitize.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cxx="${CXX:-g++}"
# A private temporary directory: build/ belongs to node-gyp and cmake-js, which wipe it.
work="$(mktemp -d "${TMPDIR:-/tmp}/fastsam-sanitize.XXXXXX")"
trap 'rm -rf "$work"' EXIT

sources=("$root"/native/tests/core/*.cc "$root"/native/core/*.cc)
# SUPER_FAST_ASSERTS: millions of checks run under valgrind too, so each should cost little.
common=(-std=c++17 -g -O1 -pthread -Wall -Wextra -DDOCTEST_CONFIG_SUPER_FAST_ASSERTS)
# float-cast-overflow is not part of GCC's -fsanitize=undefined, and float -> int casts of box
# coordinates are exactly the risk here; _GLIBCXX_ASSERTIONS bounds-checks std::vector::operator[].
sanitize=(-fsanitize=address,undefined,float-cast-overflow -fno-omit-frame-pointer
          -fno-sanitize-recover=all -D_GLIBCXX_ASSERTIONS)

have_valgrind=0
command -v valgrind >/dev/null 2>&1 && have_valgrind=1

# The two builds are independent; compile them side by side to halve the wall time.
"$cxx" "${common[@]}" "${sanitize[@]}" "${sources[@]}" -o "$work/core_test_asan" &
asan_build=$!
plain_status=0
if [ "$have_valgrind" = 1 ]; then
  "$cxx" "${common[@]}" "${sources[@]}" -o "$work/core_test_plain" &
  wait $! || plain_status=$?
fi
asan_status=0
wait "$asan_build" || asan_status=$?
if [ "$asan_status" != 0 ] || [ "$plain_status" != 0 ]; then
  echo "native-sanitize: compiling the core tests failed" >&2
  exit 1
fi

echo "== ASan + UBSan"
ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}" \
UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
  "$work/core_test_asan"

if [ "$have_valgrind" = 1 ]; then
  echo "== valgrind"
  valgrind --quiet --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
    "$work/core_test_plain"
else
  echo "== valgrind: not installed, skipped (Debian package: valgrind)"
fi
echo "native sanitizer checks passed"
