package search_test

import (
	"bufio"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/indexer"
	zhanalysis "minsheng/indexer/analysis"
	"minsheng/indexer/taxonomy"
	"minsheng/search"
)

// sampleSources is the corpus `make run` indexes.
var sampleSources = []string{"../corpus/sample"}

// analyticsFixture is the sample corpus indexed with the built-in
// taxonomy's classifier, and the same documents read and tagged apart from
// the index: the oracle every count is checked against.
type analyticsFixture struct {
	s    *search.Searcher
	an   *zhanalysis.Analysis
	tax  *taxonomy.Taxonomy
	docs []corpus.Doc // as stored
}

func newAnalyticsFixture(t *testing.T) *analyticsFixture {
	t.Helper()
	ctx := context.Background()
	tax, err := taxonomy.DefaultTaxonomy()
	if err != nil {
		t.Fatal(err)
	}
	clf, err := taxonomy.NewClassifier(tax)
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	man, err := indexer.Build(ctx, data, indexer.BuildOptions{Sources: sampleSources, Tagger: clf})
	if err != nil {
		t.Fatal(err)
	}
	if man.TaxonomyVersion != tax.Version() {
		t.Errorf("generation stamped with taxonomy %q, want %q", man.TaxonomyVersion, tax.Version())
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { live.Close() })
	an, err := zhanalysis.NewBuiltinAnalysis()
	if err != nil {
		t.Fatal(err)
	}
	s := search.New(live.Index(), search.Options{Limits: search.Limits{MaxSize: 1000}, Keywords: an.Keywords})
	f := &analyticsFixture{s: s, an: an, tax: tax}
	// the build learns a model from the sample's given topics before it
	// tags (indexer.Learner): the oracle tags with the same model
	learned, err := clf.Learn(ctx, sampleSources, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = corpus.Walk(ctx, sampleSources, corpus.Options{}, func(d corpus.Doc) error {
		learned.Tag(&d)
		indexer.IndexFields(&d) // cleans the text as the build does
		f.docs = append(f.docs, d)
		return nil
	}, func(p corpus.Problem) { t.Errorf("sample: %s", p) })
	if err != nil {
		t.Fatal(err)
	}
	if len(f.docs) != man.Docs {
		t.Fatalf("oracle has %d documents, the index %d", len(f.docs), man.Docs)
	}
	return f
}

// matching returns the ids of every document a request matches, through
// Search: hit by hit, not by facets.
func (f *analyticsFixture) matching(t *testing.T, r search.Request) map[string]bool {
	t.Helper()
	r.Size = 1000
	res, err := f.s.Search(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	if res.Relaxed || uint64(len(res.Hits)) != res.Total {
		t.Fatalf("search %q: %d hits of %d, relaxed %v", r.Query, len(res.Hits), res.Total, res.Relaxed)
	}
	ids := map[string]bool{}
	for _, h := range res.Hits {
		ids[h.ID] = true
	}
	return ids
}

func (f *analyticsFixture) docsOf(ids map[string]bool) []corpus.Doc {
	var out []corpus.Doc
	for _, d := range f.docs {
		if ids == nil || ids[d.ID] {
			out = append(out, d)
		}
	}
	return out
}

// trendOracle counts documents by period and topic, one by one.
func trendOracle(docs []corpus.Doc, layout string) (periods []string, total map[string]int, byTopic map[string]map[string]int, undated int) {
	total, byTopic = map[string]int{}, map[string]map[string]int{}
	for _, d := range docs {
		if d.Date.IsZero() {
			undated++
			continue
		}
		p := d.Date.In(corpus.CST()).Format(layout)
		total[p]++
		for _, tp := range d.AllTopics() {
			if byTopic[tp] == nil {
				byTopic[tp] = map[string]int{}
			}
			byTopic[tp][p]++
		}
	}
	for p := range total {
		periods = append(periods, p)
	}
	sort.Strings(periods)
	return periods, total, byTopic, undated
}

func checkTrends(t *testing.T, got *search.Trends, docs []corpus.Doc, layout string) {
	t.Helper()
	periods, total, byTopic, undated := trendOracle(docs, layout)
	if len(periods) > 0 && (got.Periods[0] != periods[0] || got.Periods[len(got.Periods)-1] != periods[len(periods)-1]) {
		t.Errorf("periods %s..%s, want %s..%s", got.Periods[0], got.Periods[len(got.Periods)-1], periods[0], periods[len(periods)-1])
	}
	if got.Matched != uint64(len(docs)) || got.Undated != undated || got.Truncated {
		t.Errorf("matched %d undated %d truncated %v, want %d %d false", got.Matched, got.Undated, got.Truncated, len(docs), undated)
	}
	for i, p := range got.Periods {
		if got.Total[i] != total[p] {
			t.Errorf("%s: %d documents, want %d", p, got.Total[i], total[p])
		}
	}
	if len(got.Topics) != len(byTopic) {
		t.Errorf("%d topics, want %d", len(got.Topics), len(byTopic))
	}
	for k, ts := range got.Topics {
		sum := 0
		for i, p := range got.Periods {
			if ts.Counts[i] != byTopic[ts.Topic][p] {
				t.Errorf("%s %s: %d documents, want %d", ts.Topic, p, ts.Counts[i], byTopic[ts.Topic][p])
			}
			sum += ts.Counts[i]
		}
		if ts.Total != sum || k > 0 && ts.Total > got.Topics[k-1].Total {
			t.Errorf("%s: total %d (sum %d), not in order", ts.Topic, ts.Total, sum)
		}
	}
}

func TestAnalyticsSample(t *testing.T) {
	f := newAnalyticsFixture(t)
	ctx := context.Background()

	t.Run("trends by year", func(t *testing.T) {
		got, err := f.s.Trends(ctx, search.Request{}, "year")
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"2020", "2021", "2022", "2023", "2024", "2025"}; !slices.Equal(got.Periods, want) {
			t.Fatalf("periods %v, want %v", got.Periods, want)
		}
		checkTrends(t, got, f.docs, "2006")
	})

	t.Run("suggestions by year, against the raw JSONL", func(t *testing.T) {
		got, err := f.s.Trends(ctx, search.Request{Filters: search.Filters{Kind: []string{"suggestion"}}}, "")
		if err != nil {
			t.Fatal(err)
		}
		// counted from corpus/sample/suggestions.jsonl by its date strings
		raw := map[string]int{}
		fh, err := os.Open("../corpus/sample/suggestions.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		defer fh.Close()
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var d struct {
				Date string `json:"date"`
			}
			if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
				t.Fatal(err)
			}
			raw[d.Date[:4]]++
		}
		want := []int{17, 19, 18, 19, 20, 21}
		for i, p := range got.Periods {
			if got.Total[i] != raw[p] || got.Total[i] != want[i] {
				t.Errorf("%s: %d suggestions, the JSONL has %d, want %d", p, got.Total[i], raw[p], want[i])
			}
		}
		if got.Interval != "year" || got.Matched != 114 {
			t.Errorf("interval %q, matched %d", got.Interval, got.Matched)
		}
	})

	t.Run("trends by month of a query and a year", func(t *testing.T) {
		r := search.Request{Query: "养老", Filters: search.Filters{Year: []string{"2024", "2025"}}}
		got, err := f.s.Trends(ctx, r, "month")
		if err != nil {
			t.Fatal(err)
		}
		docs := f.docsOf(f.matching(t, r))
		if len(docs) < 3 {
			t.Fatalf("only %d documents match: pick another query", len(docs))
		}
		checkTrends(t, got, docs, "2006-01")
		first, _ := time.Parse("2006-01", got.Periods[0])
		last, _ := time.Parse("2006-01", got.Periods[len(got.Periods)-1])
		if n := (last.Year()-first.Year())*12 + int(last.Month()-first.Month()) + 1; n != len(got.Periods) {
			t.Errorf("%d periods from %s to %s, want every month: %d", len(got.Periods), got.Periods[0], got.Periods[len(got.Periods)-1], n)
		}
	})

	t.Run("trends of nothing", func(t *testing.T) {
		// no document has every word (in the default mode some have a
		// few, as Search counts them: TestAnalyticsFollowSearchMode)
		got, err := f.s.Trends(ctx, search.Request{Query: "不存在的词语组合xyz", Mode: search.ModeAll}, "year")
		if err != nil {
			t.Fatal(err)
		}
		if got.Matched != 0 || len(got.Periods) != 0 || len(got.Topics) != 0 {
			t.Errorf("%+v", got)
		}
	})

	t.Run("bad interval", func(t *testing.T) {
		if _, err := f.s.Trends(ctx, search.Request{}, "week"); !errors.Is(err, errs.Invalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
		if _, err := f.s.Trends(ctx, search.Request{Filters: search.Filters{Year: []string{"20x4"}}}, "year"); !errors.Is(err, errs.Invalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
	})

	t.Run("keywords", func(t *testing.T) {
		r := search.Request{Query: "养老"}
		got, err := f.s.TopKeywords(ctx, r, 10)
		if err != nil {
			t.Fatal(err)
		}
		ids := f.matching(t, r)
		docs := f.docsOf(ids)
		if got.Matched != uint64(len(docs)) || got.Sampled != len(docs) {
			t.Fatalf("matched %d sampled %d, want %d", got.Matched, got.Sampled, len(docs))
		}
		// The formula, recomputed: every match is sampled (fewer than 200).
		tf := map[string]float64{}
		for _, d := range docs {
			kws := f.an.Keywords(d.Title+"\n"+d.Body, 20)
			sum := 0.0
			for _, k := range kws {
				sum += k.Weight
			}
			for _, k := range kws {
				tf[k.Word] += k.Weight / sum / float64(len(docs))
			}
		}
		var cands []string
		for w := range tf {
			cands = append(cands, w)
		}
		sort.Slice(cands, func(i, j int) bool {
			if tf[cands[i]] != tf[cands[j]] {
				return tf[cands[i]] > tf[cands[j]]
			}
			return cands[i] < cands[j]
		})
		cands = cands[:min(len(cands), 30)]
		type kw struct {
			word        string
			weight      float64
			docs, total int
		}
		var want []kw
		for _, w := range cands {
			in, all := f.containing(w, ids), f.containing(w, nil)
			want = append(want, kw{w, tf[w] * math.Log(float64(len(f.docs)+1)/float64(all+1)), in, all})
		}
		sort.SliceStable(want, func(i, j int) bool { return want[i].weight > want[j].weight })
		want = want[:10]
		if len(got.Keywords) != len(want) {
			t.Fatalf("%d keywords, want %d", len(got.Keywords), len(want))
		}
		for i, k := range got.Keywords {
			w := want[i]
			if k.Word != w.word || math.Abs(k.Weight-w.weight) > 1e-9 || k.Docs != w.docs || k.Corpus != w.total {
				t.Errorf("keyword %d: %+v, want %+v", i, k, w)
			}
			if k.Docs < 1 || k.Docs > len(docs) {
				t.Errorf("%s in %d of %d matching documents", k.Word, k.Docs, len(docs))
			}
		}
		t.Logf("keywords of %q (%d documents): %+v", r.Query, len(docs), got.Keywords)
		if got.Keywords[0].Word != "养老服务" {
			t.Errorf("first keyword %q, want 养老服务", got.Keywords[0].Word)
		}
	})

	t.Run("keyword size", func(t *testing.T) {
		if _, err := f.s.TopKeywords(ctx, search.Request{}, 101); !errors.Is(err, errs.Invalid) {
			t.Errorf("err = %v, want ErrInvalid", err)
		}
		got, err := f.s.TopKeywords(ctx, search.Request{}, 0)
		if err != nil || len(got.Keywords) != 20 || got.Matched != uint64(len(f.docs)) {
			t.Errorf("default size: %v, %d keywords", err, len(got.Keywords))
		}
	})

	t.Run("units", func(t *testing.T) {
		got, err := f.s.Units(ctx, search.Request{})
		if err != nil {
			t.Fatal(err)
		}
		if got.Suggestions != 114 || got.Completed != 95 || got.KeySupervised != 18 || got.NoUnit != 0 {
			t.Errorf("suggestions %d completed %d key %d no unit %d, want 114 95 18 0",
				got.Suggestions, got.Completed, got.KeySupervised, got.NoUnit)
		}
		if got.Share != 0.8333 {
			t.Errorf("share %v, want 0.8333", got.Share)
		}
		top := got.Units[0]
		if top.Unit != "省发展改革委" || top.Count != 25 || top.Completed != 20 || top.KeySupervised != 5 || top.Share != 0.8 {
			t.Errorf("first unit %+v, want 省发展改革委 25 20 5", top)
		}
		checkUnits(t, got, f.docsOf(nil))
		// a query and a filter: the oracle is what Search matches
		r := search.Request{Query: "乡村", Filters: search.Filters{Year: []string{"2021", "2022", "2023"}}}
		got, err = f.s.Units(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		docs := f.docsOf(f.matching(t, r))
		checkUnits(t, got, docs)
		if got.Suggestions == 0 {
			t.Error("no suggestion matches: pick another query")
		}
	})

	t.Run("topics", func(t *testing.T) {
		info := search.Taxonomy{Version: f.tax.Version()}
		for _, td := range f.tax.Topics {
			info.Topics = append(info.Topics, search.TopicInfo{Name: td.Name})
		}
		info.Topics = append(info.Topics, search.TopicInfo{Name: "从未出现的主题"})
		got, err := f.s.Topics(ctx, info)
		if err != nil {
			t.Fatal(err)
		}
		want, untagged := map[string]int{}, 0
		for _, d := range f.docs {
			if len(d.AllTopics()) == 0 {
				untagged++
			}
			for _, tp := range d.AllTopics() {
				want[tp]++
			}
		}
		if got.Documents != uint64(len(f.docs)) || got.Untagged != untagged || got.Version != f.tax.Version() {
			t.Errorf("documents %d untagged %d version %s, want %d %d", got.Documents, got.Untagged, got.Version, len(f.docs), untagged)
		}
		for i, tc := range got.Topics {
			if i < len(info.Topics) && (tc.Name != info.Topics[i].Name || !tc.InTaxonomy) {
				t.Errorf("topic %d is %s (in taxonomy %v), want %s first", i, tc.Name, tc.InTaxonomy, info.Topics[i].Name)
			}
			if tc.Count != want[tc.Name] {
				t.Errorf("%s: %d documents, want %d", tc.Name, tc.Count, want[tc.Name])
			}
		}
		if n := len(got.Topics); n != len(want)+1 { // + the topic no document has
			t.Errorf("%d topics listed, want %d", n, len(want)+1)
		}
	})
}

// containing counts the documents (of ids, or all when nil) whose text
// contains word once folded: what a literal query matches.
func (f *analyticsFixture) containing(word string, ids map[string]bool) int {
	n := 0
	for _, d := range f.docsOf(ids) {
		meta := strings.Join(append([]string{d.Number, d.Session, d.Author, d.Delegation}, d.Units...), "\n")
		for _, text := range []string{d.Title, d.Body, d.Reply, meta} {
			if strings.Contains(f.an.Fold(text), word) {
				n++
				break
			}
		}
	}
	return n
}

// checkUnits recounts the handling figures suggestion by suggestion.
func checkUnits(t *testing.T, got *search.UnitStats, docs []corpus.Doc) {
	t.Helper()
	type fig struct{ count, done, key int }
	units := map[string]*fig{}
	statuses := map[string]int{}
	n, done, key := 0, 0, 0
	for _, d := range docs {
		if d.Kind != corpus.KindSuggestion {
			continue
		}
		n++
		statuses[d.Status]++
		if search.Completed(d.Status) {
			done++
		}
		if d.KeySupervised {
			key++
		}
		for _, u := range d.Units {
			if units[u] == nil {
				units[u] = &fig{}
			}
			units[u].count++
			if search.Completed(d.Status) {
				units[u].done++
			}
			if d.KeySupervised {
				units[u].key++
			}
		}
	}
	if got.Suggestions != uint64(n) || got.Completed != done || got.KeySupervised != key {
		t.Errorf("suggestions %d completed %d key %d, want %d %d %d", got.Suggestions, got.Completed, got.KeySupervised, n, done, key)
	}
	for _, s := range got.Statuses {
		if s.Count != statuses[s.Value] {
			t.Errorf("status %s: %d, want %d", s.Value, s.Count, statuses[s.Value])
		}
	}
	if len(got.Units) != len(units) {
		t.Errorf("%d units, want %d", len(got.Units), len(units))
	}
	for i, u := range got.Units {
		w := units[u.Unit]
		if w == nil || u.Count != w.count || u.Completed != w.done || u.KeySupervised != w.key {
			t.Errorf("%s: %+v, want %+v", u.Unit, u, w)
			continue
		}
		sum := 0
		for _, c := range u.Statuses {
			sum += c
		}
		if sum != u.Count {
			t.Errorf("%s: statuses sum to %d, count %d", u.Unit, sum, u.Count)
		}
		if i > 0 && u.Count > got.Units[i-1].Count {
			t.Errorf("units out of order at %s", u.Unit)
		}
	}
}

// TestTrendsLongSpan: past 240 months only the latest are counted, and a
// date is put in its period in China Standard Time.
func TestTrendsLongSpan(t *testing.T) {
	src := filepath.Join(t.TempDir(), "docs.jsonl")
	docs := `{"id": "old", "kind": "news", "title": "旧闻", "body": "一九九〇年的消息。", "date": "1990-06-01"}
{"id": "new", "kind": "news", "title": "新闻", "body": "二〇二四年的消息。", "date": "2024-03-01"}
{"id": "eve", "kind": "news", "title": "跨年", "body": "北京时间元旦凌晨的消息。", "date": "2023-12-31T20:00:00Z"}
{"id": "undated", "kind": "news", "title": "无日期", "body": "没有日期的消息。"}
`
	if err := os.WriteFile(src, []byte(docs), 0o644); err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: []string{src}}); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	s := search.New(live.Index(), search.Options{})
	got, err := s.Trends(context.Background(), search.Request{}, "month")
	if err != nil {
		t.Fatal(err)
	}
	n := len(got.Periods)
	if n != 240 || got.Periods[0] != "2004-04" || got.Periods[n-1] != "2024-03" || !got.Truncated {
		t.Fatalf("%d periods %s..%s, truncated %v; want 240 2004-04..2024-03, truncated", n, got.Periods[0], got.Periods[n-1], got.Truncated)
	}
	if got.Matched != 4 || got.Undated != 1 || got.Total[n-1] != 1 || got.Total[n-3] != 1 || got.Total[n-4] != 0 {
		t.Errorf("matched %d undated %d, last four months %v", got.Matched, got.Undated, got.Total[n-4:])
	}
	years, err := s.Trends(context.Background(), search.Request{}, "year")
	if err != nil {
		t.Fatal(err)
	}
	if len(years.Periods) != 35 || years.Truncated || years.Total[0] != 1 || years.Total[33] != 0 || years.Total[34] != 2 {
		t.Errorf("years %v: %v", years.Periods, years.Total)
	}
}

// TestAnalyticsTopicScope holds trends and the handling figures by topic
// to the search's topic facet under topic_scope=primary: a document counts
// under its primary topic alone there, as the facet counts it, and under
// every topic it carries by default.
func TestAnalyticsTopicScope(t *testing.T) {
	f := newAnalyticsFixture(t)
	ctx := context.Background()
	facet := func(r search.Request) map[string]int {
		t.Helper()
		r.Size, r.FacetSize = 1, 100
		res, err := f.s.Search(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]int{}
		for _, c := range res.Facets[corpus.FieldTopic] {
			out[c.Value] = c.Count
		}
		return out
	}
	differ := false
	for _, scope := range []string{"", search.TopicsAll, search.TopicsPrimary} {
		for _, r := range []search.Request{{TopicScope: scope}, {TopicScope: scope, Query: "乡村振兴"},
			{TopicScope: scope, Filters: search.Filters{Kind: []string{corpus.KindSuggestion}}}} {
			want := facet(r)
			tr, err := f.s.Trends(ctx, r, "year")
			if err != nil {
				t.Fatal(err)
			}
			if wantScope := cmp.Or(scope, search.TopicsAll); tr.TopicScope != wantScope {
				t.Errorf("scope %q, q %q, kind %v: trends say scope %q, want %q", scope, r.Query, r.Filters.Kind, tr.TopicScope, wantScope)
			}
			got := map[string]int{}
			for _, ts := range tr.Topics {
				got[ts.Topic] = ts.Total
			}
			if tr.Undated == 0 && !maps.Equal(got, want) {
				t.Errorf("scope %q, q %q, kind %v: trends by topic %v, the topic facet %v", scope, r.Query, r.Filters.Kind, got, want)
			}
			if scope == search.TopicsPrimary && !maps.Equal(want, facet(search.Request{Query: r.Query, Filters: r.Filters})) {
				differ = true
			}
		}
		r := search.Request{TopicScope: scope}
		st, err := f.s.Handling(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		want := facet(search.Request{TopicScope: scope, Filters: search.Filters{Kind: []string{corpus.KindSuggestion}}})
		got, sum := map[string]int{}, 0
		for _, g := range st.ByTopic {
			if g.Topic != search.NoTopic {
				got[g.Topic] = g.Count
			}
			sum += g.Count
		}
		if !maps.Equal(got, want) {
			t.Errorf("scope %q: handling by topic %v, the topic facet of the suggestions %v", scope, got, want)
		}
		if scope == search.TopicsPrimary && sum != st.Total {
			t.Errorf("primary scope: by topic counts %d suggestions in all, want each of the %d once", sum, st.Total)
		}
	}
	if !differ {
		t.Error("the sample's primary topics count as its topics do: the test shows nothing")
	}
}

// topic:教育 in the query finds what the topic=教育 filter finds, under
// either scope.
func TestTopicPrefixScope(t *testing.T) {
	f := newAnalyticsFixture(t)
	ctx := context.Background()
	totals := map[string]uint64{}
	for _, scope := range []string{search.TopicsAll, search.TopicsPrimary} {
		byFilter, err := f.s.Search(ctx, search.Request{TopicScope: scope, Filters: search.Filters{Topic: []string{"教育"}}, NoFacets: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"topic:教育", "主题:教育"} {
			byQuery, err := f.s.Search(ctx, search.Request{TopicScope: scope, Query: q, NoFacets: true})
			if err != nil {
				t.Fatal(err)
			}
			if byQuery.Total != byFilter.Total {
				t.Errorf("scope %s: %s finds %d, the filter %d", scope, q, byQuery.Total, byFilter.Total)
			}
		}
		totals[scope] = byFilter.Total
	}
	if totals[search.TopicsAll] == totals[search.TopicsPrimary] {
		t.Errorf("教育 is the primary topic of all its %d documents: the test shows nothing", totals[search.TopicsAll])
	}
}
