package web

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"minsheng/search"
)

// mode=all requires every word; the default ranks the partial matches
// after every complete one and counts them apart (total_exact).
func TestSearchAPIMode(t *testing.T) {
	_, h := newAPITestServer(t)
	q := url.QueryEscape("乡村振兴 教育 医疗")
	get := func(query string) search.Result {
		t.Helper()
		code, body := do(t, h, "GET", "/api/v1/search?size=100&q="+q+query, nil)
		if code != 200 {
			t.Fatalf("%s: status %d: %s", query, code, body)
		}
		var res search.Result
		if err := json.Unmarshal(body, &res); err != nil {
			t.Fatal(err)
		}
		return res
	}
	all, partial := get("&mode=all"), get("")
	if all.Mode != search.ModeAll || partial.Mode != search.ModePartial {
		t.Errorf("modes %q and %q", all.Mode, partial.Mode)
	}
	if all.Total != all.TotalExact {
		t.Errorf("mode all: total %d, total_exact %d", all.Total, all.TotalExact)
	}
	if partial.TotalExact != all.Total || partial.Total <= partial.TotalExact {
		t.Errorf("partial: total %d, total_exact %d; mode all found %d", partial.Total, partial.TotalExact, all.Total)
	}
	for i, hit := range all.Hits {
		if len(hit.Missing) != 0 || len(hit.Matched) != 3 || hit.ID != partial.Hits[i].ID {
			t.Errorf("mode all hit %d %s: matched %q missing %q (partial has %s there)", i, hit.ID, hit.Matched, hit.Missing, partial.Hits[i].ID)
		}
	}
	for i, hit := range partial.Hits {
		if complete := uint64(i) < partial.TotalExact; complete != (len(hit.Missing) == 0) {
			t.Errorf("partial hit %d %s: missing %q, total_exact %d", i, hit.ID, hit.Missing, partial.TotalExact)
		}
		if len(hit.Matched)+len(hit.Missing) != 3 {
			t.Errorf("partial hit %s: matched %q missing %q", hit.ID, hit.Matched, hit.Missing)
		}
	}
	code, body := do(t, h, "GET", "/api/v1/search?q="+q+"&mode=some", nil)
	if code != 400 {
		t.Errorf("mode=some: status %d: %s", code, body)
	}
}

// GET /api/v1/synonyms shows the synonyms searches use.
func TestSynonymsAPI(t *testing.T) {
	srv, h := newAPITestServer(t)
	code, body := do(t, h, "GET", "/api/v1/synonyms", nil)
	if code != 200 || string(body) != `{"groups":[],"source":""}` {
		t.Errorf("no synonyms: %d %s", code, body)
	}
	syn, err := search.ParseSynonyms(strings.NewReader("# x\n医保, 医疗保险\n一老一小 => 养老, 托育\n"), "syn.txt")
	if err != nil {
		t.Fatal(err)
	}
	srv.Synonyms = func() *search.Synonyms { return syn }
	defer func() { srv.Synonyms = nil }()
	code, body = do(t, h, "GET", "/api/v1/synonyms", nil)
	want := `{"groups":[{"line":2,"words":["医保","医疗保险"]},{"line":3,"words":["一老一小"],"to":["养老","托育"]}],"source":"syn.txt"}`
	if code != 200 || string(body) != want {
		t.Errorf("got %d %s\nwant %s", code, body, want)
	}
}
