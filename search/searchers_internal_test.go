package search

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	bsearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"minsheng/corpus"
	"minsheng/indexer"
)

// asBleve is q with bleve's own queries for anyOf (a disjunction of the
// same clauses, one of which must match), lone (a boolean of its one
// clause, which bleve searches as a conjunction of one) and phraseOf: a
// phrase query, or for a literal phrase, whose field keeps no positions,
// a conjunction of its bigrams' term queries (scored as bleve's phrase
// query scores) over the documents that holders says hold its text.
func asBleve(q query.Query, holders func(field, text string) []string) query.Query {
	each := func(qs []query.Query) []query.Query {
		out := make([]query.Query, len(qs))
		for i, c := range qs {
			out[i] = asBleve(c, holders)
		}
		return out
	}
	switch q := q.(type) {
	case *anyOf:
		d := bleve.NewDisjunctionQuery(each(q.clauses)...)
		d.SetMin(1)
		return d
	case *phraseOf:
		if q.text != "" {
			terms := make([]query.Query, len(q.terms))
			for i, t := range q.terms {
				terms[i] = termQ(q.field, t, q.boost)
			}
			b := bleve.NewBooleanQuery()
			b.AddMust(bleve.NewConjunctionQuery(terms...))
			b.AddFilter(bleve.NewDocIDQuery(append(holders(q.field, q.text), "no-such-id")))
			return b
		}
		pq := bleve.NewPhraseQuery(q.terms, q.field)
		pq.SetBoost(q.boost)
		return pq
	case *litTerm:
		tq := q.TermQuery
		return &tq
	case *litPrefix:
		pq := bleve.NewPrefixQuery(q.prefix)
		pq.SetField(q.field)
		pq.SetBoost(q.boost)
		return pq
	case lone:
		b := bleve.NewBooleanQuery()
		b.AddMust(asBleve(q.q, holders))
		return b
	case *listing:
		b := bleve.NewBooleanQuery()
		b.AddMust(bleve.NewMatchAllQuery())
		b.AddFilter(q.filter)
		return b
	case *query.DisjunctionQuery:
		d := *q
		d.Disjuncts = each(q.Disjuncts)
		return &d
	case *query.ConjunctionQuery:
		c := *q
		c.Conjuncts = each(q.Conjuncts)
		return &c
	case *query.BooleanQuery:
		b := *q
		for _, c := range []*query.Query{&b.Must, &b.Should, &b.MustNot, &b.Filter} {
			if *c != nil {
				*c = asBleve(*c, holders)
			}
		}
		return &b
	}
	return q
}

