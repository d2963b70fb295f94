#!/usr/bin/env bash
# Installs funnelsim's build and test dependencies from Debian 12 packages.
# Idempotent: when every package is already installed it prints nothing and exits 0.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libeigen3-dev libboost-dev libtbb-dev nlohmann-json3-dev
  catch2 libcli11-dev libfmt-dev librandom123-dev
  # tools/test.sh's sanitizer and fuzz stages: clang, its sanitizer and libFuzzer runtimes,
  # llvm-symbolizer for readable reports.
  clang-14 libclang-rt-14-dev llvm-14
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "funnelsim setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
