// Package taxonomy tags documents with topics: a Taxonomy (topics with
// weighted keywords and phrases, read from YAML that staff edit; the
// built-in one is default.yaml), the Classifier that scores a document's
// title and body against it, a model learned from labelled documents
// (Learn, Train, Evaluate), and the corrections staff make, kept under
// DATA/topics (OpenCorrections).
//
//	tax, err := taxonomy.DefaultTaxonomy() // or LoadTaxonomy(path)
//	...
//	c, err := taxonomy.NewClassifier(tax)
//	c.Tag(&doc) // given topics made canonical, inferred ones added
//
// A Classifier is the Tagger (and Learner) of indexer.BuildOptions; Explain
// says why a document has its topics. It imports corpus, analysis (for
// folding) and indexer (for the Learner it returns from Learn).
package taxonomy
