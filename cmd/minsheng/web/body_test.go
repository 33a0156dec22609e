package web

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestSimilarSizeAgrees: GET /docs/{id}/similar?size= and POST /similar
// {"size": N} answer a size alike: absent is the default, and an explicit
// 0, a negative or too large a size is 400 in both (POST took 0 for the
// default).
func TestSimilarSizeAgrees(t *testing.T) {
	_, h := newAPITestServer(t)
	for _, c := range []struct {
		size string // "" is absent
		want int
	}{{"", 200}, {"3", 200}, {"0", 400}, {"-1", 400}, {"1000", 400}} {
		target := "/api/v1/docs/s-2022-0123/similar"
		body := `{"text": "关于乡村振兴的建议"}`
		if c.size != "" {
			target += "?size=" + c.size
			body = `{"text": "关于乡村振兴的建议", "size": ` + c.size + `}`
		}
		if code, out := do(t, h, "GET", target, nil); code != c.want {
			t.Errorf("GET %s: %d %s, want %d", target, code, out, c.want)
		}
		if code, out := do(t, h, "POST", "/api/v1/similar", strings.NewReader(body)); code != c.want {
			t.Errorf("POST /similar %s: %d %s, want %d", body, code, out, c.want)
		}
	}
}

// TestJSONBodyErrors: POST /similar refuses unknown fields and anything
// after the first JSON value, and the messages of a bad body name the
// JSON field and type, never Go's struct and field names.
func TestJSONBodyErrors(t *testing.T) {
	_, h := newAPITestServer(t)
	for _, c := range []struct {
		body string
		want int
		msg  string
	}{
		{`{"text": "乡村振兴", "szie": 3}`, 400, `unknown field "szie"`},
		{`{"text": "乡村振兴"} {"text": "教育"}`, 400, "more than one JSON value"},
		{`{"text": "乡村振兴"}]`, 400, "more than one JSON value"},
		{`{"text": "乡村振兴"}x`, 400, "more than one JSON value"},
		{`{"text": 5}`, 400, `field "text" must be a string, not a number`},
		{`{"text": "乡村振兴", "size": "3"}`, 400, `field "size" must be a whole number, not a string`},
		{`{"text": "乡村振兴", "size": 1.5}`, 400, `field "size" must be a whole number, not the number 1.5`},
		{`{"text": ["乡村振兴"]}`, 400, `field "text" must be a string, not an array`},
		{`["乡村振兴"]`, 400, "the body must be an object, not an array"},
		{``, 400, "empty body"},
		{`{"text": "乡村`, 400, "ends too early"},
		{`{"text": "乡村振兴"}` + "\n \t", 200, ""},
	} {
		code, out := do(t, h, "POST", "/api/v1/similar", strings.NewReader(c.body))
		var e struct{ Error string }
		json.Unmarshal(out, &e)
		if code != c.want || !strings.Contains(e.Error, c.msg) {
			t.Errorf("POST /similar %s: %d %s, want %d with %q", c.body, code, out, c.want, c.msg)
		}
		for _, goName := range []string{"Go ", "struct", "SimilarRequest", "similarBody", "json:"} {
			if strings.Contains(e.Error, goName) {
				t.Errorf("POST /similar %s: message %q speaks Go (%q)", c.body, e.Error, goName)
			}
		}
	}
	if code, out := do(t, h, "POST", "/api/v1/similar", strings.NewReader(`{"text": "`+strings.Repeat("长", 64<<10)+`"}`)); code != http.StatusRequestEntityTooLarge {
		t.Errorf("a body over the limit: %d %.200s, want 413", code, out)
	}
}
