// Package search answers staff's questions from an index generation: it
// turns what they type into a bleve query, ranks the matches, counts the
// facets, highlights the matched words, finds similar documents and computes
// the analytics behind the charts and reports. It knows nothing of HTTP (the
// web layer maps a URL onto a Request) and nothing of how the index was
// built: main opens a generation and hands its bleve.Index to New.
//
// # A tour
//
// A Searcher wraps one open index:
//
//	s := search.New(live.Index(), search.Options{}) // zero Options: the defaults (Limits, Keywords, Zone)
//	res, err := s.Search(ctx, search.Request{Query: "乡村振兴 -旅游", Size: 10})
//	for _, h := range res.Hits {
//		fmt.Println(h.ID, h.Title, h.Snippet) // Snippet holds <mark>…</mark>
//	}
//
// The query language (Parse) reads words, "quoted phrases" that match as
// exact substrings of the folded text, -exclusions, field:value prefixes
// (title:, 代表团:, 承办单位: …) and OR; Request.Filters narrows by facet
// values and dates; Result.Facets counts the values of every facet over all
// matches, not only the page shown.
//
// Ranking is BM25 over the jieba words of title, body and reply (title
// weighted above body), with the character-pair field standing in where
// jieba's words do not match what was typed. Highlights come from the stored
// text and the query's own analysis, so a highlight marks what matched.
//
// Beside Search: Document reads one stored document; Similar finds the
// documents closest to one document or to a pasted draft (建议查重); Trends,
// TopKeywords, Units and Topics compute the analytics pages' figures, each
// over the same Request, so a chart counts what a search would list.
//
// # Costs and limits
//
// Every request is bounded by Limits (query length and terms, page size and
// depth, facet size, time). A request past a limit is an error wrapping
// errs.Invalid, which the web layer answers with a 400 naming the limit.
// Per-generation columns (dates, topics, kinds) are read once and cached per
// index snapshot, so facet counts and analytics do not load stored documents.
package search
