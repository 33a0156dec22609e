package web

import (
	"runtime"
	"time"

	"minsheng/search"
)

// DefaultMemoryLimit is the server's soft memory limit unless configured
// (memory_limit; as GOMEMLIMIT). Serving alone, the server stays far
// below it (about 220 MB of anonymous memory on news-2023); a reindex job
// in the server builds beside the searches, collecting as `minsheng
// index` does (build_gc_percent), and the limit bounds its heap then. On the
// news load with a reindex job of news-2023 (BenchmarkNewsLoad, 1 GiB and
// 2 GiB alternated twice) 1 GiB took the server's peak RSS from 1,494 and
// 1,534 MB to 1,291 and 1,291 MB, with the job as fast (171.8-179.4 s
// under the load, against 176.3-224.4 s) and searches during it as quick
// (p99 1.53-1.56 times the idle p99, against 1.53-1.54). The build's
// memory that the limit cannot bound (jieba's dictionaries in C++, the
// segments' files) keeps the peak above it.
const DefaultMemoryLimit = 1 << 30

// Limits bound what one request may cost. The YAML names are those of the
// limits section of Minsheng's configuration file, which holds this
// struct as it is; SetDefaults gives the defaults.
type Limits struct {
	MaxBodyBytes int64 `yaml:"max_body_bytes" help:"largest request body"`
	// MaxParams counts query parameter values of one request, list items
	// counted; more is 400.
	MaxParams int `yaml:"max_params" help:"query parameter values of one request, comma-separated items counted"`
	// MaxConcurrent is how many searches run at once; more wait in line
	// for a slot. The default is one per CPU: a search is CPU-bound, and
	// more at once only share the cores (8 clients of the load benchmark
	// on 2 cores: p99 157 ms with 16 slots, 117 ms with 2, throughput
	// alike).
	MaxConcurrent int `yaml:"max_concurrent_searches" help:"searches running at once, more wait in line; default one per CPU"`
	// SearchTimeout is how long a search waits for a slot. The same
	// setting is the search's own budget (search.Limits.Timeout), which
	// main gives it.
	SearchTimeout time.Duration `yaml:"search_timeout" help:"budget of one search; past it the answer is 503"`
	ExportTimeout time.Duration `yaml:"export_timeout" help:"time one export may take"`
	// ExportStall is how long a client may stop reading an export before
	// it is dropped and its slot freed.
	ExportStall  time.Duration `yaml:"export_stall" help:"time a client may stop reading an export before it is dropped and its slot freed"`
	AuthFailures int           `yaml:"auth_failures" help:"wrong tokens a minute from one client address before it gets 429"`
	MaxBulkDocs  int           `yaml:"max_bulk_docs" help:"most documents of one NDJSON write to /api/v1/docs"`
}

// SetDefaults sets every zero (or negative) limit to its default: the one
// place the web's defaults are written.
func (l *Limits) SetDefaults() {
	if l.MaxBodyBytes <= 0 {
		l.MaxBodyBytes = 1 << 20
	}
	if l.MaxParams <= 0 {
		l.MaxParams = 100
	}
	if l.MaxConcurrent <= 0 {
		l.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if l.SearchTimeout <= 0 {
		l.SearchTimeout = search.DefaultTimeout
	}
	if l.ExportTimeout <= 0 {
		l.ExportTimeout = 30 * time.Minute
	}
	if l.ExportStall <= 0 {
		l.ExportStall = 30 * time.Second
	}
	if l.AuthFailures <= 0 {
		l.AuthFailures = 10
	}
	if l.MaxBulkDocs <= 0 {
		l.MaxBulkDocs = 1000
	}
}
