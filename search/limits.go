package search

import "time"

// DefaultTimeout is the budget of one search when Limits.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// Limits bound the cost of one request. The zero value means the defaults
// (SetDefaults). The YAML names are those of the limits section of
// Minsheng's configuration file, which holds this struct as it is.
type Limits struct {
	MaxQueryLen int `yaml:"max_query_len" help:"longest query, in characters"`
	// MaxTerms counts words, phrases and field:values of a query, OR'ed
	// ones included.
	MaxTerms int `yaml:"max_query_terms" help:"most words, phrases and field:values in one query, OR'ed ones included"`
	// MaxPrefixChars is how many single characters of one query are
	// searched inside any word (as the prefix of every bigram they start,
	// the costly kind of term: about 0.6 s for 的 over 64,000 news);
	// further ones match as words.
	MaxPrefixChars int `yaml:"max_prefix_chars" help:"single characters of one query searched inside any word; more match as words"`
	MaxDraftLen    int `yaml:"max_draft_len" help:"longest draft for similar documents, in characters"`
	MaxSize        int `yaml:"max_size" help:"largest page size"`
	// MaxPageDepth bounds page*size; deeper is refused: use After.
	MaxPageDepth int `yaml:"max_page_depth" help:"deepest result reachable by page and size"`
	MaxFacetSize int `yaml:"max_facet_size" help:"most values a facet returns"`
	// Timeout is the budget of one search. The configuration file's
	// search_timeout sets it, and also how long a request waits for a
	// search slot in the web server, which owns the setting.
	Timeout time.Duration `yaml:"-"`
}

// SetDefaults sets every zero (or negative) limit to its default: the one
// place the search's defaults are written. New calls it.
func (l *Limits) SetDefaults() {
	if l.MaxQueryLen <= 0 {
		l.MaxQueryLen = 1000
	}
	if l.MaxTerms <= 0 {
		l.MaxTerms = 32
	}
	if l.MaxPrefixChars <= 0 {
		l.MaxPrefixChars = 2
	}
	if l.MaxSize <= 0 {
		l.MaxSize = 100
	}
	if l.MaxPageDepth <= 0 {
		l.MaxPageDepth = 10000
	}
	if l.MaxFacetSize <= 0 {
		l.MaxFacetSize = 100
	}
	if l.MaxDraftLen <= 0 {
		l.MaxDraftLen = 50000
	}
	if l.Timeout <= 0 {
		l.Timeout = DefaultTimeout
	}
}
