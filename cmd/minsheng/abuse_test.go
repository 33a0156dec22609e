package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"minsheng/internal/procstat"
)

// The abuse run: the real binary serving the sample corpus with an admin
// token gets a bounded number of requests (MINSHENG_ABUSE_REQUESTS, 5,000
// by default, within MINSHENG_ABUSE_DURATION, 60 s) to every route of
// web/openapi.json and the staff UI, with random and hostile values in
// every parameter, path, body, content type and Authorization header.
// Pass line: no 5xx but the 503 of an exhausted budget (each other one is
// printed), the process alive and healthy at the end, and its peak RSS
// under abuseMaxRSS.
//
// abuseMaxRSS: serve holds one jieba segmenter (about 130 MB of
// dictionaries for the keywords of similar documents; the index's
// analyzers share it), the sample index, Go's heap under GOGC=100, and up
// to one reindex job of the sample (the admin token lets the run start
// them) and two exports at a time. 1 GB is several times what that needs,
// and far below the gigabytes one unbounded query or body would take.
const abuseMaxRSS = 1 << 30

// abuseKillRSS is where the run stops the server rather than let it take
// the machine.
const abuseKillRSS = 3 << 30

// route is one method and path pattern, with its parameters.
type route struct {
	method, path string
	query        []param // query parameters
	body         bool    // takes a body
}

type param struct {
	name  string
	typ   string // integer, string, array
	items string // the item type of an array
}

// apiRoutes reads the routes of web/openapi.json, and adds the staff UI's
// pages, which the OpenAPI description leaves out.
func apiRoutes(t *testing.T) []route {
	t.Helper()
	b, err := os.ReadFile("web/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name   string `json:"name"`
				In     string `json:"in"`
				Schema struct {
					Type  string `json:"type"`
					Items struct {
						Type string `json:"type"`
					} `json:"items"`
				} `json:"schema"`
			} `json:"parameters"`
			RequestBody any `json:"requestBody"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	var out []route
	for p, ops := range spec.Paths {
		for m, op := range ops {
			r := route{method: strings.ToUpper(m), path: p, body: op.RequestBody != nil}
			for _, pa := range op.Parameters {
				if pa.In == "query" {
					r.query = append(r.query, param{pa.Name, pa.Schema.Type, pa.Schema.Items.Type})
				}
			}
			out = append(out, r)
		}
	}
	ui := []param{{"q", "string", ""}, {"topic", "array", "string"}, {"kind", "array", "string"}, {"page", "integer", ""},
		{"size", "integer", ""}, {"sort", "string", ""}, {"from", "string", ""}, {"to", "string", ""}, {"id", "string", ""}}
	out = append(out,
		route{method: "GET", path: "/", query: ui},
		route{method: "GET", path: "/docs/{id}", query: ui},
		route{method: "GET", path: "/check", query: ui},
		route{method: "POST", path: "/check", body: true},
		route{method: "GET", path: "/analytics", query: ui},
		route{method: "GET", path: "/admin", query: ui},
		route{method: "GET", path: "/static/{file}", query: []param{{"v", "string", ""}}},
	)
	sort.Slice(out, func(i, j int) bool { return out[i].method+out[i].path < out[j].method+out[j].path })
	return out
}

// hostile values, as typed: each is sent URL-escaped or raw.
var hostile = []string{
	"", " ", "../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "%2e%2e", "..", ".", "/", "//",
	"%00", "a%00b", "%ff%fe", "%c0%af", "%e4%b9", "%zz", "%", "%%", `..\..\`, "gen-20240101-000000-000",
	"gen-20240101-000000-000%2F..%2F..", "gen-99999999-999999-999", "sch-0001", "job-0001", "s-2022-0123",
	"乡村振兴", "教育 医疗", `"乡村振兴"`, "-养老", "医保 OR 医疗保险", "topic:乡村振兴", "*a*", "/.*/", "a* b* c*",
	"乡村~99", "的 是 在 了 和 有", "- OR OR -", `"unclosed`, "<script>alert(1)</script>", "' OR 1=1 --",
	"${jndi:ldap://127.0.0.1/x}", "{{7*7}}", "%0d%0aSet-Cookie:%20x=1", "null", "true", "[]", "{}", "NaN", "Infinity",
	"-0", "0", "-1", "1", "2", "100", "101", "1000", "10001", "2147483648", "9223372036854775807",
	"9223372036854775808", "-9223372036854775808", "99999999999999999999", "1e309", "-1e309", "1e-400", "0x10",
	"1_000", "١٢٣", "２０２４", "2024", "2024-13-45", "0001-01-01", "9999-12-31", "2024-02-30", "2024/1/31",
	"date", "-date", "relevance", "random", "month", "year", "day", "trends", "units", "full", "ui.css", "ui.js",
	"\x00", "\xff\xfe", "\t\r\n", "\u202e", "\ufeff", strings.Repeat("a", 10000), strings.Repeat("长", 3000),
	strings.Repeat("的 ", 400), strings.Repeat("a OR ", 300), strings.Repeat("../", 2000),
}

