# The two set-up commands are `make run` and `make test`; everything they
# need that a fresh machine lacks is fetched here (Go modules through the
# module proxy). Nothing is downloaded at run time.

GO      ?= go
BIN     := bin/assist
# Run flags for `make run`, e.g. make run ARGS="--speed 4".
ARGS    ?=

.PHONY: all build run test vet bench fmt clean deps

all: build

deps:
	@command -v $(GO) >/dev/null || { echo "Go is required: install Go 1.26 or later" >&2; exit 1; }
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN) ./cmd/assist

# The main job: the agent view replaying the bundled sample calls on the
# embedded models (no network, no GPU).
run: build
	./$(BIN) replay $(ARGS)

vet: deps
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 ./...

# Benchmarks print figures; the engine's replay throughput and latency are
# also printed by `assist replay --headless --speed 0 FILE` on stderr.
bench: deps
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
