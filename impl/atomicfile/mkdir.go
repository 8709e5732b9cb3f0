package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"
)

// MkdirAll creates dir and its missing parents with mode perm, durably: it
// then syncs the parent of every directory it created, top-down, so that
// the new directories survive a power failure. When dir exists it writes
// nothing (a Stat per level is all it does).
//
// Operations: Stat of dir and of each missing ancestor (reads), then
// MkdirAll(dir, perm), then SyncDir of the parent of each created
// directory, outermost first.
//
// Crash contract: a crash before the syncs complete may lose the new
// directories on power failure; nothing inside them has been promised
// durable yet (callers write into dir only after MkdirAll returns, and
// Write syncs dir itself). Retrying is safe.
func MkdirAll(fsys afero.Fs, dir string, perm os.FileMode) error {
	dir = filepath.Clean(dir)
	var missing []string // dir first, outermost missing ancestor last
	for d := dir; ; d = filepath.Dir(d) {
		_, err := fsys.Stat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("mkdir %s: %w", dir, err)
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := fsys.MkdirAll(dir, perm); err != nil {
		return fmt.Errorf("mkdir %s: %w", dir, err)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := SyncDir(fsys, filepath.Dir(missing[i])); err != nil {
			return fmt.Errorf("mkdir %s: %w", dir, err)
		}
	}
	return nil
}
