package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"minsheng/audit"
	"minsheng/cmd/minsheng/web"
	"minsheng/corpus"
	"minsheng/export"
	"minsheng/indexer"
	"minsheng/search"
)

// Config is every setting of Minsheng, in one place. Values come from the
// defaults below, then the YAML file (--config or $MINSHENG_CONFIG), then
// environment variables (MINSHENG_ and the setting's name in capitals), then
// flags: the later wins. README.md lists every setting.
type Config struct {
	Data       string            `yaml:"data" help:"data folder: index generations, job history"`
	Addr       string            `yaml:"addr" help:"address the server listens on"`
	Sources    []string          `yaml:"sources" help:"files and folders to index (repeat --source)"`
	Columns    map[string]string `yaml:"columns" help:"extra column or key name -> field for CSV, XLSX and JSON sources"`
	UserDict   string            `yaml:"user_dict" help:"domain user dictionary replacing the built-in one (file path)"`
	Taxonomy   string            `yaml:"taxonomy" help:"topic taxonomy replacing the built-in one (YAML file path)"`
	Synonyms   string            `yaml:"synonyms" help:"query-time synonyms in Solr's format replacing the built-in ones (file path); re-read on SIGHUP"`
	BatchSize  int               `yaml:"batch_size" help:"documents per index batch"`
	Keep       int               `yaml:"keep_generations" help:"complete index generations kept for rollback"`
	LogLevel   string            `yaml:"log_level" help:"debug, info, warn or error"`
	LogFormat  string            `yaml:"log_format" help:"text or json"`
	AdminToken string            `yaml:"admin_token" help:"bearer token of the admin API; empty disables admin routes"`
	// Security settings: see tokens.go and README's Security section.
	AdminTokenFile  string        `yaml:"admin_token_file" help:"file holding the admin token (mode 0600 or stricter)"`
	EditorToken     string        `yaml:"editor_token" help:"bearer token of the document writes; empty disables them (the admin token works too)"`
	EditorTokenFile string        `yaml:"editor_token_file" help:"file holding the editor token (mode 0600 or stricter)"`
	AuditRetention  time.Duration `yaml:"audit_retention" help:"how long audit records of admin and editor requests are kept"`
	MinSchedule     time.Duration `yaml:"min_schedule_interval" help:"shortest time a reindex schedule may leave between two jobs"`
	MetricsAddr     string        `yaml:"metrics_addr" help:"address of a listener serving /metrics alone, without a token; empty: only the main address, behind the admin token"`
	TLSCert         string        `yaml:"tls_cert" help:"certificate file (PEM, chain included): serve HTTPS"`
	TLSKey          string        `yaml:"tls_key" help:"private key file (PEM) of tls_cert"`
	BaseURL         string        `yaml:"base_url" help:"public address of the web UI, for links in exports"`
	TimeZone        string        `yaml:"time_zone" help:"time zone of cron schedules and of the day overdue is reckoned on"`
	Trusted         []string      `yaml:"trusted_proxies" help:"proxies whose X-Forwarded-For is believed; none by default"`
	GCPercent       int           `yaml:"gc_percent" help:"Go garbage collection target of the server while it only serves (as GOGC); higher spends memory to save CPU"`
	BuildGCPercent  int           `yaml:"build_gc_percent" help:"Go garbage collection target of the server while a reindex job runs in it"`
	MemLimit        int64         `yaml:"memory_limit" help:"soft memory limit of the server in bytes (as GOMEMLIMIT): the collector works harder near it"`
	BuildWorkers    int           `yaml:"build_workers" help:"batches a reindex job of the server indexes at once (index takes one per CPU); 0: one per CPU in a build process, half the CPUs (at least 1) in the server"`
	BuildIn         string        `yaml:"build_in" help:"where a reindex job of the server builds: process (a process of its own, at build_sched and build_nice) or server (inside the server, at build_gc_percent)"`
	BuildNice       int           `yaml:"build_nice" help:"niceness (0-19) of a reindex job's build process: higher leaves more CPU to searches and makes the job longer"`
	BuildSched      string        `yaml:"build_sched" help:"scheduling of a reindex job's build process: normal (at build_nice) or idle (Linux SCHED_IDLE: it runs only on CPU no search wants)"`
	PostingsCache   int           `yaml:"postings_cache_mb" help:"memory the server keeps for the decoded postings of frequent words, in MB: faster ranking, a larger process; 0: none"`
	ResultCache     int           `yaml:"result_cache_mb" help:"memory the server keeps for the results of searches of the index it serves (dropped at every write or swap), in MB; 0: none"`
	Limits          Limits        `yaml:"limits"`
}