// abuser makes random hostile requests from one seed.
type abuser struct {
	rng    *rand.Rand
	routes []route
	token  string
}

func (a *abuser) pick(l []string) string { return l[a.rng.IntN(len(l))] }

// value is one hostile value, ready for a URL: escaped, or raw with only
// what would break the request line replaced.
func (a *abuser) value(typ string) string {
	var v string
	switch {
	case typ == "integer" && a.rng.IntN(3) == 0:
		v = strconv.FormatInt(a.rng.Int64()-a.rng.Int64(), 10)
	case typ == "integer" && a.rng.IntN(2) == 0:
		v = strconv.Itoa(a.rng.IntN(300) - 50)
	default:
		v = a.pick(hostile)
	}
	if a.rng.IntN(3) == 0 {
		return rawEscape(strings.NewReplacer(" ", "+", "#", "%23", "&", "%26").Replace(v))
	}
	return url.QueryEscape(v)
}

// rawEscape escapes only the bytes no HTTP client would put in a request
// line (controls); invalid escapes, raw UTF-8 and invalid bytes stay.
func rawEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// pathValue is a hostile path segment (or segments).
func (a *abuser) pathValue() string {
	if a.rng.IntN(3) == 0 {
		return url.PathEscape(a.pick(hostile))
	}
	return rawEscape(strings.NewReplacer(" ", "%20", "#", "%23", "?", "%3F").Replace(a.pick(hostile)))
}

var crons = []string{"0 2 * * *", "@every 1h", "@every 1ns", "@every 0s", "@every -1s", "* * * * * *", "61 25 * * *",
	"@yearly", "", "@every 1000000h", "0 0 31 2 *", "TZ=Mars/Olympus 0 0 * * *", "CRON_TZ=../../etc/passwd 0 * * * *"}

// body returns a request body and its content type.
func (a *abuser) body(path string) (string, string) {
	ctype := a.pick([]string{"application/json", "application/json", "application/json", "text/plain",
		"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/json; charset=gbk", "application/xml"})
	str := func() string { b, _ := json.Marshal(a.pick(hostile)); return string(b) }
	num := func() string {
		return a.pick([]string{"0", "-1", "5", "100", "1e309", "9223372036854775808", "1.5", `"10"`, "null", "[]", "true"})
	}
	switch a.rng.IntN(12) {
	case 0:
		return `{"text": ` + str() + `, "size": ` + num() + `}`, ctype
	case 1:
		c, _ := json.Marshal(a.pick(crons))
		return `{"cron": ` + string(c) + `, "name": ` + str() + `}`, ctype
	case 2:
		return a.pick([]string{`{`, `{"text":`, `nul`, `[1,2`, `{"text": "a", "text": "b"}`, `{"text": 5}`, `{"text": ["a"]}`,
			`{"size": 1e309}`, `{"unknown": 1}`, `{"cron": {"a": 1}}`, `"just a string"`, `[]`, `null`}), ctype
	case 3:
		return `{"text": "` + "\xff\xfe\x00乡村" + `"}`, ctype // raw invalid UTF-8 and NUL
	case 4:
		n := 1000 + a.rng.IntN(100000)
		return strings.Repeat("[", n) + strings.Repeat("]", n), ctype
	case 5:
		return `{"text": "` + strings.Repeat("长", 700000) + `"}`, ctype // 2 MB: past max_body_bytes
	case 6:
		return "", ctype
	case 7:
		b := make([]byte, 1+a.rng.IntN(4096))
		for i := range b {
			b[i] = byte(a.rng.IntN(256))
		}
		return string(b), ctype
	case 8:
		return "text=" + a.value("string") + "&size=" + a.value("integer"), "application/x-www-form-urlencoded"
	case 9:
		return `{"text": "` + strings.Repeat("代表建议乡村振兴", 7000) + `"}`, "application/json" // 56,000 characters: past max_draft_len
	}
	return `{"text": "关于加快农村寄递物流体系建设助力乡村振兴的建议", "size": 5}`, "application/json"
}

