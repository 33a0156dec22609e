// Package indexer makes and serves index generations: it reads the sources
// (through corpus), analyses them (indexer/analysis), tags their topics
// (indexer/taxonomy), writes a complete bleve index beside the one being
// served, and swaps it in only when it is complete and verified. It also
// keeps the live documents that staff add and change through the API: each
// change is fsynced to a write-ahead log (indexer/wal) before it is
// acknowledged, applied to the served generation at once, and replayed by
// every later build. Reindex jobs and schedules live in indexer/reindex.
//
// # A tour
//
// Build a generation from files and folders of sources, then serve it:
//
//	man, err := indexer.Build(ctx, dataDir, indexer.BuildOptions{
//		Sources: []string{"corpus/sample"},
//		Tagger:  classifier, // optional: a taxonomy.Classifier tags topics
//	})
//	live, err := indexer.OpenLive(dataDir)
//	defer live.Close()
//	s := search.New(live.Index(), search.Options{}) // package search reads it
//
// A data folder holds CURRENT (the name of the generation served),
// generations/NAME/ (each a bleve index and its manifest.json: documents,
// skipped records and why, sources, dictionary hash, taxonomy version and
// model), and build.lock, held while a build runs; a second build in the
// same folder gets ErrBuildRunning. A failed or cancelled build removes its
// partial folder; a crash leaves NAME.tmp, which the next build removes.
// Live.Switch moves the served alias to another generation without a
// search seeing a half-open index; Prune keeps the last few generations,
// the current one and those it is told to protect (reindex jobs protect
// the one served before their swap), for rollback.
//
// For live documents open the folder with OpenLiveDocs: the Docs it returns
// writes changes (Write), answers their versions and history, and hands
// its log to every Build through BuildOptions.Changes.
package indexer
