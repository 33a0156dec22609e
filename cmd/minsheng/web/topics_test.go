package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"minsheng/corpus"
	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// fixedTaxonomy is the taxonomy the server is given, as main's.
type fixedTaxonomy search.Taxonomy

func (t fixedTaxonomy) Taxonomy() search.Taxonomy { return search.Taxonomy(t) }

func TestPutDocTopics(t *testing.T) {
	live, s := sampleSearcher(t)
	_, st := defaultTopics(t)
	const token = "topics-test-token-0123456789"
	data := t.TempDir()
	store, err := taxonomy.OpenCorrections(data)
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Options{Search: s, Analyst: s, Taxonomy: fixedTaxonomy(st), Live: live, Log: slog.New(slog.DiscardHandler), Limits: Limits{MaxBodyBytes: 64 << 10}})
	srv.AdminToken, srv.Topics = token, store
	h, err := srv.Handler(nil)
	if err != nil {
		t.Fatal(err)
	}
	req := func(method, target, body, tok string) (int, map[string]any) {
		t.Helper()
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		if tok != "" {
			r.Header.Set("Authorization", "Bearer "+tok)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		var out map[string]any
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d, not JSON: %q", method, target, w.Code, w.Body.String())
		}
		return w.Code, out
	}
	const id = "s-2020-0012"
	code, before := req("GET", "/api/v1/docs/"+id+"/topics", "", "")
	if code != 200 || before["topics_corrected"] != false || len(before["audit"].([]any)) != 0 {
		t.Fatalf("before: %d %v", code, before)
	}
	for _, tt := range []struct {
		body, tok string
		code      int
		msg       string
	}{
		{`{"topics":["教育"]}`, "", 401, "Bearer"},
		{`{"topics":["教育"]}`, "wrong-token-wrong-token-wrong", 403, ""},
		{`{"topics":["没有这个主题"]}`, token, 400, "unknown topic"},
		{`{"topic":["教育"]}`, token, 400, `unknown field "topic"`},
		{`{"topics":"教育"}`, token, 400, `field "topics" must be an array, not a string`},
		{`not json`, token, 400, `{"topics": ["主题", ...]}`},
		{`{"topics":["教育"]} {"topics":[]}`, token, 400, "more than one JSON value"},
		{`{}`, token, 400, `send {"topics"`},
		{`{"topics":["教育","教育","教育","教育","教育","教育","教育","教育","教育","教育","教育"]}`, token, 400, "at most 10"},
	} {
		code, out := req("PUT", "/api/v1/docs/"+id+"/topics", tt.body, tt.tok)
		if code != tt.code || !strings.Contains(out["error"].(string), tt.msg) {
			t.Errorf("PUT %s: %d %v, want %d %q", tt.body, code, out, tt.code, tt.msg)
		}
	}
	if code, _ := req("PUT", "/api/v1/docs/no-such-doc/topics", `{"topics":["教育"]}`, token); code != 404 {
		t.Errorf("unknown document: %d, want 404", code)
	}
	if _, ok := store.Get(id); ok {
		t.Fatal("a refused request stored a correction")
	}
	code, out := req("PUT", "/api/v1/docs/"+id+"/topics", `{"topics":["教育事业", "乡村振兴", "教育"]}`, token)
	// this server writes no live documents: search follows later
	if code != 200 || out["primary_topic"] != "教育" || out["topics_corrected"] != true || out["note"] != correctionLater {
		t.Fatalf("PUT: %d %v", code, out)
	}
	if got, _ := store.Get(id); !slices.Equal(got, []string{"教育", "乡村振兴"}) {
		t.Errorf("stored %q", got)
	}
	// the document shows it at once, with its audit
	code, doc := req("GET", "/api/v1/docs/"+id, "", "")
	if code != 200 || doc["primary_topic"] != "教育" || doc["topics_corrected"] != true || len(doc["topics"].([]any)) != 2 {
		t.Errorf("document after the correction: %v", doc)
	}
	_, after := req("GET", "/api/v1/docs/"+id+"/topics", "", "")
	audit := after["audit"].([]any)
	if len(audit) != 1 {
		t.Fatalf("audit %v", audit)
	}
	a := audit[0].(map[string]any)
	if a["id"] != id || a["time"] == "" || len(a["after"].([]any)) != 2 || len(a["before"].([]any)) != len(before["topics"].([]any)) {
		t.Errorf("audit entry %v (before %v)", a, before["topics"])
	}
	// [] removes every topic
	if code, out := req("PUT", "/api/v1/docs/"+id+"/topics", `{"topics":[]}`, token); code != 200 || len(out["topics"].([]any)) != 0 {
		t.Errorf("remove all: %d %v", code, out)
	}
	// the page shows the correction
	r := httptest.NewRequest("GET", "/docs/"+id, nil)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "人工更正") {
		t.Errorf("document page: %d, no 人工更正", w.Code)
	}
}

