// Package errs holds the kinds of error that callers branch on, one set
// for every package: a bad request (Invalid), something that does not
// exist (NotFound), a request that clashes with the state it finds
// (Conflict), and a service that cannot answer now (Unavailable). The web
// layer maps each kind to one HTTP status, in one table (statusOf).
//
// A package says what went wrong in its own words and marks the kind:
//
//	return fmt.Errorf("%w: %q is not a generation name", errs.Invalid, name)
//
// or, for a sentinel callers also test for itself,
//
//	var ErrJobRunning = errs.New(errs.Conflict, "a reindex job is already running")
//
// It imports nothing of ours and sits below every package that needs it.
package errs

import "errors"

// The kinds of error.
var (
	// Invalid: the request is malformed or asks for what cannot be (400).
	Invalid = errors.New("invalid request")
	// NotFound: what the request names does not exist (404).
	NotFound = errors.New("not found")
	// Conflict: the request clashes with the state it finds, such as a
	// job already running or a stale version (409).
	Conflict = errors.New("conflict")
	// Unavailable: the service cannot answer now; later it may (503).
	Unavailable = errors.New("unavailable")
)

// New returns an error whose text is msg and whose kind is kind:
// errors.Is(New(kind, msg), kind) is true.
func New(kind error, msg string) error { return &kinded{kind: kind, msg: msg} }

type kinded struct {
	kind error
	msg  string
}

func (e *kinded) Error() string { return e.msg }

// Unwrap returns the kind, for errors.Is.
func (e *kinded) Unwrap() error { return e.kind }
