package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// SyncMigrated makes the config as it is durable, changing nothing: it
// syncs the file, then its directory (the entry a replacing rename made).
// A run that finds the flag set calls it before it reports the migration
// done: the run that set the flag may have failed after its rename and
// before its directory sync, leaving a flag that a power cut takes back
// although a later run already said "done". A missing file is nothing to
// sync. It takes no lock and writes no byte.
//
// Crash contract: nothing is changed at any step; after an error, the
// flag may still be only in the page cache, and a retry is safe.
func (f Flag) SyncMigrated(ctx context.Context) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	res, err := atomicfile.Resolve(f.Fs, f.Path) // a link: sync its target and the target's directory
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	err = atomicfile.SyncFile(f.Fs, res.Target)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	if err := atomicfile.SyncDir(f.Fs, filepath.Dir(res.Target)); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	return nil
}
