# Minsheng — thin aliases; see README.md.
GO      ?= go
SHELL   := /bin/bash
.SHELLFLAGS := -o pipefail -c
export CGO_ENABLED := 1
BIN     := bin/minsheng
DATA    ?= data
ADDR    ?= 127.0.0.1:8080
SAMPLE  := corpus/sample
JIEBA_DICTS := indexer/analysis/dict/jieba/jieba.dict.utf8 indexer/analysis/dict/jieba/hmm_model.utf8 \
               indexer/analysis/dict/jieba/idf.utf8 indexer/analysis/dict/jieba/stop_words.utf8

.PHONY: all build dicts run test bench eval fuzz load vet fmt clean

all: build

# gojieba's dictionaries are committed in indexer/analysis/dict/jieba/ (MIT, with
# cppjieba's LICENSE) so that plain `go build` embeds them; `make dicts`
# refreshes them from the gojieba module after an upgrade.
dicts:
	$(GO) mod download github.com/yanyiwu/gojieba
	for f in $(notdir $(JIEBA_DICTS)) LICENSE; do \
	  src="$$($(GO) list -m -f '{{.Dir}}' github.com/yanyiwu/gojieba)/deps/cppjieba"; \
	  if [ $$f = LICENSE ]; then cp "$$src/LICENSE" indexer/analysis/dict/jieba/LICENSE; else cp "$$src/dict/$$f" indexer/analysis/dict/jieba/$$f; fi; \
	  chmod 644 indexer/analysis/dict/jieba/$$f; done

build:
	$(GO) build -buildvcs=auto -trimpath -o $(BIN) ./cmd/minsheng

# Build, index the bundled sample corpus when there is no index yet, serve.
run: build
	@if [ ! -e $(DATA)/CURRENT ]; then $(BIN) index --data $(DATA) --source $(SAMPLE); fi
	$(BIN) serve --data $(DATA) --addr $(ADDR) --source $(SAMPLE)

test:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || (gofmt -l . ; echo "gofmt: files above need formatting"; exit 1)
	$(GO) test -race -timeout 20m ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_TEST)
	$(GO) test -count=1 -timeout 10m -run 'TestPhraseExactness|TestRankingNCP|TestRankingRGB|TestPromisesOnProposals' -v ./search/ | grep -E '^(---|ok|FAIL|PASS)|random phrases|eval/(ncp|rgb-dev)|across categories \('
	$(GO) test -count=1 -timeout 10m -run 'TestTopicsEvalProposals' ./indexer/taxonomy/