var pathParam = regexp.MustCompile(`\{[a-z]+\}`)

// request builds one hostile request for base.
func (a *abuser) request(base string) (*http.Request, int) {
	r := a.routes[a.rng.IntN(len(a.routes))]
	method := r.method
	if a.rng.IntN(8) == 0 {
		method = a.pick([]string{"GET", "POST", "DELETE", "PUT", "PATCH", "HEAD", "OPTIONS"})
	}
	path := pathParam.ReplaceAllStringFunc(r.path, func(string) string { return a.pathValue() })
	var q []string
	for _, p := range r.query {
		if a.rng.IntN(5) < 2 {
			continue
		}
		n := 1
		if p.typ == "array" || a.rng.IntN(10) == 0 {
			n = 1 + a.rng.IntN(3)
			if a.rng.IntN(20) == 0 {
				n = 2000
			}
		}
		typ := p.typ
		if typ == "array" {
			typ = p.items
		}
		for range n {
			q = append(q, url.QueryEscape(p.name)+"="+a.value(typ))
		}
	}
	if a.rng.IntN(10) == 0 {
		q = append(q, a.value("string")+"="+a.value("string"))
	}
	if a.rng.IntN(200) == 0 {
		q = append(q, "q="+strings.Repeat("a", 2<<20)) // 2 MB: past the header limit
	}
	target := path
	if len(q) > 0 {
		target += "?" + strings.Join(q, "&")
	}
	var body io.Reader
	ctype := ""
	size := 0
	if r.body || a.rng.IntN(10) == 0 {
		var s string
		s, ctype = a.body(r.path)
		body, size = strings.NewReader(s), len(s)
	}
	u, _ := url.Parse(base)
	u.Opaque = target // sent as is: raw escapes, invalid UTF-8, dot segments
	req, err := http.NewRequest(method, base, body)
	if err != nil {
		panic(err)
	}
	req.URL = u
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	// header values keep any byte but the controls no client sends
	headerSafe := func(s string) string {
		return strings.Map(func(r rune) rune {
			if r < 0x20 && r != '\t' || r == 0x7f {
				return '?'
			}
			return r
		}, s)
	}
	switch a.rng.IntN(10) {
	case 0, 1, 2, 3, 4:
		req.Header.Set("Authorization", "Bearer "+a.token)
	case 5, 6:
		req.Header.Set("Authorization", "Bearer "+headerSafe(a.pick(hostile)))
	case 7:
		req.Header.Set("Authorization", a.pick([]string{"Basic YWRtaW46YWRtaW4=", "Bearer", "bearer  " + a.token + " ", strings.Repeat("x", 8000), "Bearer " + a.token + "x"}))
	}
	if a.rng.IntN(10) == 0 {
		req.Header.Set("X-Forwarded-For", a.pick([]string{"127.0.0.1", "10.0.0.1, 203.0.113.9", "garbage", "::1"}))
	}
	return req, size
}

// envInt and envDuration read a setting of these runs from the environment.
func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

