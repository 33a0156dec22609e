package export

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"minsheng/corpus"
	"minsheng/errs"
	"minsheng/search"
)

// fakeSearcher serves n documents made by hit, in order, paging with
// After the way search.Searcher does: the sort value of hit i is i.
type fakeSearcher struct {
	n      int
	hit    func(i int) search.Hit
	facets map[string][]search.Count
	// onPage, when set, runs before each page is answered; page counts from 1.
	onPage func(ctx context.Context, page int) error

	mu    sync.Mutex // guards calls
	calls []search.Request
}

func (f *fakeSearcher) Search(ctx context.Context, r search.Request) (*search.Result, error) {
	f.mu.Lock()
	f.calls = append(f.calls, r)
	page := len(f.calls)
	f.mu.Unlock()
	if f.onPage != nil {
		if err := f.onPage(ctx, page); err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if r.Size < 1 || r.Page != 1 {
		return nil, fmt.Errorf("%w: fake wants page 1 and a size, got page %d size %d", errs.Invalid, r.Page, r.Size)
	}
	start := 0
	if r.After != nil {
		k, err := strconv.Atoi(r.After[0])
		if err != nil {
			return nil, err
		}
		start = k + 1
	}
	end := min(start+r.Size, f.n)
	res := &search.Result{Total: uint64(f.n), Page: 1, Size: r.Size, Hits: make([]search.Hit, 0, max(0, end-start))}
	for i := start; i < end; i++ {
		h := f.hit(i)
		h.Sort = []string{strconv.Itoa(i)}
		res.Hits = append(res.Hits, h)
	}
	if !r.NoFacets {
		res.Facets = f.facets
	}
	return res, nil
}

func (f *fakeSearcher) requests() []search.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]search.Request(nil), f.calls...)
}

// synthetic is a small document: a suggestion or a news item by parity.
func synthetic(i int) search.Hit {
	d := &corpus.Doc{
		ID: fmt.Sprintf("d-%07d", i), Kind: corpus.KindNews, Title: fmt.Sprintf("标题 %d", i),
		Body: fmt.Sprintf("第 %d 篇的正文。", i), Date: time.Date(2020+i%4, 3, 1+i%28, 0, 0, 0, 0, corpus.CST()),
		Source: "测试", Topics: []string{[]string{"教育", "医疗", "交通"}[i%3]},
	}
	if i%2 == 0 {
		d.Kind, d.Number, d.Author, d.Delegation = corpus.KindSuggestion, fmt.Sprintf("第%d号", i), "代表甲", "兰州代表团"
		d.Units = []string{[]string{"省教育厅", "省卫生健康委"}[i/2%2]}
		d.Status = []string{"已办结", "办理中", "已答复"}[i%3]
		d.KeySupervised = i%10 == 0
	}
	return hitOfDoc(d)
}

// hitOfDoc is a search hit of d, as search.Searcher makes it.
func hitOfDoc(d *corpus.Doc) search.Hit {
	h := search.Hit{ID: d.ID, Kind: d.Kind, Title: d.Title, Topics: d.AllTopics(), Number: d.Number,
		Session: d.Session, Author: d.Author, Delegation: d.Delegation, Units: d.Units, Status: d.Status,
		KeySupervised: d.KeySupervised, Source: d.Source, URL: d.URL, Doc: d}
	if !d.Date.IsZero() {
		h.Date = d.Date.In(corpus.CST()).Format(time.DateOnly)
	}
	return h
}
