package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"minsheng/errs"
)

func TestKinds(t *testing.T) {
	running := errs.New(errs.Conflict, "a reindex job is already running")
	wrapped := fmt.Errorf("start: %w", running)
	for _, tt := range []struct {
		err  error
		kind error
		text string
	}{
		{running, errs.Conflict, "a reindex job is already running"},
		{wrapped, errs.Conflict, "start: a reindex job is already running"},
		{fmt.Errorf("%w: page 0", errs.Invalid), errs.Invalid, "invalid request: page 0"},
	} {
		if !errors.Is(tt.err, tt.kind) {
			t.Errorf("%q is not of kind %v", tt.err, tt.kind)
		}
		if tt.err.Error() != tt.text {
			t.Errorf("text %q, want %q", tt.err, tt.text)
		}
		for _, other := range []error{errs.Invalid, errs.NotFound, errs.Conflict, errs.Unavailable} {
			if other != tt.kind && errors.Is(tt.err, other) {
				t.Errorf("%q is also of kind %v", tt.err, other)
			}
		}
	}
	if !errors.Is(wrapped, running) {
		t.Error("a wrapped sentinel is not itself")
	}
}
