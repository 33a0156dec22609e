package web

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// fixedTaxonomy is the taxonomy the server is given, as main's.
type fixedTaxonomy search.Taxonomy

func (t fixedTaxonomy) Taxonomy() search.Taxonomy { return search.Taxonomy(t) }

func TestPutDocTopics(t *testing.T) {
	live, s := sampleSearcher(t)
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	var st search.Taxonomy
	for _, td := range tax.Topics {
		st.Topics = append(st.Topics, search.TopicInfo{Name: td.Name, Aliases: td.Aliases})
	}
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
		{`{"topic":["教育"]}`, token, 400, `send {"topics"`},
		{`{"topics":"教育"}`, token, 400, `send {"topics"`},
		{`not json`, token, 400, `send {"topics"`},
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
	if code != 200 || out["primary_topic"] != "教育" || out["topics_corrected"] != true || !strings.Contains(out["note"].(string), "next reindex") {
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