// TestOwnSearchersScoreAsBleve: questions, a relaxed query with a
// required phrase, a question under filters, a similar-documents query,
// words, quoted phrases and filtered listings find the same documents with
// the same scores through anyOf, phraseOf and listing as through bleve's
// disjunction, phrase and match-all queries, on the sample and, when
// ../shared is there, on the CPPCC proposals and the policy documents.
func TestOwnSearchersScoreAsBleve(t *testing.T) {
	sources := testSources(t)
	data := t.TempDir()
	if _, err := indexer.Build(context.Background(), data, indexer.BuildOptions{Sources: sources}); err != nil {
		t.Fatal(err)
	}
	live, err := indexer.OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	idx := live.Index()
	s := New(idx, Options{})
	an, err := s.analyzers()
	if err != nil {
		t.Fatal(err)
	}

	type check struct {
		name string
		q    query.Query
	}
	var checks []check
	questions := []string{
		"如何解决农村留守儿童上学难的问题？",
		"今年一季度全国规模以上工业增加值同比增长多少",
		"关于加强基层医疗卫生服务能力建设的建议",
		"养老服务 社区 居家 照护 补贴 标准 提高",
	}
	// titles of the indexed documents as questions: the question of a
	// staff member looking for that very document
	// and pieces of them as words, and as phrases
	var words []string
	n := 0
	_, err = corpus.Walk(context.Background(), sources, corpus.Options{}, func(d corpus.Doc) error {
		n++
		title := []rune(d.Title)
		if n%9 == 0 && len(title) > 0 {
			questions = append(questions, d.Title+"？")
		}
		if n%7 == 0 && len(title) > 8 {
			from, size := n%(len(title)-7), 2+n%6
			words = append(words, string(title[from:from+size]))
		}
		return nil
	}, func(corpus.Problem) {})
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range questions {
		checks = append(checks, check{"question " + text, an.build(Parse(text), true)})
	}
	for i, w := range words {
		checks = append(checks, check{"word " + w, an.build(Parse(w), false)}, check{"phrase " + w, an.build(Parse(`"`+w+`"`), false)})
		if i > 0 {
			two := words[i-1] + " " + w
			checks = append(checks, check{"words " + two, an.build(Parse(two), false)})
		}
	}
	for _, f := range []Filters{
		{Kind: []string{"suggestion"}}, {Kind: []string{"news", "policy"}}, {Year: []string{"2023"}},
		{Topic: []string{"教育", "医疗卫生"}, Kind: []string{"suggestion", "proposal"}},
		{From: time.Date(2022, 1, 1, 0, 0, 0, 0, corpus.CST()), To: time.Date(2023, 6, 30, 0, 0, 0, 0, corpus.CST())},
		{Status: []string{"已办结"}}, {Kind: []string{"no such kind"}},
	} {
		q := withFilters(bleve.NewMatchAllQuery(), f)
		if _, ok := q.(*listing); !ok {
			t.Fatalf("filters %+v over everything: %T, not a listing", f, q)
		}
		checks = append(checks, check{fmt.Sprintf("listing %+v", f), q})
	}
	checks = append(checks,
		check{"phrase nowhere", an.build(Parse(`"没有这样的一句话"`), false)},
		check{"relaxed with a phrase", an.build(Parse(`"乡村" 农村 教育 医疗 养老 就业`), true)},
		check{"question under filters", withFilters(an.build(Parse("农村教育怎么发展？"), true),
			Filters{Kind: []string{"suggestion", "proposal"}, Year: []string{"2021", "2022", "2023", "2024"}})},
	)
	var alts []query.Query
	for _, w := range []string{"农村", "教育", "学校", "教师", "留守儿童", "医疗", "乡村振兴"} {
		alts = append(alts, termQ(corpus.FieldTitle, w, boostTitle), termQ(corpus.FieldBody, w, boostBody*0.7))
	}
	similar := bleve.NewBooleanQuery()
	similar.AddMust(newAnyOf(alts...))
	similar.AddMustNot(bleve.NewDocIDQuery([]string{"no-such-id"}))
	checks = append(checks, check{"similar", similar})
	// a word's query is an anyOf whose literal is a disjunction of its
	// own (anyGroup): those must be among the compared
	grouped := 0
	for _, c := range checks {
		if l, ok := c.q.(lone); ok {
			if a, ok := l.q.(*anyOf); ok {
				if _, groups, ok := a.termsOf(); ok && groups != nil {
					grouped++
				}
			}
		}
	}
	if grouped < 5 {
		t.Fatalf("only %d queries are an anyOf of grouped terms: the comparison checks too little of them", grouped)
	}

	// with bleve's own statistics, and with the field lengths the build
	// stored, as searches run
	if st, err := readStats(snapshotOf(t, idx), idx.Mapping()); err != nil || st == nil {
		t.Fatalf("the build stored no field lengths: %v", err)
	}
	if ok, err := s.HasFieldLengths(); !ok || err != nil {
		t.Errorf("HasFieldLengths: %v, %v for a build", ok, err)
	}
	holders := literalHolders(t, idx)
	// bleve searches the same documents with their literal fields in
	// the segment, as bleve writes them, where the build wrote them
	// apart (indexer/literal)
	twin := literalTwin(t, idx)
	defer twin.Close()
	tw := New(twin, Options{})
	total := 0
	for _, stats := range []bool{false, true} {
		for _, c := range checks {
			ours, theirs := c.q, asBleve(c.q, holders)
			if stats {
				ours, theirs = &withStats{q: ours, cache: &s.stats}, &withStats{q: theirs, cache: &tw.stats}
			}
			total += compareScoresOn(t, fmt.Sprintf("%s (field lengths %v)", c.name, stats), idx, twin, ours, theirs)
		}
	}
	if total == 0 {
		t.Fatal("no query matched anything: the comparison compared nothing")
	}
	t.Logf("%d queries twice, %d matches compared", len(checks), total)

	// a partial query of several words, or a question, is a lone
	// matching, scored as bleve scores a boolean of it alone (a
	// conjunction of one): with synonyms, whose clauses take the query
	// norm of the words' clauses, this tells them apart
	lones, total := 0, 0
	texts := append([]string{"医保 报销", "两会 人大代表 建议", "一老一小 社区 服务", "双减 教师"}, questions...)
	for i, w := range words {
		if i > 0 {
			texts = append(texts, words[i-1]+" "+w)
		}
	}
	syn, err := BuiltinSynonyms()
	if err != nil {
		t.Fatal(err)
	}
	partial := func(text string) query.Query {
		q := Parse(text)
		an.ex = newExpansion(syn, q, s.Limits) // as Search does
		pq, _ := an.partial(q, &matchSink{}, false)
		return pq
	}
	for _, text := range texts {
		ours := partial(text)
		l, ok := ours.(lone)
		if !ok {
			continue
		}
		lones++
		total += compareScoresOn(t, "partial "+text, idx, twin, l, asBleve(partial(text), nil))
	}
	if lones == 0 || total == 0 {
		t.Fatalf("%d partial queries were lone, %d matches compared: the comparison compared nothing", lones, total)
	}
	t.Logf("%d partial queries, %d matches compared", lones, total)
}

