#!/usr/bin/env bash
# An arm64 sysroot with Debian's own arm64 Node, for running the linux-arm64 prebuild under qemu-user
# (test/package/arm64-qemu.test.ts). Nothing is installed: the arm64 packages are fetched with
# `apt-get download` from the Debian archive and unpacked with `dpkg -x` into one folder, which the test
# hands to qemu as QEMU_LD_PREFIX. Needs root once, for `dpkg --add-architecture arm64` + `apt-get update`.
#
#   scripts/prebuild-sysroot.sh [folder]   default: $FASTSAM_ARM64_SYSROOT, else
#                                          ~/.cache/fastsam-node-dev/arm64-sysroot (outside the repository)
set -euo pipefail

sysroot="${1:-${FASTSAM_ARM64_SYSROOT:-$HOME/.cache/fastsam-node-dev/arm64-sysroot}}"
# Debian 12 (bookworm) names; Debian's Node loads some builtins from /usr/share/nodejs (the
# architecture-independent node-* packages) and aborts without them. Override for another release.
packages=${FASTSAM_ARM64_PACKAGES:-"nodejs:arm64 libnode108:arm64 libc6:arm64 libstdc++6:arm64 libgcc-s1:arm64
  libuv1:arm64 libssl3:arm64 zlib1g:arm64 libbrotli1:arm64 libc-ares2:arm64 libnghttp2-14:arm64 libicu72:arm64
  node-cjs-module-lexer node-acorn node-undici node-busboy node-xtend"}

if [ -x "$sysroot/usr/bin/node" ] && [ -f "$sysroot/.packages" ]; then
  echo "arm64 sysroot already in $sysroot ($(head -1 "$sysroot/.packages"))"
  exit 0
fi

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  dpkg --add-architecture arm64
  apt-get update -qq
fi

work="$(mktemp -d)"
chmod 0777 "$work" # apt-get download writes as the _apt user
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086 # the list is meant to split into words
(cd "$work" && apt-get download -qq $packages)

rm -rf "$sysroot.partial"
mkdir -p "$sysroot.partial"
for deb in "$work"/*.deb; do dpkg -x "$deb" "$sysroot.partial"; done
# A record of what is inside, first line the Node version (the test reports it).
{
  dpkg-deb -f "$work"/nodejs_*_arm64.deb Version | sed 's/^/nodejs /'
  for deb in "$work"/*.deb; do echo "$(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version)"; done
} >"$sysroot.partial/.packages"
rm -rf "$sysroot"
mv "$sysroot.partial" "$sysroot"
echo "arm64 sysroot in $sysroot: $(head -1 "$sysroot/.packages")"
