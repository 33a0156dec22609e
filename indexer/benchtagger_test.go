package indexer_test

import (
	"minsheng/indexer"
	"minsheng/indexer/taxonomy"
)

func init() {
	indexer.NewBenchTagger = func() (indexer.Learner, error) {
		tax, err := taxonomy.LoadTaxonomy("")
		if err != nil {
			return nil, err
		}
		return taxonomy.NewClassifier(tax)
	}
}