// Limits bound what one request may cost. The search and web packages
// own their limits and write their defaults once (SetDefaults); the file
// holds them as they are, beside the limits of main's HTTP server and
// exports. The YAML names are flat, as they always were.
type Limits struct {
	SearchLimits      `yaml:",inline"`
	WebLimits         `yaml:",inline"`
	MaxHeaderBytes    int           `yaml:"max_header_bytes" help:"largest request line and headers"`
	ReadHeaderTimeout time.Duration `yaml:"read_header_timeout" help:"time to read request headers"`
	ReadTimeout       time.Duration `yaml:"read_timeout" help:"time to read a whole request"`
	WriteTimeout      time.Duration `yaml:"write_timeout" help:"time to write a response (exports stream longer: see export_timeout)"`
	ExportMaxRows     int           `yaml:"export_max_rows" help:"most rows in one export"`
	ShutdownTimeout   time.Duration `yaml:"shutdown_timeout" help:"time running requests get to finish after SIGTERM"`
}

type (
	// SearchLimits are the search package's limits (search.Limits),
	// named so that Limits can hold them beside web's.
	SearchLimits = search.Limits
	// WebLimits are the web server's limits (web.Limits).
	WebLimits = web.Limits
)

// SetDefaults sets every zero limit to its default: the packages' own
// (search.Limits.SetDefaults, web.Limits.SetDefaults), then main's.
// DefaultConfig calls it once, before the file, the environment and the
// flags are read: a 0 they set stays 0 here (an HTTP server timeout of 0
// is none), and the packages read it as their default.
func (l *Limits) SetDefaults() {
	l.SearchLimits.SetDefaults()
	l.WebLimits.SetDefaults()
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = 64 << 10
	}
	if l.ReadHeaderTimeout <= 0 {
		l.ReadHeaderTimeout = 5 * time.Second
	}
	if l.ReadTimeout <= 0 {
		l.ReadTimeout = 30 * time.Second
	}
	if l.WriteTimeout <= 0 {
		l.WriteTimeout = 60 * time.Second
	}
	if l.ExportMaxRows <= 0 {
		l.ExportMaxRows = export.DefaultMaxRows
	}
	if l.ShutdownTimeout <= 0 {
		l.ShutdownTimeout = 30 * time.Second
	}
}

// searchLimits are the search package's limits, with its budget:
// search_timeout, the one setting the search and web packages share (web
// waits that long for a search slot).
func (c *Config) searchLimits() search.Limits {
	l := c.Limits.SearchLimits
	l.Timeout = c.Limits.SearchTimeout
	return l
}

// DefaultConfig returns the defaults. Those of a package's options are
// the package's own (SetDefaults); main writes only its own.
func DefaultConfig() Config {
	var build indexer.BuildOptions
	build.SetDefaults()
	c := Config{
		Data:      "data",
		Addr:      "127.0.0.1:8080",
		BatchSize: build.BatchSize,
		Keep:      build.Keep,
		LogLevel:  "info",
		LogFormat: "text",
		BaseURL:   "http://127.0.0.1:8080",
		TimeZone:  corpus.DefaultTimeZone,
		// Searches allocate briefly, and a server's memory is what it
		// keeps plus what it lets pile up between collections: on the news
		// load (BenchmarkNewsLoad, alternated), 100 against 400 took the
		// serving RSS from 515 to 382 MB (anonymous 348 to 215) for 788
		// against 878 computed requests/s. A build allocates far more, and
		// collects as `index` does while a job runs; the memory limit
		// bounds the heap of both (see web.DefaultMemoryLimit).
		GCPercent:      100,
		BuildGCPercent: indexer.BuildGCPercent,
		MemLimit:       web.DefaultMemoryLimit,
		// Searches come first while serving: a reindex job built in the
		// server has one batch in flight on 2 cores
		// (BenchmarkSearchDuringReindex in web); one built in a process of
		// its own every CPU, its priority lower (Config.jobWorkers).
		BuildIn:     buildInProcess,
		BuildNice:   defaultBuildNice,
		BuildSched:  defaultBuildSched,
		ResultCache: search.DefaultResultCacheMB,
		// the audit's own: a year
		AuditRetention: audit.DefaultRetention,
		// rebuilding the index more often than hourly only spends the
		// machine and rotates rollback generations out (issue 21)
		MinSchedule: time.Hour,
		// Prometheus's port range, on the loopback: a scraper on the same
		// machine needs no token, nobody else reaches it
		MetricsAddr: "127.0.0.1:9464",
	}
	c.Limits.SetDefaults()
	return c
}

