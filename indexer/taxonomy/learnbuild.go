package taxonomy

import (
	"context"
	"fmt"

	"minsheng/corpus"
	"minsheng/indexer"
)

// Learn reads the sources once and trains a model on the labelled
// documents among them (see Classifier.Example: given topics, mapped
// categories, staff corrections); it returns the classifier with that
// model, or the classifier as it is when no document is labelled. Bad
// records are left to the build to report. The model depends on the
// documents and their labels only, not on the order they are read in.
//
// The segmenter loads (jieba's dictionaries, 1.7 s, unless they are
// loaded already) while the sources are read, on a core of its own: on
// news-2023, Learn took 3.4-3.9 s so, 4.9-5.1 s loading them first. (A
// build loads the same dictionaries for its mapping, and learns meanwhile:
// see indexer's prepareBuild.)
func (c *Classifier) Learn(ctx context.Context, sources []string, read corpus.Options) (indexer.Learner, error) {
	loaded := make(chan error, 1)
	go func() { loaded <- LoadSegmenter() }()
	var ex []Example
	read.Progress, read.File = nil, nil
	read.Only = c.exampleFields()
	_, err := corpus.Walk(ctx, sources, read, func(d corpus.Doc) error {
		if e, ok := c.Example(&d); ok {
			ex = append(ex, e)
		}
		return nil
	}, func(corpus.Problem) {})
	if lerr := <-loaded; lerr != nil {
		return nil, lerr
	}
	if err != nil {
		return nil, fmt.Errorf("learn topics: %w", err)
	}
	return c.WithModel(c.Train(ex)), nil
}

// A Classifier is what a build takes as its Tagger.
var _ indexer.Learner = (*Classifier)(nil)

// exampleFields are the fields of which a document must have one to be an
// Example (Classifier.Example): its given topics, or its source category
// when the taxonomy maps categories; nil, every document, when staff
// corrected topics, since a corrected document needs neither. A walk that
// learns then decodes only the records that name them: none of news-2023's
// 63,668 (BenchmarkLearnNews: 2.3-2.5 s a walk before, 1.5 s after).
func (c *Classifier) exampleFields() []string {
	if c.corrections != nil {
		// a source that cannot say it is empty may hold any document
		if cs, ok := c.corrections.(interface{ Len() int }); !ok || cs.Len() > 0 {
			return nil
		}
	}
	fields := []string{"topics"}
	if len(c.tax.Categories) > 0 {
		fields = append(fields, "category")
	}
	return fields
}
