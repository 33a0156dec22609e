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
}

// SetDefaults sets the limits' defaults (Limits.SetDefaults), the zone and
// the clock when they are nil. New calls it.
func (o *Options) SetDefaults() {
	o.Limits.SetDefaults()
	if o.Zone == nil {
		o.Zone = corpus.CST()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}