// literalHolders returns the oracle of literal phrases over idx: the ids
// of the documents whose literal field holds a text, compared on the
// field's value (from the stored document, as the build makes it) folded
// by the index's character analyzer, token by token.
func literalHolders(t *testing.T, idx bleve.Index) func(field, text string) []string {
	t.Helper()
	chars := idx.Mapping().AnalyzerNamed(corpus.AnalyzerChars)
	folded := map[string]map[string]string{} // field -> id -> folded text
	for _, doc := range storedDocs(t, idx) {
		for name, v := range indexer.IndexFields(&doc) {
			s, ok := v.(string)
			if !ok || !strings.HasSuffix(name, corpus.LiteralOf("")) {
				continue
			}
			var b strings.Builder
			for _, tok := range chars.Analyze([]byte(s)) {
				b.Write(tok.Term)
			}
			if folded[name] == nil {
				folded[name] = map[string]string{}
			}
			folded[name][doc.ID] = b.String()
		}
	}
	if len(folded) == 0 {
		t.Fatal("no document has a literal field")
	}
	return func(field, text string) []string {
		var ids []string
		for id, s := range folded[field] {
			if strings.Contains(s, text) {
				ids = append(ids, id)
			}
		}
		return ids
	}
}

// literalTwin returns a new index of idx's documents, its mapping and its
// field lengths, whose literal fields are in its one segment, as bleve
// writes them (indexer.IndexFields, as documents written to a served
// generation are), where a build writes them apart.
func literalTwin(t *testing.T, idx bleve.Index) bleve.Index {
	t.Helper()
	twin, err := bleve.NewUsing(t.TempDir(), idx.Mapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	b := twin.NewBatch()
	for _, doc := range storedDocs(t, idx) {
		if err := b.Index(doc.ID, indexer.IndexFields(&doc)); err != nil {
			t.Fatal(err)
		}
	}
	if err := twin.Batch(b); err != nil { // one batch: one segment, one dictionary a field
		t.Fatal(err)
	}
	copyLengths(t, idx, twin)
	return twin
}

// copyLengths gives twin the field lengths stored in idx.
func copyLengths(t *testing.T, idx, twin bleve.Index) {
	t.Helper()
	lengths, err := idx.GetInternal([]byte(corpus.KeyFieldLengths))
	if err != nil {
		t.Fatal(err)
	}
	if err := twin.SetInternal([]byte(corpus.KeyFieldLengths), lengths); err != nil {
		t.Fatal(err)
	}
}

// storedDocs are the documents of idx, as stored.
func storedDocs(t *testing.T, idx bleve.Index) []corpus.Doc {
	t.Helper()
	res, err := idx.Search(bleve.NewSearchRequestOptions(bleve.NewMatchAllQuery(), 1<<30, 0, false))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]corpus.Doc, 0, len(res.Hits))
	for _, h := range res.Hits {
		out = append(out, storedDoc(t, idx, h.ID))
	}
	return out
}

