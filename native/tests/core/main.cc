// The core's tests: doctest's runner (one test file per core module, see scripts/native-sanitize.sh).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
