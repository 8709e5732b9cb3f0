package config

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// PreflightSetMigrated checks, writing nothing and taking no lock, that
// SetMigrated is expected to succeed, so that a migration can refuse before
// it rewrites the store rather than fail after it. It fails when the file
// is invalid (ErrInvalidConfig) and, unless the flag is already set (then
// SetMigrated writes nothing), when atomicfile.Preflight fails for the file
// (its directory, or the nearest existing ancestor when it is missing, is
// not writable; the file is not a regular file or its owner cannot be kept;
// the temp name holds something a crashed write cannot have left) or
// fslock.PreflightFile fails for ToolHive's lock file "<config>.lock". A
// config that is a symlink is checked as SetMigrated writes it: its target
// (atomicfile.Resolve), and the link's directory for the lock file.
// A full disk or an I/O error during the write itself cannot be foreseen.
func (f Flag) PreflightSetMigrated(ctx context.Context) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return err
	}
	if _, done, err := f.render(raw); err != nil || done {
		return err
	}
	if err := atomicfile.Preflight(f.Fs, raw.target); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	if raw.target != f.Path { // a link: the lock file is created next to it
		if err := atomicfile.PreflightDir(f.Fs, filepath.Dir(f.Path)); err != nil {
			return fmt.Errorf("config %s: %w", f.Path, err)
		}
	}
	// ToolHive's config lock file (it locks "<config>.lock").
	if err := fslock.PreflightFile(f.Fs, f.Path+LockFileSuffix); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	return nil
}