// loadConfig builds the configuration of a subcommand: defaults, file,
// environment, then the flags in args. register adds the subcommand's own
// flags bound to fields of the config.
func loadConfig(name string, args []string, register func(fs *flag.FlagSet, c *Config)) (*Config, *flag.FlagSet, error) {
	c := DefaultConfig()
	fset := flag.NewFlagSet(name, flag.ContinueOnError)
	configPath := fset.String("config", os.Getenv("MINSHENG_CONFIG"), "YAML configuration file")
	register(fset, &c)
	// Flags are parsed twice: first to find --config, then over the file
	// and environment so that flags win.
	if err := fset.Parse(args); err != nil {
		return nil, nil, err
	}
	if *configPath != "" {
		b, err := os.ReadFile(*configPath)
		if err != nil {
			return nil, nil, fmt.Errorf("config: %w", err)
		}
		dec := yaml.NewDecoder(strings.NewReader(string(b)))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("config %s: %w", *configPath, err)
		}
	}
	if err := fromEnv(reflect.ValueOf(&c).Elem(), "MINSHENG_"); err != nil {
		return nil, nil, err
	}
	if tok := os.Getenv("MINSHENG_ADMIN_TOKEN"); tok != "" {
		c.AdminToken = tok
	}
	sources := c.Sources
	c.Sources = nil
	if err := fset.Parse(args); err != nil {
		return nil, nil, err
	}
	if len(c.Sources) == 0 { // no --source flag: keep file/env sources
		c.Sources = sources
	}
	return &c, fset, nil
}

// fromEnv sets fields from MINSHENG_<YAML NAME> variables.
func fromEnv(v reflect.Value, prefix string) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f, fv := t.Field(i), v.Field(i)
		tag := f.Tag.Get("yaml")
		name := strings.Split(tag, ",")[0]
		if name == "-" {
			continue
		}
		if f.Type.Kind() == reflect.Struct && (name != "" || strings.HasSuffix(tag, ",inline")) {
			if err := fromEnv(fv, prefix); err != nil {
				return err
			}
			continue
		}
		if name == "" {
			continue
		}
		key := prefix + strings.ToUpper(name)
		s, ok := os.LookupEnv(key)
		if !ok {
			continue
		}
		if err := setValue(fv, s); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	}
	return nil
}

func setValue(v reflect.Value, s string) error {
	switch v.Interface().(type) {
	case time.Duration:
		d, err := time.ParseDuration(s)
		if err != nil {
			return err
		}
		v.SetInt(int64(d))
		return nil
	case []string:
		var l []string
		for _, p := range strings.Split(s, ",") {
			if p = strings.TrimSpace(p); p != "" {
				l = append(l, p)
			}
		}
		v.Set(reflect.ValueOf(l))
		return nil
	case map[string]string:
		m := map[string]string{}
		for _, p := range strings.Split(s, ",") {
			k, val, ok := strings.Cut(p, "=")
			if !ok {
				return fmt.Errorf("want name=field pairs separated by commas, have %q", p)
			}
			m[strings.TrimSpace(k)] = strings.TrimSpace(val)
		}
		v.Set(reflect.ValueOf(m))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Int, reflect.Int64:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return err
		}
		v.SetInt(n)
	default:
		return fmt.Errorf("unsupported setting type %s", v.Type())
	}
	return nil
}

// stringsFlag is a repeatable string flag.
type stringsFlag struct{ l *[]string }

func (f stringsFlag) String() string {
	if f.l == nil {
		return ""
	}
	return strings.Join(*f.l, ",")
}

func (f stringsFlag) Set(s string) error { *f.l = append(*f.l, s); return nil }

// commonFlags binds the settings most subcommands share.
func commonFlags(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Data, "data", c.Data, "data folder")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "log format: text or json")
}

// sourceFlags binds what a build reads.
func sourceFlags(fs *flag.FlagSet, c *Config) {
	fs.Var(stringsFlag{&c.Sources}, "source", "file or folder to index (repeatable)")
	fs.StringVar(&c.UserDict, "user-dict", c.UserDict, "domain user dictionary file replacing the built-in one")
	fs.StringVar(&c.Taxonomy, "taxonomy", c.Taxonomy, "topic taxonomy YAML file replacing the built-in one")
	fs.IntVar(&c.BatchSize, "batch-size", c.BatchSize, "documents per index batch")
	fs.IntVar(&c.Keep, "keep", c.Keep, "complete generations kept for rollback")
	columnFlag(fs, c)
}

// columnFlag binds --column NAME=FIELD, the extra column mappings of the
// sources a command reads.
func columnFlag(fs *flag.FlagSet, c *Config) {
	fs.Func("column", "extra column mapping NAME=FIELD for CSV/XLSX/JSON sources (repeatable)", func(s string) error {
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return fmt.Errorf("want NAME=FIELD, have %q", s)
		}
		if c.Columns == nil {
			c.Columns = map[string]string{}
		}
		c.Columns[k] = v
		return nil
	})
}

// logger builds the structured logger the configuration asks for.
func (c *Config) logger() (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("log level %q: %w", c.LogLevel, err)
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch c.LogFormat {
	case "text", "":
		return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", c.LogFormat)
}
