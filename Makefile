# Makefile - thin wrapper over CMake; every target installs its own
# dependencies first (scripts/deps.sh: apt-get when root, else it prints the
# install line and stops).
#
#   make            build/ (RelWithDebInfo) -> build/darkwatch
#   make test       build/ with -Werror and build-asan/ (ASan+UBSan, -Werror),
#                   ctest in both, style check; ends with "N passed, N failed"
#   make asan       build-asan/ only
#   make demo       build, then scripts/demo.sh
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

.PHONY: all build deps deps-fuzz deps-bench test asan demo bench fuzz install clean

all: build

deps:
	@bash scripts/deps.sh

deps-fuzz:
	@bash scripts/deps.sh fuzz

deps-bench:
	@bash scripts/deps.sh bench

build: deps
	$(CONFIGURE) -B build
	$(CMAKE) --build build -j $(JOBS)

asan: deps
	CC="$(ASAN_CC)" $(CONFIGURE) -B build-asan -DDW_SANITIZE=ON -DDW_WERROR=ON
	$(CMAKE) --build build-asan -j $(JOBS)

# scripts/test.sh builds build/ (-Werror) and build-asan/, runs the style
# check and ctest in each, and prints the combined "N passed, N failed".
test: deps
	@DW_SHARED="$(DW_SHARED)" CMAKE="$(CMAKE)" JOBS="$(JOBS)" ASAN_CC="$(ASAN_CC)" \
		bash scripts/test.sh

demo: build
	bash scripts/demo.sh

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
	rm -rf build build-asan build-fuzz
