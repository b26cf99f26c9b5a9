#!/usr/bin/env bash
# The device check (issue 13): run from the repository root on the lent GPU machine with
# `.device` carried (run prepare.sh first; then the device tool's call is
# `bench/device/run.sh` with carry [".device"] and a timeout leaving room for a rerun) and $OUT
# set, or here on the CPU adapter with `--preset quick`. Unpacks what was carried (Deno, the Vulkan loader, node_modules; nothing is
# fetched), then hands over to bench/device/run.ts, which prints JSON lines and writes them to
# $OUT/device.jsonl (options: bench/device/args.ts).
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.device
work=${TMPDIR:-/tmp}/cgml-device-bin
mkdir -p "$work"
export OUT=${OUT:-$PWD/out/device}
mkdir -p "$OUT"

deno=$(command -v deno || true)
if [ -f "$pack/deno.xz" ]; then
  xz -dc "$pack/deno.xz" > "$work/deno"
  chmod +x "$work/deno"
  deno=$work/deno
fi
if [ -z "$deno" ]; then
  echo '{"device_check":"setup","failed":"no deno: run bench/device/prepare.sh and carry .device"}' |
    tee "$OUT/device.jsonl"
  exit 1
fi

# The Vulkan loader: WebGPU in Deno needs libvulkan.so.1 (the device image has none).
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan\.so\.1'; then
  for f in "$pack"/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
  ldconfig
fi
# The NVIDIA driver's Vulkan ICD, where the container mounts it outside the default search path.
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -f "$icd" ] && [ ! -f /usr/share/vulkan/icd.d/nvidia_icd.json ]; then
  export VK_DRIVER_FILES=$icd
fi

if [ ! -d node_modules ] && [ -f "$pack/node_modules.tar.xz" ]; then
  tar -xJf "$pack/node_modules.tar.xz"
fi
# A private Deno cache: nothing in it yet, and --cached-only keeps Deno off the network.
export DENO_DIR=${DENO_DIR:-$work/deno-dir}
export DENO_NO_UPDATE_CHECK=1
exec "$deno" run -A --cached-only --no-check bench/device/run.ts "$@"
