package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"minsheng/search"
)

// synonymsFlag binds --synonyms.
func synonymsFlag(fs *flag.FlagSet, c *Config) {
	fs.StringVar(&c.Synonyms, "synonyms", c.Synonyms, "query-time synonyms file in Solr's format (医保, 医疗保险 / 一老一小 => 养老, 托育); default the built-in list")
}

// loadSynonyms reads the configured synonyms file, or the built-in list
// when none is configured. A bad file is an error naming its line.
func (c *Config) loadSynonyms() (*search.Synonyms, error) {
	if c.Synonyms == "" {
		return search.BuiltinSynonyms()
	}
	return search.LoadSynonyms(c.Synonyms)
}

// reloadSynonymsOnHUP re-reads the synonyms file on every SIGHUP until ctx
// is done or the returned stop is called, and hands the new list to each
// searcher. A file that no longer reads is logged and the list in use
// kept. stop waits for the goroutine.
func reloadSynonymsOnHUP(ctx context.Context, c *Config, log *slog.Logger, searchers ...*search.Searcher) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
			}
			if c.Synonyms == "" {
				log.Info("SIGHUP: no synonyms file is configured; the built-in synonyms stay")
				continue
			}
			syn, err := c.loadSynonyms()
			if err != nil {
				log.Error("SIGHUP: synonyms not reloaded; the list in use stays", "err", err)
				continue
			}
			for _, s := range searchers {
				s.SetSynonyms(syn)
			}
			log.Info("synonyms reloaded", "file", c.Synonyms, "groups", len(syn.Groups()))
		}
	}()
	return func() {
		signal.Stop(hup)
		cancel()
		<-done
	}
}
