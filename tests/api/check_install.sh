#!/usr/bin/env bash
# Installs a built funnelsim into a temporary prefix, builds tests/api/consumer against it with
# find_package(funnelsim), and runs it on a shipped scenario.
#   tests/api/check_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$source/tests/api/consumer" -B "$work/consumer" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work/consumer" >/dev/null
"$work/consumer/consumer" "$source/scenarios/saas_baseline.json"
