package web

import (
	"bufio"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"
	"time"
)

// sampleSuggestion is a suggestion of the sample corpus as its JSONL file
// writes it.
type sampleSuggestion struct {
	ID            string   `json:"id"`
	Date          string   `json:"date"`
	Session       string   `json:"session"`
	Status        string   `json:"status"`
	KeySupervised bool     `json:"key_supervised"`
	Units         []string `json:"units"`
	LeadUnit      string   `json:"lead_unit"`
	ReplyClass    string   `json:"reply_class"`
	Satisfaction  string   `json:"satisfaction"`
	Due           string   `json:"due"`
	Replied       string   `json:"replied"`
}

// classOf reads the notations the sample corpus writes classes in.
var classOf = map[string]string{
	"A": "A", "A类": "A", "甲类": "A", "1类": "A", "B": "B", "B类": "B", "乙类": "B", "2类": "B",
	"C": "C", "C类": "C", "丙类": "C", "3类": "C", "D": "D", "D类": "D", "丁类": "D", "4类": "D",
}

type wantGroup struct {
	count, lead, assisting, onTime, a, satisfied int
}

// TestHandlingFiguresFromJSONL computes every figure of
// /api/v1/analytics/handling for the sample corpus from its JSONL file,
// for several filters, and compares them with the API's.
func TestHandlingFiguresFromJSONL(t *testing.T) {
	_, h := newAPITestServer(t)
	f, err := os.Open("../../../corpus/sample/suggestions.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var all []sampleSuggestion
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var s sampleSuggestion
		if err := json.Unmarshal(sc.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		// the days of 2024-05-01T00:00:00+08:00
		s.Date, s.Due, s.Replied = day(s.Date), day(s.Due), day(s.Replied)
		all = append(all, s)
	}
	// the topics are the classifier's, which the index holds
	topics := map[string][]string{}
	for page := 1; page <= 2; page++ {
		var res struct {
			Hits []struct {
				ID     string   `json:"id"`
				Topics []string `json:"topics"`
			} `json:"hits"`
		}
		getJSON(t, h, "/api/v1/search?kind=suggestion&size=100&page="+strconv.Itoa(page), &res)
		for _, x := range res.Hits {
			topics[x.ID] = x.Topics
		}
	}
	if len(topics) != len(all) {
		t.Fatalf("%d suggestions indexed, %d in the file", len(topics), len(all))
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	for _, c := range []struct {
		params string
		keep   func(s sampleSuggestion) bool
	}{
		{"", func(sampleSuggestion) bool { return true }},
		{"session=十四届二次会议", func(s sampleSuggestion) bool { return s.Session == "十四届二次会议" }},
		{"session=十三届三次会议,十四届三次会议", func(s sampleSuggestion) bool {
			return s.Session == "十三届三次会议" || s.Session == "十四届三次会议"
		}},
		{"from=2021-01-01&to=2022-12-31", func(s sampleSuggestion) bool { return s.Date >= "2021-01-01" && s.Date <= "2022-12-31" }},
		{"unit=省卫生健康委", func(s sampleSuggestion) bool { return slices.Contains(s.Units, "省卫生健康委") }},
	} {
		var docs []sampleSuggestion
		for _, s := range all {
			if c.keep(s) {
				docs = append(docs, s)
			}
		}
		checkHandling(t, h, c.params, docs, topics, today)
	}
}

func checkHandling(t *testing.T, h http.Handler, params string, docs []sampleSuggestion, topics map[string][]string, today string) {
	t.Helper()
	var got struct {
		Total, UnitsCount, Replied, OnTime, KeySupervised int
		OnTimeRate, CompletedRate                         float64
		ReplyClass, Satisfaction                          []struct {
			Value string
			Count int
			Share float64
		}
		ByTopic, ByUnit []struct {
			Topic, Unit            string
			Count, Lead, Assisting int
			OnTimeRate             float64 `json:"on_time_rate"`
			AShare                 float64 `json:"a_share"`
			SatisfiedShare         float64 `json:"satisfied_share"`
		}
		Overdue []string
	}
	var raw map[string]json.RawMessage
	getJSON(t, h, "/api/v1/analytics/handling?"+params, &raw)
	for _, k := range []string{"total", "units_count", "replied", "on_time", "on_time_rate", "completed_rate", "reply_class",
		"satisfaction", "key_supervised", "by_topic", "by_unit", "overdue"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("%s: no field %s", params, k)
		}
	}
	dec := map[string]any{"total": &got.Total, "units_count": &got.UnitsCount, "replied": &got.Replied, "on_time": &got.OnTime,
		"key_supervised": &got.KeySupervised, "on_time_rate": &got.OnTimeRate, "completed_rate": &got.CompletedRate,
		"reply_class": &got.ReplyClass, "satisfaction": &got.Satisfaction, "by_topic": &got.ByTopic, "by_unit": &got.ByUnit, "overdue": &got.Overdue}
	for k, p := range dec {
		if err := json.Unmarshal(raw[k], p); err != nil {
			t.Fatalf("%s: %s: %v", params, k, err)
		}
	}
	wantUnitsGroups := map[string]*wantGroup{}
	wantTopics := map[string]*wantGroup{}
	classes, sats := map[string]int{}, map[string]int{}
	var replied, onTime, completed, key int
	var overdue []string
	for _, s := range docs {
		ok := s.Replied != "" && (s.Due == "" || s.Replied <= s.Due)
		cls := classOf[s.ReplyClass]
		sat := s.Satisfaction == "满意" || s.Satisfaction == "基本满意"
		if s.Replied != "" {
			replied++
		}
		if ok {
			onTime++
		}
		if s.Status == "已办结" || s.Status == "已答复" {
			completed++
		}
		if s.KeySupervised {
			key++
		}
		if cls != "" {
			classes[cls]++
		}
		if s.Satisfaction != "" {
			sats[s.Satisfaction]++
		}
		if s.Due != "" && (s.Replied != "" && s.Replied > s.Due || s.Replied == "" && s.Due < today) {
			overdue = append(overdue, s.ID)
		}
		add := func(m map[string]*wantGroup, k string) *wantGroup {
			if m[k] == nil {
				m[k] = &wantGroup{}
			}
			g := m[k]
			g.count++
			g.onTime += b2i(ok)
			g.a += b2i(cls == "A")
			g.satisfied += b2i(sat)
			return g
		}
		ts := topics[s.ID]
		if len(ts) == 0 {
			ts = []string{"（未分类）"}
		}
		for _, tp := range ts {
			add(wantTopics, tp)
		}
		lead := s.LeadUnit
		if lead == "" {
			lead = s.Units[0]
		}
		add(wantUnitsGroups, lead).lead++
		for _, u := range s.Units {
			if u != lead {
				add(wantUnitsGroups, u).assisting++
			}
		}
	}
	n := len(docs)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	frac := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	if got.Total != n || got.Replied != replied || got.OnTime != onTime || got.KeySupervised != key ||
		got.UnitsCount != len(wantUnitsGroups) || !near(got.OnTimeRate, frac(onTime, n)) || !near(got.CompletedRate, frac(completed, n)) {
		t.Errorf("%s: got total %d replied %d on time %d (%.4f) completed rate %.4f key %d units %d; want %d %d %d (%.4f) %.4f %d %d", params,
			got.Total, got.Replied, got.OnTime, got.OnTimeRate, got.CompletedRate, got.KeySupervised, got.UnitsCount,
			n, replied, onTime, frac(onTime, n), frac(completed, n), key, len(wantUnitsGroups))
	}
	for _, l := range []struct {
		name string
		got  []struct {
			Value string
			Count int
			Share float64
		}
		want  map[string]int
		known []string
	}{{"reply_class", got.ReplyClass, classes, []string{"A", "B", "C", "D"}}, {"satisfaction", got.Satisfaction, sats, []string{"满意", "基本满意", "不满意"}}} {
		if len(l.got) < len(l.known) {
			t.Fatalf("%s: %s %+v", params, l.name, l.got)
		}
		seen := 0
		for i, s := range l.got {
			if i < len(l.known) && s.Value != l.known[i] || s.Count != l.want[s.Value] || !near(s.Share, frac(s.Count, n)) {
				t.Errorf("%s: %s %d is %+v; want %d of %d", params, l.name, i, s, l.want[s.Value], n)
			}
			seen += s.Count
		}
		total := 0
		for _, c := range l.want {
			total += c
		}
		if seen != total {
			t.Errorf("%s: %s counts %d, want %d", params, l.name, seen, total)
		}
	}
	sort.Strings(overdue)
	if !slices.Equal(got.Overdue, overdue) && !(len(got.Overdue) == 0 && len(overdue) == 0) {
		t.Errorf("%s: overdue %v, want %v", params, got.Overdue, overdue)
	}
	for _, g := range []struct {
		name string
		want map[string]*wantGroup
		key  func(i int) string
		n    int
	}{{"by_topic", wantTopics, func(i int) string { return got.ByTopic[i].Topic }, len(got.ByTopic)},
		{"by_unit", wantUnitsGroups, func(i int) string { return got.ByUnit[i].Unit }, len(got.ByUnit)}} {
		if g.n != len(g.want) {
			t.Errorf("%s: %s has %d groups, want %d", params, g.name, g.n, len(g.want))
		}
		for i := range g.n {
			w := g.want[g.key(i)]
			x := got.ByTopic
			if g.name == "by_unit" {
				x = got.ByUnit
			}
			if w == nil {
				t.Errorf("%s: %s %q is not in the file", params, g.name, g.key(i))
				continue
			}
			if x[i].Count != w.count || !near(x[i].OnTimeRate, frac(w.onTime, w.count)) || !near(x[i].AShare, frac(w.a, w.count)) ||
				!near(x[i].SatisfiedShare, frac(w.satisfied, w.count)) || g.name == "by_unit" && (x[i].Lead != w.lead || x[i].Assisting != w.assisting) {
				t.Errorf("%s: %s %q is %+v, want %+v", params, g.name, g.key(i), x[i], *w)
			}
		}
	}
	if n == 0 || len(overdue) == 0 && params == "" {
		t.Errorf("%s: %d suggestions, %d overdue: the test proves little", params, n, len(overdue))
	}
}

func day(s string) string { return s[:min(len(s), 10)] }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// getJSON decodes the answer of a GET, which must be 200.
func getJSON(t *testing.T, h http.Handler, target string, v any) {
	t.Helper()
	code, body := do(t, h, "GET", target, nil)
	if code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, code, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: %v", target, err)
	}
}