// defaultTopics is the built-in taxonomy, and what the server is told of
// it.
func defaultTopics(t *testing.T) (*taxonomy.Taxonomy, search.Taxonomy) {
	t.Helper()
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	var st search.Taxonomy
	for _, td := range tax.Topics {
		st.Topics = append(st.Topics, search.TopicInfo{Name: td.Name, Aliases: td.Aliases})
	}
	return tax, st
}

// failingRetag is live documents whose retags fail.
type failingRetag struct{ *indexer.Docs }

func (failingRetag) Retag(context.Context, ...string) error { return errors.New("the disk is full") }

// TestPutDocTopicsSearchedAtOnce: where the server writes live
// documents, a correction is in search, the facets and primary topics as
// soon as it is answered, and after a restart; when indexing it fails, the
// answer and the page say it is pending.
func TestPutDocTopicsSearchedAtOnce(t *testing.T) {
	data, srcDir := t.TempDir(), t.TempDir()
	src := filepath.Join(srcDir, "docs.jsonl")
	var b strings.Builder
	for i := range 3 {
		fmt.Fprintf(&b, `{"id":"s%d","kind":"suggestion","title":"关于乡村学校教师队伍建设的建议%d","body":"乡村学校教师补充难，学生流失，建议加强义务教育教师培训。"}`+"\n", i, i)
	}
	if err := os.WriteFile(src, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tax, st := defaultTopics(t)
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		t.Fatal(err)
	}
	store, err := taxonomy.OpenCorrections(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{src}, Tagger: clf}); err != nil {
		t.Fatal(err)
	}
	var stop func() // the server's: closes its index and log
	serve := func(retagFails bool) *docsFixture {
		t.Helper()
		var live *indexer.Live
		var docs *indexer.Docs
		live, docs, stop = openLiveDocs(t, data, clf.WithCorrectionSource(store))
		srv := New(Options{Search: search.New(live.Index(), search.Options{}), Taxonomy: fixedTaxonomy(st), Live: live,
			Log: slog.New(slog.DiscardHandler), Topics: store, Docs: docs})
		if retagFails {
			srv.Docs = failingRetag{docs}
		}
		srv.AdminToken = testToken
		h, err := srv.Handler(nil)
		if err != nil {
			t.Fatal(err)
		}
		return &docsFixture{h: h, live: live}
	}
	f := serve(false)
	count := func(f *docsFixture, when, params string, want uint64) {
		t.Helper()
		if n, _ := f.total(t, "", params); n != want {
			t.Errorf("%s: %s finds %d, want %d", when, params, n, want)
		}
	}
	count(f, "before", "&topic=教育", 3)
	count(f, "before", "&topic=医疗卫生", 0)

	w, ans := f.req(t, "PUT", "/api/v1/docs/s1/topics", testToken, `{"topics":["医疗卫生","教育"]}`)
	var v topicsView
	json.Unmarshal(w.Body.Bytes(), &v)
	if w.Code != 200 || v.Note != correctionNote {
		t.Fatalf("PUT: %d %+v %s", w.Code, ans, w.Body)
	}
	check := func(f *docsFixture, when string) {
		t.Helper()
		count(f, when, "&topic=医疗卫生", 1)
		count(f, when, "&topic=医疗卫生&topic_scope=primary", 1)
		count(f, when, "&topic=教育&topic_scope=primary", 2)
		_, facets := f.total(t, "", "")
		if !slices.Contains(facets[corpus.FieldTopic], search.Count{Value: "医疗卫生", Count: 1}) {
			t.Errorf("%s: topic facet %v, want 医疗卫生 1", when, facets[corpus.FieldTopic])
		}
		w, _ := f.req(t, "GET", "/docs/s1", "", "")
		if page := w.Body.String(); !strings.Contains(page, "主题由工作人员设定") || strings.Contains(page, "生效") {
			t.Errorf("%s: the page does not say the correction is in effect", when)
		}
	}
	check(f, "at once")
	stop() // a restart: retags are not logged, and the served index may lose them
	f = serve(true)
	check(f, "after a restart")

	// a correction that cannot be indexed now is stored, and said pending
	w, _ = f.req(t, "PUT", "/api/v1/docs/s2/topics", testToken, `{"topics":["医疗卫生"]}`)
	json.Unmarshal(w.Body.Bytes(), &v)
	if w.Code != 200 || v.Note != correctionLater {
		t.Errorf("PUT with a failing retag: %d %s", w.Code, w.Body)
	}
	if got, _ := store.Get("s2"); !slices.Equal(got, []string{"医疗卫生"}) {
		t.Errorf("stored %q", got)
	}
	count(f, "retag failed", "&topic=医疗卫生", 1)
	if w, _ := f.req(t, "GET", "/docs/s2", "", ""); !strings.Contains(w.Body.String(), "生效") {
		t.Error("the page of a correction not yet in search does not say when it will be")
	}
}