// percentile of sorted durations.
func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func TestAbuseRealServer(t *testing.T) {
	bin := buildTrimpathBinary(t)
	sample, err := filepath.Abs("../../corpus/sample")
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	runIndexCmd(t, bin, data, sample)
	s := startServe(t, bin, data, sample)
	pid := s.cmd.Process.Pid
	startRSS := procstat.Bytes(pid, "VmRSS")

	n := envInt("MINSHENG_ABUSE_REQUESTS", 5000)
	limit := envDuration("MINSHENG_ABUSE_DURATION", 60*time.Second)
	seed := uint64(time.Now().UnixNano())
	if v, err := strconv.ParseUint(os.Getenv("MINSHENG_ABUSE_SEED"), 10, 64); err == nil {
		seed = v
	}
	t.Logf("seed %d (set MINSHENG_ABUSE_SEED to repeat), %d requests within %s", seed, n, limit)
	routes := apiRoutes(t)
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 8}}

	var (
		mu        sync.Mutex // guards everything below
		tried     int
		statuses  = map[int]int{}
		lat       []time.Duration
		offending []string
		transport []string
		closed    int // connections serve closed while the request was still being sent
	)
	// A guard: past abuseKillRSS the server is killed before it takes the
	// machine, and the requests in flight are the suspects.
	var (
		inflight = map[int]string{} // guarded by mu
		suspects []string           // guarded by mu
	)
	stopGuard := make(chan struct{})
	guardDone := make(chan struct{})
	go func() {
		defer close(guardDone)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stopGuard:
				return
			case <-s.done:
				return
			case <-tick.C:
			}
			if rss := procstat.Bytes(pid, "VmRSS"); rss > abuseKillRSS {
				s.cmd.Process.Kill()
				mu.Lock()
				for _, w := range inflight {
					suspects = append(suspects, w)
				}
				mu.Unlock()
				t.Errorf("serve's RSS reached %.0f MB: killed", float64(rss)/(1<<20))
				return
			}
		}
	}()
	deadline := time.Now().Add(limit)
	next := make(chan int)
	go func() {
		defer close(next)
		for i := 0; i < n && time.Now().Before(deadline); i++ {
			next <- i
		}
	}()
	const workers = 4
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := &abuser{rng: rand.New(rand.NewPCG(seed, uint64(w))), routes: routes, token: e2eToken}
			for range next {
				req, size := a.request(s.base)
				what := fmt.Sprintf("%s %s (body %d bytes, %s)", req.Method, req.URL.Opaque, size, req.Header.Get("Content-Type"))
				mu.Lock()
				inflight[w] = what
				mu.Unlock()
				start := time.Now()
				resp, err := client.Do(req)
				var b []byte
				if err == nil {
					b, _ = io.ReadAll(io.LimitReader(resp.Body, 64<<20))
					resp.Body.Close()
				}
				took := time.Since(start)
				mu.Lock()
				delete(inflight, w)
				tried++
				lat = append(lat, took)
				var ue *url.Error
				if errors.As(err, &ue) {
					err = ue.Err // without the URL, printed already
				}
				switch {
				case errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNRESET):
					// serve answered early and closed while the request was
					// still being sent: a malformed request line (400) or an
					// oversized body (413); a crash would fail the checks below
					closed++
				case err != nil:
					transport = append(transport, fmt.Sprintf("%v: %.300s", err, what))
				default:
					statuses[resp.StatusCode]++
					if resp.StatusCode >= 500 && resp.StatusCode != http.StatusServiceUnavailable {
						offending = append(offending, fmt.Sprintf("%d %.300s: %.300s", resp.StatusCode, what, b))
					}
				}
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	wg.Wait()
	elapsed := time.Since(start)
	close(stopGuard)
	<-guardDone
	for _, w := range suspects {
		t.Errorf("in flight when serve was killed: %.2000s", w)
	}

	select {
	case <-s.done:
		t.Fatalf("serve exited during the abuse run: %v", s.cmd.ProcessState)
	default:
	}
	var h struct {
		Status string `json:"status"`
	}
	if code := s.call(t, "GET", "/healthz", "", &h); code != http.StatusOK || h.Status != "ok" {
		t.Errorf("after the abuse run: /healthz %d %+v", code, h)
	}
	peak, rss := procstat.Bytes(pid, "VmHWM"), procstat.Bytes(pid, "VmRSS")

	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var hist []string
	codes := make([]int, 0, len(statuses))
	for c := range statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	for _, c := range codes {
		hist = append(hist, fmt.Sprintf("%d×%d", c, statuses[c]))
	}
	t.Logf("abuse run: %d requests in %s over %d routes; statuses %s; %d connections closed by serve while the request was still being sent; %d transport errors",
		tried, elapsed.Round(time.Millisecond), len(routes), strings.Join(hist, " "), closed, len(transport))
	t.Logf("latency p50 %s p99 %s max %s; serve RSS %.0f MB at start, %.0f MB at the end, peak %.0f MB",
		percentile(lat, 0.5).Round(time.Microsecond), percentile(lat, 0.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Millisecond),
		float64(startRSS)/(1<<20), float64(rss)/(1<<20), float64(peak)/(1<<20))
	for _, o := range offending {
		t.Errorf("5xx: %s", o)
	}
	for _, e := range transport[:min(len(transport), 20)] {
		t.Errorf("transport error: %s", e)
	}
	if len(transport) > 20 {
		t.Errorf("… and %d more transport errors", len(transport)-20)
	}
	if peak > abuseMaxRSS {
		t.Errorf("serve's peak RSS %.0f MB is over the bound of %.0f MB", float64(peak)/(1<<20), float64(abuseMaxRSS)/(1<<20))
	}
	if tried < min(n, 500) {
		t.Errorf("only %d requests in %s", tried, limit)
	}
	if strings.Contains(s.logText(), "handler panic") {
		t.Errorf("the server log shows a handler panic")
	}
}
