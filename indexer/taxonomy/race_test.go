//go:build race

package taxonomy

// raceEnabled: the race detector slows training the topic model about
// tenfold (TestTopicsEvalProposals, which trains 36 models on one
// goroutine: 11 s without it, 108 s with it); the cross-validated
// evaluation runs in make test's step without -race instead.
const raceEnabled = true
