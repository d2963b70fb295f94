#!/usr/bin/env bash
# Checks one entry of the bad-input catalogue (README.md beside this file):
#   check.sh FUNNELSIM ENTRY
# `funnelsim validate FILE` and `funnelsim run FILE --out DIR` must each exit 2, print nothing
# on stdout and exactly the entry's .expected text on stderr; `run` must create neither DIR
# nor any other file. ENTRY is the scenario file itself, or a .sh script that writes it.
set -uo pipefail
cli="$(realpath "$1")"
entry="$(realpath "$2")"
expected="${entry%.*}.expected"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/scratch"
input=$entry
if [[ $entry == *.sh ]]; then
  input="$work/scratch/input.json"
  bash "$entry" >"$input"
fi
failed=0

check() {  # label, then the funnelsim arguments
  local label=$1
  shift
  (cd "$work/scratch" && "$cli" "$@" >"$work/stdout" 2>"$work/stderr")
  local code=$?
  if [ "$code" -ne 2 ]; then
    echo "$label: exit code $code, expected 2"
    failed=1
  fi
  if [ -s "$work/stdout" ]; then
    echo "$label: printed on stdout:"
    head -c 2000 "$work/stdout"
    failed=1
  fi
  if ! cmp -s "$work/stderr" "$expected"; then
    echo "$label: stderr differs from $(basename "$expected") (< expected, > printed):"
    diff "$expected" "$work/stderr" | head -c 4000
    failed=1
  fi
}

check validate validate "$input"
check run run "$input" --out "$work/scratch/out"
# Nothing may appear besides the generated input: no output folder, no temporary files.
leftovers="$(cd "$work/scratch" && ls -A | grep -vx 'input.json')"
if [ -n "$leftovers" ]; then
  echo "run: left behind in its working folder: $leftovers"
  failed=1
fi
[ "$failed" -eq 0 ] && echo "ok: $(basename "$entry"): exit 2, expected message, no output"
exit "$failed"
