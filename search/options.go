package search

import (
	"time"

	"minsheng/corpus"
)

// Options are what a Searcher is made with (New): everything it is
// configured by, given once at construction. The zero value means the
// defaults (SetDefaults).
type Options struct {
	Limits Limits
	// Keywords extracts the weighted keywords of a text, for similar
	// documents, keyword analytics and promise tracking; nil leaves those
	// unavailable.
	Keywords KeywordFunc
	// Zone is the service's time zone, whose calendar day tells whether a
	// suggestion is overdue; nil means China Standard Time (corpus.CST).
	Zone *time.Location
	// Now is the clock of overdue; nil means time.Now.
	Now func() time.Time
	// PostingsCacheMB is the memory of the postings cache (postcache.go),
	// in MB; 0 or less: none. The garbage collector's headroom and the
	// churn of a cache smaller than what the searches touch make the
	// process grow by several times as much (16 MB: about 95 MB more
	// anonymous memory on the news load under serve's gc_percent 400, for
	// 3-14% more requests/s).
	PostingsCacheMB int
	// ResultCacheMB is the memory the results of the snapshot being
	// served may take (resultcache.go), in MB: 0 means
	// DefaultResultCacheMB, less than 0 none.
	ResultCacheMB int
}

// SetDefaults sets the limits' defaults (Limits.SetDefaults), the zone and
// the clock when they are nil, and the result cache's memory when it is
// 0. New calls it.
func (o *Options) SetDefaults() {
	o.Limits.SetDefaults()
	if o.Zone == nil {
		o.Zone = corpus.CST()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ResultCacheMB == 0 {
		o.ResultCacheMB = DefaultResultCacheMB
	}
}
