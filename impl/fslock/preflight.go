package fslock

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/internal/cleanpath"
)

// PreflightFile checks, writing nothing, that AcquireFile(…, path) can open
// the lock file: on a real filesystem an existing path must be a regular
// file (ErrNotRegular: a symlink, a FIFO…) that this process may read and
// write; a missing one is created by AcquireFile, which needs a writable
// directory (atomicfile.Preflight checks that). On any other filesystem
// AcquireFile creates nothing, so there is nothing to check.
func PreflightFile(fsys afero.Fs, path string) error {
	path = cleanpath.Clean(path)
	rp := path
	switch fs := fsys.(type) {
	case *afero.OsFs:
	case *afero.BasePathFs:
		var err error
		if rp, err = fs.RealPath(path); err != nil {
			return fmt.Errorf("lock file %q: %w", path, err)
		}
		isOS, err := basePathIsOS(fs, filepath.Dir(path))
		if err != nil || !isOS {
			return nil // AcquireFile reports a missing directory itself
		}
	default:
		return nil
	}
	if err := preflightLockFile(rp); err != nil {
		return fmt.Errorf("lock file %q: %w", path, err)
	}
	return nil
}
