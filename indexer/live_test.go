package indexer

import (
	"sync/atomic"
	"testing"
	"time"
)

// TestCloseWaitsForOnSwitch: the goroutine that runs an OnSwitch callback
// is Live's; Close returns only once the callback has.
func TestCloseWaitsForOnSwitch(t *testing.T) {
	data := t.TempDir()
	buildOnce(t, data, BuildOptions{Sources: []string{"../corpus/sample"}})
	live, err := OpenLive(data)
	if err != nil {
		t.Fatal(err)
	}
	release, called := make(chan struct{}), make(chan struct{})
	var done atomic.Bool
	live.OnSwitch(func(string) {
		close(called)
		<-release
		done.Store(true)
	})
	second := buildOnce(t, data, BuildOptions{Sources: []string{"../corpus/sample"}})
	if err := live.Switch(second.Name); err != nil {
		t.Fatal(err)
	}
	<-called
	closed := make(chan bool, 1)
	go func() {
		if err := live.Close(); err != nil {
			t.Error(err)
		}
		closed <- done.Load()
	}()
	select {
	case <-closed:
		t.Fatal("Close returned while the OnSwitch callback was still running")
	case <-time.After(200 * time.Millisecond): // Close is waiting, as it should
	}
	close(release)
	if !<-closed {
		t.Error("Close returned before the OnSwitch callback did")
	}
}
