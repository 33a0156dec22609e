package reindex

import (
	"errors"
	"fmt"

	"minsheng/indexer"
)

// swap serves the new generation, then deletes generations beyond Keep.
// When it cannot, CURRENT goes back to what is being served.
func (j *Jobs) swap(man *indexer.Manifest, opt indexer.BuildOptions) error {
	prev := j.live.Generation()
	restore := func() {
		if prev == "" {
			return
		}
		if err := indexer.Activate(j.dataDir, prev); err != nil {
			j.log.Error("restore CURRENT", "generation", prev, "err", err)
		}
	}
	// discard removes the new generation that will never serve, so that it
	// takes no place among the kept ones.
	discard := func() {
		if err := indexer.RemoveUnused(j.dataDir, man.Name, j.log); err != nil {
			j.log.Warn("remove the generation of a failed job", "generation", man.Name, "err", err)
		}
	}
	if man.Docs == 0 && prev != "" {
		restore()
		discard()
		return fmt.Errorf("%w: generation %s is empty; still serving %s", ErrEmptyBuild, man.Name, prev)
	}
	if err := j.live.Switch(man.Name); err != nil {
		restore()
		if prev != "" {
			discard()
		}
		return fmt.Errorf("serve generation %s: %w", man.Name, err)
	}
	// prev served until now: kept for rollback, however many jobs follow
	err := indexer.Prune(j.dataDir, opt.Keep, opt.Logger, prev)
	if err != nil && !errors.Is(err, indexer.ErrBuildRunning) {
		j.log.Warn("prune old generations", "err", err)
	}
	return nil
}