// storedDoc is document id of idx, as stored.
func storedDoc(t *testing.T, idx bleve.Index, id string) corpus.Doc {
	t.Helper()
	d, err := idx.Document(id)
	if err != nil || d == nil {
		t.Fatalf("document %s: %v", id, err)
	}
	var doc corpus.Doc
	d.VisitFields(func(f index.Field) {
		if f.Name() == corpus.FieldStored {
			if err := json.Unmarshal(f.Value(), &doc); err != nil {
				t.Fatal(err)
			}
		}
	})
	return doc
}

// testSources are the sample and, when ../shared is there, the CPPCC
// proposals and the policy documents.
func testSources(t *testing.T) []string {
	sources := []string{"../corpus/sample"}
	for _, p := range []string{"../../shared/corpora/proposals/proposals.jsonl", "../../shared/corpora/policy"} {
		if _, err := os.Stat(p); err == nil {
			sources = append(sources, p)
		} else {
			t.Logf("without %s (the real corpora live in ../shared beside the repository)", p)
		}
	}
	return sources
}

// compareScores runs ours and theirs over idx and reports where they
// match other documents or score one differently; it returns how many
// documents theirs matched.
func compareScores(t *testing.T, name string, idx bleve.Index, ours, theirs query.Query) int {
	t.Helper()
	return compareScoresOn(t, name, idx, idx, ours, theirs)
}

// compareScoresOn is compareScores with theirs run over twin, an index of
// the same documents.
func compareScoresOn(t *testing.T, name string, idx, twin bleve.Index, ours, theirs query.Query) int {
	t.Helper()
	got, err := scores(idx, ours)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	want, err := scores(twin, theirs)
	if err != nil {
		t.Fatalf("%s (bleve): %v", name, err)
	}
	if len(got) != len(want) {
		t.Errorf("%s: %d documents, bleve %d", name, len(got), len(want))
		return len(want)
	}
	for id, w := range want {
		g, ok := got[id]
		if !ok {
			t.Errorf("%s: %s not found (bleve scores it %g)", name, id, w)
		} else if math.Abs(g-w) > 1e-12*math.Abs(w) {
			t.Errorf("%s: %s scores %.17g, bleve %.17g", name, id, g, w)
		}
	}
	return len(want)
}

// scores runs q over idx and returns the score of every match by id.
func scores(idx bleve.Index, q query.Query) (map[string]float64, error) {
	sr := bleve.NewSearchRequestOptions(q, 100000, 0, false)
	sr.SortByCustom(bsearch.SortOrder{&bsearch.SortScore{Desc: true}, &bsearch.SortDocID{}})
	res, err := idx.Search(sr)
	if err != nil {
		return nil, err
	}
	if res.Total != uint64(len(res.Hits)) {
		return nil, fmt.Errorf("total %d, %d hits", res.Total, len(res.Hits))
	}
	out := make(map[string]float64, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = h.Score
	}
	return out, nil
}