# Benchmarks on the real corpora in ../shared (see README): indexing all of
# news-2023 beside raw segmentation, 8 clients searching news-2023 through
# the binary beside a naive bleve+gojieba index and during a reindex job,
# the query mix on an index of all corpora, exporting 100,000 rows.
SHARED     ?= ../shared
BENCH_DATA ?= bench-data
BENCH_NEWS ?= bench-news
# layout_ok: the data folder's current generation has this version's index
# layout (indexer.LayoutFolded); else bench builds a new one in it.
layout_ok = grep -qs '"layout": 3,' $(1)/generations/"$$(cat $(1)/CURRENT 2>/dev/null)"/manifest.json
bench: build
	$(GO) test -run '^$$' -bench 'Tokenize|Classify|SortChunk|LearnNews' ./indexer/...
	$(GO) test -run '^$$' -bench 'WalkNews' -benchtime 2x ./corpus/
	$(GO) test -run '^$$' -bench 'IndexNews' -benchtime 1x -timeout 60m -v ./indexer/ | grep -v '^=== '
	@$(call layout_ok,$(BENCH_DATA)) || $(BIN) index --data $(BENCH_DATA) --source $(SHARED)/corpora/news-2023/news.jsonl.gz \
	   --source $(SHARED)/corpora/proposals/proposals.jsonl --source $(SHARED)/corpora/policy
	@$(call layout_ok,$(BENCH_NEWS)) || $(BIN) index --data $(BENCH_NEWS) --source $(SHARED)/corpora/news-2023/news.jsonl.gz
	MINSHENG_BENCH_NEWS=$(abspath $(BENCH_NEWS)) MINSHENG_BENCH_BIN=$(abspath $(BIN)) $(GO) test -run '^$$' -bench 'NewsLoad' -benchtime 1x -timeout 90m -v ./cmd/minsheng/web/ | grep -v '^=== '
	MINSHENG_BENCH_SEGMENTS=$(abspath $(BENCH_NEWS))/generations/"$$(cat $(BENCH_NEWS)/CURRENT)"/index/store $(GO) test -run '^$$' -bench 'BuildSegment' -benchtime 2x ./indexer/literal/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_NEWS)) $(GO) test -run '^$$' -bench 'FacetCount' -count 3 ./search/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_NEWS)) $(GO) test -run '^$$' -bench 'ColumnsAfterWrite' -benchtime 10x ./search/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_NEWS)) $(GO) test -run '^$$' -bench 'NewsQueries' -benchtime 20x ./cmd/minsheng/web/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_DATA)) $(GO) test -run '^$$' -bench 'QueryMix' -benchtime 40x -timeout 30m ./search/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_DATA)) $(GO) test -run '^$$' -bench 'ResultCache' -benchtime 3x -timeout 30m ./search/
	MINSHENG_BENCH_DATA=$(abspath $(BENCH_DATA)) $(GO) test -run '^$$' -bench 'QueryAbuse' -benchtime 3x -timeout 30m ./search/
	$(GO) test -run '^$$' -bench 'Export' -benchtime 1x -timeout 30m -v ./export/ | grep -v '^=== '
	$(GO) test -run '^$$' -bench 'LiveIngest' -benchtime 1x -timeout 30m -v ./cmd/minsheng/web/ | grep -v '^=== '
	MINSHENG_BENCH_ANALYSIS=serve $(GO) test -run '^$$' -bench 'LiveIngest' -benchtime 1x -timeout 30m -v ./cmd/minsheng/web/ | grep -v '^=== '
	$(GO) test -run '^$$' -bench 'SearchDuringReindex' -benchtime 1x -timeout 30m -v ./cmd/minsheng/web/ | grep -v '^=== '

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin

# Ranking quality on ../shared/eval/ncp and eval/rgb-dev, beside plain
# bleve's figures, held to the issue's targets; topic tagging of ../shared
# proposals, keywords alone and cross-validated.
eval:
	MINSHENG_EVAL_TARGET=0.90 MINSHENG_EVAL_RGB_TARGET=0.74 $(GO) test -count=1 -run 'TestRankingNCP|TestRankingRGB|TestPhraseExactness' -v ./search/
	MINSHENG_TOPICS_SPLITS=4 $(GO) test -count=1 -run 'TestTopicsEvalProposals' -v ./indexer/taxonomy/ | grep -v '^=== '

# Longer fuzzing of every fuzz target (make test runs each for
# FUZZTIME_TEST); seeds live in each package's testdata/fuzz/<Name>/.
# Budgets are counts of executions, not durations: with a duration, Go
# 1.26's fuzzing coordinator can fail a target with "context deadline
# exceeded" when a worker is still busy at the deadline (go.dev/issue/75804,
# fixed in Go 1.27), which a loaded machine turns into a flaky make test.
FUZZTIME ?= 500000x
FUZZTIME_TEST ?= 10000x
fuzz:
	@for p in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$p 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$p $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$p || exit 1; \
	  done; done

# The load run: 8 clients search the real binary for LOAD_DURATION while a
# reindex runs and an export streams (make test runs it for 10 s); then 4
# clients post LIVE_DOCS news in bulks of 500 while the server is killed 5
# times (make test posts 2,000 in bulks of 50).
LOAD_DURATION ?= 60s
LIVE_DOCS ?= 20000
load:
	MINSHENG_LOAD_DURATION=$(LOAD_DURATION) $(GO) test -count=1 -run '^TestLoad$$' -timeout 30m -v ./cmd/minsheng/
	MINSHENG_LIVE_DOCS=$(LIVE_DOCS) MINSHENG_LIVE_BULK=500 $(GO) test -count=1 -run '^TestLiveDocsCrash$$' -timeout 60m -v ./cmd/minsheng/ | grep -v -e '^=== ' -e 'not answered'
