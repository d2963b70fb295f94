#!/usr/bin/env bash
# The whole test suite: installs what is missing, then four stages, each in its own build
# folder and each ending with ctest's summary line; it stops at the first stage that fails.
#   1. build/       Release with g++, warnings as errors: every test.
#   2. build-asan/  clang, AddressSanitizer + UndefinedBehaviorSanitizer: every test.
#   3. build-tsan/  clang, ThreadSanitizer: the tests of threaded code.
#   4. build-fuzz/  clang, libFuzzer + ASan + UBSan: each fuzz target for 20 s.
# Sanitizer builds use -O1 with assertions on; any sanitizer report fails its test
# (tests/sanitizers/README.md). Builds are incremental: a second run rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
# clang++ and llvm-symbolizer (for readable sanitizer reports) come from Debian's clang-14.
export PATH="/usr/lib/llvm-14/bin:$PATH"
jobs="$(nproc)"
started=$SECONDS
timings=()

clang_build() {  # build folder, target, extra CMake arguments...
  local dir=$1 target=$2
  shift 2
  # Configured every time (a second or so), so a changed option here reaches an existing folder.
  cmake -S . -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
    "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -gline-tables-only" -DFUNNELSIM_WERROR=ON "$@" >/dev/null
  cmake --build "$dir" --parallel "$jobs" --target "$target"
}

run_ctest() {  # stage name, build folder, stage start (seconds)
  echo "== funnelsim tests: $1 ($2)"
  (cd "$2" && ctest --output-on-failure --parallel "$jobs")
  timings+=("$1: $((SECONDS - $3)) s")
}

t=$SECONDS
bash tools/build.sh  # installs what is missing, then the Release build
run_ctest "Release, warnings as errors" build "$t"

t=$SECONDS
clang_build build-asan all -DFUNNELSIM_SANITIZE=address,undefined
run_ctest "AddressSanitizer + UndefinedBehaviorSanitizer" build-asan "$t"

t=$SECONDS
clang_build build-tsan all -DFUNNELSIM_SANITIZE=thread \
  "-DFUNNELSIM_TEST_SPEC=[determinism],[engine],[sales],[interrupt]"
run_ctest "ThreadSanitizer, tests of threaded code" build-tsan "$t"

t=$SECONDS
clang_build build-fuzz funnelsim_fuzzers -DFUNNELSIM_SANITIZE=address,undefined -DFUNNELSIM_FUZZ=ON \
  -DFUNNELSIM_BUILD_TESTS=OFF
run_ctest "libFuzzer targets" build-fuzz "$t"

echo "== funnelsim tests: all four stages passed in $((SECONDS - started)) s (each with its build):"
printf '   %s\n' "${timings[@]}"
