# The two commands a newcomer types: `make run` (the main job on the sample corpus) and
# `make test`. Both first make sure libclang is there: Oxigraph's RocksDB backend is built
# through bindgen, which needs it, and a fresh machine lacks it.

CARGO ?= cargo
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
BIN := $(TARGET_DIR)/release/privacy-kg
STORE ?= privacy-kg.db

.PHONY: run test deps test-deps build lint fmt clean

deps:
	@scripts/ensure-libclang.sh

# Browser tests need headless Chromium; only the test target installs it.
test-deps: deps
	@scripts/ensure-chromium.sh

build: deps
	$(CARGO) build --release --locked

# Tests run in the release profile too, so RocksDB (a 15-minute C++ build) is compiled once.
test: test-deps
	$(CARGO) test --release --locked

run: build
	$(BIN) build data/policies --store $(STORE) --queries

lint: deps
	$(CARGO) fmt --check
	$(CARGO) clippy --release --locked --all-targets -- -D warnings

fmt:
	$(CARGO) fmt

clean:
	rm -rf $(STORE)
	$(CARGO) clean
