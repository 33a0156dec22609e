//go:build race

package analysis

// raceDetector: the race detector's shadow memory roughly doubles what the
// heap takes, so memory bounds of tests allow for it.
const raceDetector = true
