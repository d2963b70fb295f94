#!/usr/bin/env bash
# Formats the C++ sources with .clang-format (Debian's clang-format 14), or with --check lists
# the files that differ and exits 1 (the test suite runs the check).
set -euo pipefail
cd "$(dirname "$0")/.."
formatter=$(command -v clang-format-14 || command -v clang-format || true)
[ -n "$formatter" ] || { echo "format: clang-format not found (apt-get install clang-format-14)" >&2; exit 2; }
mapfile -t files < <(git ls-files 'sim/*.cpp' 'sim/*.hpp' 'include/*.hpp' 'tools/*.cpp' 'tools/*.hpp' \
  'tests/*.cpp' 'tests/*.hpp' 'python/*.cpp' 'python/*.hpp' 2>/dev/null || find sim include tools tests python -name '*.[ch]pp')
if [ "${1:-}" = --check ]; then
  # One process checks every file (271 processes took 40 s of CPU); only when something
  # differs does the loop below find which files, to name them.
  if "$formatter" --style=file --dry-run --Werror "${files[@]}" 2>/dev/null; then
    echo "format: ${#files[@]} files match .clang-format"
    exit 0
  fi
  differ=0
  for f in "${files[@]}"; do
    if ! "$formatter" --style=file "$f" | cmp -s - "$f"; then
      echo "not formatted: $f (tools/format.sh formats it)"
      differ=1
    fi
  done
  [ "$differ" -eq 0 ] && echo "format: ${#files[@]} files match .clang-format"
  exit "$differ"
fi
"$formatter" --style=file -i "${files[@]}"