// TestAnyOfStopsWhenCancelled: anyOf reads its clauses to the end before
// it hands on a match, so it must itself stop when the search's context
// ends.
func TestAnyOfStopsWhenCancelled(t *testing.T) {
	idx, err := bleve.NewUsing(t.TempDir(), bleve.NewIndexMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	for i := range 100 {
		if err := idx.Index(fmt.Sprint(i), map[string]string{"body": "alpha beta"}); err != nil {
			t.Fatal(err)
		}
	}
	r := heldReader(t, idx)
	q := newAnyOf(termQ("body", "alpha", 0), termQ("body", "beta", 0))
	for _, cancelled := range []bool{false, true} {
		ctx, cancel := context.WithCancel(context.Background())
		if cancelled {
			cancel()
		}
		s, err := q.Searcher(ctx, r, idx.Mapping(), bsearch.SearcherOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(*anySearcher); !ok {
			t.Fatalf("searcher %T, want anyOf's own", s)
		}
		sc := &bsearch.SearchContext{DocumentMatchPool: bsearch.NewDocumentMatchPool(s.DocumentMatchPoolSize(), 0)}
		n := 0
		for {
			dm, err := s.Next(sc)
			if cancelled {
				if !errors.Is(err, context.Canceled) {
					t.Errorf("cancelled: Next gave %v, %v", dm, err)
				}
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if dm == nil {
				break
			}
			n++
		}
		if !cancelled && n != 100 {
			t.Errorf("%d matches, want 100", n)
		}
		s.Close()
		cancel()
	}
}

// TestPhraseOfAsBleveOnOddFields: phrases whose terms repeat, and fields
// with several values (a phrase lies within one), which the real index
// does not have, find what bleve's phrase query finds, scored alike; and
// on this index, scored by TF-IDF, anyOf scores as bleve's disjunction.
func TestPhraseOfAsBleveOnOddFields(t *testing.T) {
	idx, err := bleve.NewUsing(t.TempDir(), bleve.NewIndexMapping(), scorch.Name, scorch.Name, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	docs := []map[string]any{
		{"body": "p q p q p", "tags": []string{"x", "y z"}},
		{"body": "p p p", "tags": []string{"x y", "z"}},
		{"body": "q p", "tags": []string{"y", "x y z"}},
		{"body": "r s p q", "tags": []string{"z x", "y x"}},
	}
	for i, d := range docs {
		if err := idx.Index(fmt.Sprint(i), d); err != nil {
			t.Fatal(err)
		}
	}
	matched := 0
	for _, c := range []struct {
		field string
		terms []string
	}{
		{"body", []string{"p", "q", "p"}}, {"body", []string{"q", "p", "q"}}, {"body", []string{"p", "p"}},
		{"body", []string{"p", "p", "p"}}, {"body", []string{"p", "q"}}, {"body", []string{"s", "r"}},
		{"tags", []string{"x", "y"}}, {"tags", []string{"y", "z"}}, {"tags", []string{"z", "x"}}, {"tags", []string{"x", "y", "z"}},
	} {
		q := &phraseOf{field: c.field, terms: c.terms, boost: 2}
		matched += compareScores(t, fmt.Sprint(c.field, c.terms), idx, q, asBleve(q, nil))
	}
	t.Logf("%d matches", matched)
	if matched < 10 {
		t.Errorf("only %d matches: the cases test little", matched)
	}
	// an index without field lengths, as older builds are, is searched by
	// bleve's own statistics
	plain := New(idx, Options{})
	if ok, err := plain.HasFieldLengths(); ok || err != nil {
		t.Errorf("HasFieldLengths: %v, %v for an index without them", ok, err)
	}
	if st, err := readStats(snapshotOf(t, idx), idx.Mapping()); st != nil || err != nil {
		t.Errorf("statistics %v, %v for an index without field lengths", st, err)
	}
	q := newAnyOf(termQ("body", "p", 1.5), termQ("body", "s", 0), termQ("tags", "x", 2), termQ("tags", "none", 1))
	if n := compareScores(t, "anyOf", idx, q, asBleve(q, nil)); n < 4 {
		t.Errorf("anyOf: %d matches, want 4", n)
	}
	// as a should clause beside a must, one clause must match, also where
	// anyOf leaves the search to bleve's disjunction (explanations)
	b := bleve.NewBooleanQuery()
	b.AddMust(termQ("body", "p", 0))
	b.Should = newAnyOf(termQ("body", "r", 0), termQ("tags", "none", 0))
	for _, explain := range []bool{false, true} {
		sr := bleve.NewSearchRequest(b)
		sr.Explain = explain
		res, err := idx.Search(sr)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != 1 { // every document has p, only the last r
			t.Errorf("must p, should r (explain %v): %d documents, want 1", explain, res.Total)
		}
	}
}

// snapshotOf returns the reader a search of idx reads.
func snapshotOf(t *testing.T, idx bleve.Index) index.IndexReader {
	t.Helper()
	var r index.IndexReader
	if _, err := idx.Search(bleve.NewSearchRequest(&readerOf{func(x index.IndexReader) { r = x }})); err != nil {
		t.Fatal(err)
	}
	return r
}

// readerOf is a query that hands over the reader it is searched with.
type readerOf struct{ f func(index.IndexReader) }

func (q *readerOf) Searcher(ctx context.Context, r index.IndexReader, m mapping.IndexMapping, o bsearch.SearcherOptions) (bsearch.Searcher, error) {
	q.f(r)
	return bleve.NewMatchNoneQuery().Searcher(ctx, r, m, o)
}
