package indexer

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"minsheng/corpus"
	"minsheng/indexer/wal"
)

// correcting is a CorrectingTagger: it tags a document with the topics
// of its correction (id -> topics), and with those its source gave
// otherwise.
type correcting map[string][]string

func (c correcting) Tag(d *corpus.Doc) {
	d.GivenTopics = slices.Clone(d.Topics)
	if t, ok := c[d.ID]; ok {
		d.Topics, d.TopicsCorrected = slices.Clone(t), true
	}
	if len(d.Topics) > 0 {
		d.PrimaryTopic = d.Topics[0]
	}
}

func (c correcting) Version() string     { return "correcting" }
func (c correcting) Corrected() []string { return slices.Sorted(maps.Keys(c)) }

// openCorrecting opens the live documents of data tagged by c; close
// closes them (and is called when the test ends, if it was not).
func openCorrecting(t *testing.T, data string, c correcting) (live *Live, docs *Docs, log *wal.Log, close func()) {
	t.Helper()
	log, err := wal.Open(wal.Dir(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	live, docs, err = OpenLiveDocs(data, log, c, nil)
	if err != nil {
		log.Close()
		t.Fatal(err)
	}
	closed := false
	close = func() {
		if !closed {
			closed = true
			live.Close()
			log.Close()
		}
	}
	t.Cleanup(close)
	return live, docs, log, close
}

// withTopic returns the ids of the served documents whose topic field
// (primary: primary_topic) holds topic, as a search's filter finds them.
func withTopic(t *testing.T, live *Live, field, topic string) []string {
	t.Helper()
	q := bleve.NewTermQuery(topic)
	q.SetField(field)
	req := bleve.NewSearchRequestOptions(q, 100, 0, false)
	res, err := live.Index().Search(req)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range res.Hits {
		ids = append(ids, h.ID)
	}
	slices.Sort(ids)
	return ids
}

// TestRetag: a correction reaches the served generation's topic fields
// when Retag is called, without a version or a log record, and every
// generation opened later (a restart, a reindex) is brought in line with
// the corrections, those whose retag it never saw included.
func TestRetag(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	path := liveSource(t, src, 4)
	given := filepath.Join(src, "given.jsonl") // a document whose source gave its topics
	if err := os.WriteFile(given, []byte(`{"id":"given-1","title":"养老服务","body":"社区养老","topics":["一老一小"]}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sources := []string{path, given}
	buildOnce(t, data, BuildOptions{Sources: sources})
	c := correcting{}
	live, docs, log, closeDocs := openCorrecting(t, data, c)
	ctx := context.Background()
	write(t, docs,
		DocChange{Op: OpPatch, ID: "live-0", Body: []byte(`{"body":"接口改过的正文"}`)},
		DocChange{Op: OpDelete, ID: "live-3"},
	)
	seq := log.Seq()

	c["live-0"] = []string{"教育"}
	c["live-1"] = []string{"医疗卫生", "教育"}
	c["live-3"] = []string{"教育"} // deleted: not brought back
	c["given-1"] = []string{"教育"}
	if got := withTopic(t, live, corpus.FieldTopic, "教育"); len(got) != 0 {
		t.Fatalf("before Retag, topic 教育 finds %v", got)
	}
	if err := docs.Retag(ctx, "live-0", "live-1", "live-3", "given-1", "no-such-doc"); err != nil {
		t.Fatal(err)
	}
	// corrected again: what its source gave stays, under two corrections
	c["given-1"] = []string{"社会治理"}
	if err := docs.Retag(ctx, "given-1"); err != nil {
		t.Fatal(err)
	}
	c["given-1"] = []string{"教育"}
	if err := docs.Retag(ctx, "given-1"); err != nil {
		t.Fatal(err)
	}
	if d, err := indexedDoc(ctx, live.Index(), "given-1"); err != nil || d == nil || !slices.Equal(d.GivenTopics, []string{"一老一小"}) {
		t.Errorf("given-1 corrected twice: %+v, %v; want the topics its source gave kept", d, err)
	}
	check := func(when string, topic, primary map[string][]string) {
		t.Helper()
		for tp, want := range topic {
			if got := withTopic(t, live, corpus.FieldTopic, tp); !slices.Equal(got, want) {
				t.Errorf("%s: topic %s finds %v, want %v", when, tp, got, want)
			}
		}
		for tp, want := range primary {
			if got := withTopic(t, live, corpus.FieldPrimaryTopic, tp); !slices.Equal(got, want) {
				t.Errorf("%s: primary topic %s finds %v, want %v", when, tp, got, want)
			}
		}
	}
	check("after Retag", map[string][]string{"教育": {"given-1", "live-0", "live-1"}, "医疗卫生": {"live-1"}, "一老一小": nil},
		map[string][]string{"教育": {"given-1", "live-0"}, "医疗卫生": {"live-1"}})
	if got := served(t, live, "live-0"); got != "接口改过的正文" {
		t.Errorf("live-0 after Retag has body %q, want the API's", got)
	}
	if v, _, _ := docs.Version(ctx, "live-1"); v != 1 || log.Seq() != seq || docs.History("live-1") != nil {
		t.Errorf("Retag changed versions or the log: live-1 at version %d, log at %d (was %d)", v, log.Seq(), seq)
	}
	if n, _ := live.Index().DocCount(); n != 4 {
		t.Errorf("after Retag the index holds %d documents, want 4", n)
	}

	// a correction whose retag is lost (here: never made) is applied
	// when the generation opens again
	closeDocs()
	c["live-2"] = []string{"医疗卫生"}
	live, _, _, _ = openCorrecting(t, data, c)
	check("after a restart", map[string][]string{"教育": {"given-1", "live-0", "live-1"}, "医疗卫生": {"live-1", "live-2"}},
		map[string][]string{"医疗卫生": {"live-1", "live-2"}})

	// and when a new generation, built without them, is switched to
	// (and brought up to the log: live-0 as the API wrote it, live-3
	// deleted)
	m := buildOnce(t, data, BuildOptions{Sources: sources})
	c["live-0"] = []string{"医疗卫生"}
	if err := live.Switch(m.Name); err != nil {
		t.Fatal(err)
	}
	check("after a switch", map[string][]string{"教育": {"given-1", "live-1"}, "医疗卫生": {"live-0", "live-1", "live-2"}},
		map[string][]string{"教育": {"given-1"}, "医疗卫生": {"live-0", "live-1", "live-2"}})
	if got := served(t, live, "live-0"); got != "接口改过的正文" {
		t.Errorf("live-0 after the switch has body %q, want the API's", got)
	}
}