// TestTopicScopePrimary counts the sample corpus's topics, every one and
// primary ones only.
func TestTopicScopePrimary(t *testing.T) {
	_, h := newAPITestServer(t)
	facet := func(target string) map[string]int {
		t.Helper()
		code, body := do(t, h, "GET", target, nil)
		if code != 200 {
			t.Fatalf("%s: %d %s", target, code, body)
		}
		var res search.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, c := range res.Facets["topic"] {
			out[c.Value] = c.Count
		}
		return out
	}
	all, primary := facet("/api/v1/search?size=1"), facet("/api/v1/search?size=1&topic_scope=primary")
	sumAll, sumPrimary := 0, 0
	for k, n := range all {
		sumAll += n
		if primary[k] > n {
			t.Errorf("%s: %d primary, %d in all", k, primary[k], n)
		}
	}
	for _, n := range primary {
		sumPrimary += n
	}
	if sumPrimary == 0 || sumPrimary >= sumAll {
		t.Errorf("primary topics counted %d times, all topics %d: want fewer, not none", sumPrimary, sumAll)
	}
	if code, _ := do(t, h, "GET", "/api/v1/search?topic_scope=most", nil); code != 400 {
		t.Errorf("topic_scope=most: %d, want 400", code)
	}
	// the topic filter matches primary topics only in that scope
	code, body := do(t, h, "GET", "/api/v1/search?size=100&topic=乡村振兴&topic_scope=primary", nil)
	var res search.Result
	if code != 200 || json.Unmarshal(body, &res) != nil || res.Total == 0 {
		t.Fatalf("primary filter: %d %s", code, body)
	}
	for _, hit := range res.Hits {
		if len(hit.Topics) == 0 || hit.Topics[0] != "乡村振兴" {
			t.Errorf("hit %s topics %q: want 乡村振兴 first", hit.ID, hit.Topics)
		}
	}
}
