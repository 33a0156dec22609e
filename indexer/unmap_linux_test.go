package indexer

import (
	"context"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"minsheng/internal/mapped"
	"minsheng/internal/procstat"
)

// TestUnmapSegments: a round of unmapSegments takes every page of the
// segment files an index maps out of the process's resident set, and with
// drop advises each file random (once: it remembers the files it saw),
// while the index stays readable.
func TestUnmapSegments(t *testing.T) {
	data := t.TempDir()
	man, err := Build(context.Background(), data, BuildOptions{Sources: []string{"../corpus/sample"}})
	if err != nil {
		t.Fatal(err)
	}
	path := IndexPath(data, man.Name)
	idx, err := bleve.OpenUsing(path, BuildConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	segments := func() []procstat.Mapping {
		return procstat.Mappings(t, func(p string) bool { return strings.HasPrefix(p, path) && strings.HasSuffix(p, ".zap") })
	}
	r, err := snapshot(idx)
	if err != nil {
		t.Fatal(err)
	}
	files := mapped.Files(r)
	if len(files) == 0 {
		t.Fatal("the index maps no segment file: the test looks at nothing")
	}
	var size, sum int
	for _, f := range files { // every page read, so every page mapped
		size += len(f.Data)
		for i := 0; i < len(f.Data); i += 512 {
			sum += int(f.Data[i])
		}
	}
	r.Close()
	var rss int64
	for _, m := range segments() {
		rss += m.RSS
	}
	if rss < int64(size)/2 {
		t.Fatalf("%d bytes of the %d mapped resident after reading them all (sum %d): the test looks at nothing", rss, size, sum)
	}

	seen := map[string]bool{}
	unmapOnce(idx, true, seen)
	for _, m := range segments() {
		if m.RSS > 64<<10 {
			t.Errorf("%s: %d bytes resident after unmapOnce", m.Path, m.RSS)
		}
		if !m.Random {
			t.Errorf("%s: not advised random after unmapOnce with drop", m.Path)
		}
		if !seen[m.Path] {
			t.Errorf("%s: not remembered as seen", m.Path)
		}
	}
	if n, err := idx.DocCount(); err != nil || n != uint64(man.Docs) {
		t.Errorf("the index holds %d documents (%v) after unmapOnce, want %d", n, err, man.Docs)
	}
	q := bleve.NewMatchAllQuery()
	res, err := idx.Search(bleve.NewSearchRequestOptions(q, man.Docs, 0, false))
	if err != nil || len(res.Hits) != man.Docs {
		t.Fatalf("a search after unmapOnce: %v, %d hits, want %d", err, len(res.Hits), man.Docs)
	}
}
