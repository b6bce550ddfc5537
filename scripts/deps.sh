#!/usr/bin/env bash
# deps.sh - install the Debian packages darkwatch needs to build and test.
#
# Every make target calls this first, so it must be quick when nothing is
# missing: one dpkg-query call, no network.  When something is missing and we
# are root, it runs `apt-get update` once and installs only what is missing;
# when not root it prints the exact install line and fails, rather than
# guessing at sudo.
#
#   bash scripts/deps.sh          packages for build, test, demo, bench
#   bash scripts/deps.sh fuzz     the same plus clang and libFuzzer
#   bash scripts/deps.sh bench    the same plus wrk and nginx
#
# DW_SKIP_DEPS=1 skips the check (non-Debian machines; you install by hand).
set -euo pipefail

# Build, and the tools the tests drive: bgpdump (the differential oracle),
# python3 (brute-force and JSON checks, the IODA client), xxd (crafted
# inputs), curl (waits for test servers), sqlite3 (tests compare store
# contents row by row), iproute2 and nftables (the prober's test world in a
# network namespace).
base=(build-essential cmake pkg-config zlib1g-dev libbz2-dev liblzma-dev
	bgpdump bzip2 xz-utils gzip python3 xxd curl sqlite3 iproute2 nftables)
# Libraries of the store, geolocation, downloads, simulator (sqlite3,
# jansson, libmaxminddb, libcurl, libyaml, libcrypto), and of stages to come
# (libmicrohttpd, libpcap).
later=(libsqlite3-dev libjansson-dev libmaxminddb-dev libmicrohttpd-dev
	libcurl4-openssl-dev libpcap-dev libyaml-dev libssl-dev)
# The coordinated-account engine: igraph (Leiden/Louvain communities),
# libcsv (RFC 4180 CSV with quoted multi-line fields, for activity exports)
# and libpsl (registrable domains from the Public Suffix List).
cib=(libigraph-dev libcsv-dev libpsl-dev)
# The dashboard: its browser tests drive Debian's Chromium headless; the
# front-end is built with Node.js and npm (taken from Debian only when the
# machine has no node of its own).
web=(chromium)
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	web+=(nodejs npm)
fi
# Only for `make fuzz` (libFuzzer needs clang).
fuzz=(clang libclang-rt-14-dev libfuzzer-14-dev)
# Only for `make bench`: wrk drives the API, nginx serves the static
# reference it is compared with.
bench=(wrk nginx-light)

want=("${base[@]}" "${later[@]}" "${cib[@]}" "${web[@]}")
case "${1:-}" in
"") ;;
fuzz) want+=("${fuzz[@]}") ;;
bench) want+=("${bench[@]}") ;;
*)
	echo "usage: $0 [fuzz|bench]" >&2
	exit 1
	;;
esac

if [[ "${DW_SKIP_DEPS:-}" == 1 ]]; then
	exit 0
fi
if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps.sh: not a Debian system; install the equivalents of:" >&2
	echo "  ${want[*]}" >&2
	echo "then run with DW_SKIP_DEPS=1" >&2
	exit 1
fi

# Packages dpkg knows as fully installed ("ii"); unknown names print nothing
# on stdout (an error on stderr, which we drop).
installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${want[@]}" \
	2>/dev/null | awk '$2 == "ii" { print $1 }' || true)
missing=()
for p in "${want[@]}"; do
	if ! grep -qxF -- "$p" <<<"$installed"; then
		missing+=("$p")
	fi
done
if ((${#missing[@]} == 0)); then
	exit 0
fi

echo "deps.sh: missing packages: ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
	echo "deps.sh: not root; install them with:" >&2
	echo "sudo apt-get install -y ${missing[*]}" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt_opts=(-o DPkg::Lock::Timeout=300 -o Dpkg::Use-Pty=0 -o Dpkg::Options::=--force-confdef
	-o Dpkg::Options::=--force-confold)

# Mirrors hiccup in CI: retry each step a few times before giving up.
retry() {
	local n
	for n in 1 2 3; do
		if "$@"; then
			return 0
		fi
		echo "deps.sh: '$*' failed (try $n of 3)" >&2
		sleep $((n * 5))
	done
	return 1
}

echo "deps.sh: apt-get update"
retry apt-get "${apt_opts[@]}" -q update
echo "deps.sh: apt-get install ${missing[*]}"
retry apt-get "${apt_opts[@]}" -q install -y --no-install-recommends \
	"${missing[@]}"
echo "deps.sh: done"
