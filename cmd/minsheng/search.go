package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"minsheng/indexer"
	"minsheng/search"
)

func runSearch(ctx context.Context, args []string, stdout io.Writer) error {
	var asJSON bool
	var size, page int
	var mode string
	c, fs, err := loadConfig("search", args, func(fs *flag.FlagSet, c *Config) {
		commonFlags(fs, c)
		fs.BoolVar(&asJSON, "json", false, "print the API's JSON")
		fs.IntVar(&size, "size", 10, "results per page")
		fs.IntVar(&page, "page", 1, "page, from 1")
		synonymsFlag(fs, c)
		fs.StringVar(&mode, "mode", "", "partial (default: documents with every word first, then those lacking some) or all (every word required)")
	})
	if err != nil {
		return err
	}
	live, err := c.openIndex("search")
	if err != nil {
		return err
	}
	defer live.Close()
	loc, err := c.location() // overdue is reckoned on the service's day, as serve does
	if err != nil {
		return err
	}
	s := search.New(live.Index(), search.Options{Limits: c.searchLimits(), Zone: loc})
	syn, err := c.loadSynonyms()
	if err != nil {
		return err
	}
	s.SetSynonyms(syn)
	res, err := s.Search(ctx, search.Request{Query: strings.Join(fs.Args(), " "), Size: size, Page: page, Mode: mode})
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(stdout, "%d results, %d with every word (%.1f ms)\n", res.Total, res.TotalExact, res.TookMS)
	for i, h := range res.Hits {
		fmt.Fprintf(stdout, "%3d. [%s] %s  %s  %.3f  %s\n", (page-1)*size+i+1, h.Kind, h.Date, h.ID, h.Score, h.Title)
		if len(h.Missing) > 0 {
			fmt.Fprintf(stdout, "     缺少：%s\n", strings.Join(h.Missing, " "))
		}
		if h.Snippet != "" {
			fmt.Fprintf(stdout, "     %s\n", plain(h.Snippet))
		}
		// where else it matched: a hit found by its reply shows that
		for _, o := range search.OtherHighlights {
			if frags := h.OtherHighlight(o.Key); len(frags) > 0 {
				fmt.Fprintf(stdout, "     %s：%s\n", o.Label, plain(strings.Join(frags, "、")))
			}
		}
	}
	return nil
}

// plain turns a highlighted fragment into terminal text: marks in brackets.
func plain(s string) string {
	r := strings.NewReplacer("<mark>", "【", "</mark>", "】", "&lt;", "<", "&gt;", ">", "&amp;", "&", "&#34;", `"`, "&#39;", "'")
	return r.Replace(s)
}

// openIndex opens the current generation of the data folder for a command
// that needs one: having none is an error that says how to make one.
func (c *Config) openIndex(cmd string) (*indexer.Live, error) {
	live, err := indexer.OpenLive(c.Data)
	if err != nil {
		return nil, err
	}
	if live.Generation() == "" {
		live.Close()
		return nil, fmt.Errorf("%s: no index in %s: run `minsheng index --data %s --source PATH` first", cmd, c.Data, c.Data)
	}
	return live, nil
}
