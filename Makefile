# Makefile - thin wrapper over CMake; every target installs its own
# dependencies first (scripts/deps.sh: apt-get when root, else it prints the
# install line and stops).
#
#   make            build/ (RelWithDebInfo) -> build/darkwatch, and the
#                   dashboard (make web)
#   make web        the dashboard: npm ci in web/ when package-lock.json
#                   changed, then web/build.mjs -> web/dist/ when a source
#                   changed (docs/DASHBOARD.md)
#   make test       build/ with -Werror and build-asan/ (ASan+UBSan, -Werror),
#                   ctest in both, style check; ends with "N passed, N failed"
#   make asan       build-asan/ only
#   make demo       build, then scripts/demo.sh (leaves the dashboard
#                   server running; make demo-stop stops it)
#   make bench      build, then bench/run.sh
#   make fuzz       build-fuzz/ with clang + libFuzzer, then scripts/fuzz.sh
#                   (FUZZ_SECONDS=60 per target by default)
#   make deps       only the dependency check/install
#   make install    cmake --install build (PREFIX=/usr/local)
#   make clean      remove build directories
#
# Variables: DW_SHARED (shared data dir, default ../shared), JOBS, ASAN_CC
# (compiler for build-asan: cc by default, clang works too), FUZZ_SECONDS,
# PREFIX.  A build directory keeps the compiler it was first configured with;
# `make clean` to change it.

SHELL := /bin/bash
CMAKE ?= cmake
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
DW_SHARED ?= $(abspath $(CURDIR)/../shared)
ASAN_CC ?= cc
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local

override DW_SHARED := $(abspath $(DW_SHARED))
export DW_SHARED

CONFIGURE = $(CMAKE) -S . -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	-DDW_SHARED="$(DW_SHARED)"

.PHONY: all build deps deps-fuzz deps-bench test asan demo demo-stop bench fuzz install clean web

all: build

deps:
	@bash scripts/deps.sh

deps-fuzz:
	@bash scripts/deps.sh fuzz

deps-bench:
	@bash scripts/deps.sh bench

build: deps web
	$(CONFIGURE) -B build
	$(CMAKE) --build build -j $(JOBS)

# The dashboard (web/, served by `darkwatch serve` from web/dist).  npm runs
# only when the lock file (or package.json) is newer than the last install,
# esbuild only when a source is newer than the last build.  The install
# stamp lives in node_modules so a fresh clone always installs.
WEB_SRC := $(shell find web/src -type f 2>/dev/null) web/index.html \
	web/build.mjs web/package.json
WEB_STAMP := web/node_modules/.dw-installed

web: deps web/dist/index.html

$(WEB_STAMP): web/package.json $(wildcard web/package-lock.json)
	@command -v npm >/dev/null 2>&1 || { \
		echo "make web: npm not found (scripts/deps.sh installs nodejs and npm)" >&2; exit 1; }
	cd web && if [ -f package-lock.json ]; then \
		npm ci --no-audit --no-fund --loglevel=error; \
	else \
		npm install --no-audit --no-fund --loglevel=error; \
	fi
	@touch $@

web/dist/index.html: $(WEB_SRC) $(WEB_STAMP)
	cd web && node build.mjs

asan: deps
	CC="$(ASAN_CC)" $(CONFIGURE) -B build-asan -DDW_SANITIZE=ON -DDW_WERROR=ON
	$(CMAKE) --build build-asan -j $(JOBS)

# scripts/test.sh builds build/ (-Werror) and build-asan/, runs the style
# check and ctest in each, and prints the combined "N passed, N failed".
test: deps web
	@DW_SHARED="$(DW_SHARED)" CMAKE="$(CMAKE)" JOBS="$(JOBS)" ASAN_CC="$(ASAN_CC)" \
		bash scripts/test.sh

demo: build
	bash scripts/demo.sh

# Stop the dashboard server that `make demo` left running.
demo-stop:
	@if [ -f build/demo/serve.pid ]; then \
		kill "$$(cat build/demo/serve.pid)" 2>/dev/null || true; \
		rm -f build/demo/serve.pid; echo "demo server stopped"; \
	else \
		echo "no demo server is running (no build/demo/serve.pid)"; \
	fi

bench: deps-bench build
	@if [ -f bench/run.sh ]; then \
		bash bench/run.sh; \
	else \
		echo "make bench: bench/run.sh does not exist yet; nothing to run" >&2; \
		exit 1; \
	fi

fuzz: deps-fuzz
	CC=clang $(CONFIGURE) -B build-fuzz -DDW_FUZZ=ON
	$(CMAKE) --build build-fuzz -j $(JOBS)
	@if [ -f scripts/fuzz.sh ]; then \
		DW_BUILD="$(CURDIR)/build-fuzz" FUZZ_SECONDS="$(FUZZ_SECONDS)" \
			bash scripts/fuzz.sh; \
	else \
		echo "make fuzz: built build-fuzz/fuzz/; scripts/fuzz.sh does not exist yet" >&2; \
		exit 1; \
	fi

install: build
	$(CMAKE) --install build --prefix "$(PREFIX)"

clean:
	rm -rf build build-asan build-fuzz web/dist
