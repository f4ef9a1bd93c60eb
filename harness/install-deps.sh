#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# install-deps.sh - install what racefix needs from Debian 12 (as root).
#
# Compilers and kernel build tools, QEMU for x86_64 and sparc64, the
# sparc64 cross compiler with its C library (libc6-dev-sparc64-cross is
# only a Recommends of gcc-sparc64-linux-gnu, and Recommends are not
# installed here: without it no static guest program links), spin,
# coccinelle, quilt, b4, shellcheck, and linux-source-6.12 (the tree the
# smoke boot uses where no pinned tree is at hand). For ARCH=mips64el:
# QEMU's mips64el malta and the MIPS64 R6 cross compiler with its C
# library (Debian's plain mips64el one is R2, whose programs die with
# SIGILL on the R6 guest CPU); about 75 MB, only ARCH=mips64el's
# preflight requires them. Installs only what is missing.
# harness/preflight.sh checks the result before every run.
set -eu
pkgs="make gcc libc6-dev git perl bc bison flex cpio xz-utils libelf-dev
libssl-dev ccache quilt patch procps util-linux b4 qemu-system-x86
qemu-system-sparc gcc-sparc64-linux-gnu libc6-dev-sparc64-cross spin
coccinelle shellcheck linux-source-6.12 qemu-system-mips
gcc-mipsisa64r6el-linux-gnuabi64 libc6-dev-mips64r6el-cross"
missing=
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing:$missing; run as root (sudo $0)" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q || echo "install-deps: apt-get update failed, trying the cached lists"
# shellcheck disable=SC2086 # one word per package
apt-get install -y -q --no-install-recommends $missing
