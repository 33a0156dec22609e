package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Every setting is documented in the README, by its YAML name.
func TestREADMEDocumentsEverySetting(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	var walk func(t reflect.Type, prefix string) []string
	walk = func(typ reflect.Type, prefix string) []string {
		var out []string
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag := f.Tag.Get("yaml")
			name := strings.Split(tag, ",")[0]
			if name == "-" { // not a setting of the file (search.Limits.Timeout: search_timeout sets it)
				continue
			}
			if strings.HasSuffix(tag, ",inline") { // a package's limits, held as they are
				out = append(out, walk(f.Type, prefix)...)
				continue
			}
			if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Duration(0)) {
				out = append(out, walk(f.Type, prefix+name+".")...)
				continue
			}
			out = append(out, prefix+name)
		}
		return out
	}
	for _, name := range walk(reflect.TypeOf(Config{}), "") {
		if !strings.Contains(readme, "`"+name+"`") {
			t.Errorf("README.md does not document the setting %q", name)
		}
	}
}

// Flags win over the environment, which wins over the file, which wins
// over the defaults.
func TestConfigPrecedence(t *testing.T) {
	file := filepath.Join(t.TempDir(), "minsheng.yaml")
	err := os.WriteFile(file, []byte("data: from-file\naddr: 1.2.3.4:1\nlimits:\n  search_timeout: 7s\n  max_size: 50\nsources: [a, b]\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MINSHENG_CONFIG", file)
	t.Setenv("MINSHENG_ADDR", "5.6.7.8:2")
	t.Setenv("MINSHENG_MAX_SIZE", "60")
	c, _, err := loadConfig("serve", []string{"--data", "from-flag"}, func(fs *flagSet, c *Config) {
		commonFlags(fs, c)
		sourceFlags(fs, c)
		fs.StringVar(&c.Addr, "addr", c.Addr, "")
	})
	if err != nil {
		t.Fatal(err)
	}
	if c.Data != "from-flag" || c.Addr != "5.6.7.8:2" || c.Limits.MaxSize != 60 || c.Limits.SearchTimeout != 7*time.Second ||
		strings.Join(c.Sources, ",") != "a,b" || c.Limits.MaxBodyBytes != DefaultConfig().Limits.MaxBodyBytes {
		t.Errorf("config = %+v", c)
	}
	// --source replaces the sources of the file
	c, _, err = loadConfig("serve", []string{"--source", "x"}, func(fs *flagSet, c *Config) { sourceFlags(fs, c) })
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Sources, ",") != "x" {
		t.Errorf("sources = %v, want [x]", c.Sources)
	}
	// an unknown setting in the file is an error, not silently ignored
	os.WriteFile(file, []byte("dta: typo\n"), 0o644)
	if _, _, err := loadConfig("serve", nil, func(fs *flagSet, c *Config) {}); err == nil {
		t.Error("a misspelt setting was accepted")
	}
}

type flagSet = flag.FlagSet

// serve refuses a garbage collector setting that would turn collection off
// or leave the heap unbounded.
func TestServeRefusesGCOff(t *testing.T) {
	for _, env := range []string{"MINSHENG_GC_PERCENT", "MINSHENG_MEMORY_LIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "0")
			err := runServe(t.Context(), []string{"--data", t.TempDir()}, io.Discard)
			if err == nil || !strings.Contains(err.Error(), "must be positive") {
				t.Errorf("%s=0: %v, want an error that it must be positive", env, err)
			}
		})
	}
}
