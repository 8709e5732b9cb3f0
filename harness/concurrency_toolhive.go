package harness

import (
	"context"
	"os"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/thconfig"
)

// ToolHive's own processes, simulated for the concurrency phase: its config
// writer and its secrets writer. Both run on a simulated process (a
// faults.FS under the scheduler), so each of their filesystem operations
// and lock attempts is a scheduling point like the target's.

// toolhiveUpdateConfig is ToolHive v0.47.0's config.UpdateConfigAtPath on
// fsys, setting the top-level string field to value: thconfig.UpdateAtPath,
// the simulation derived from ToolHive's own Config struct (lock
// config.yaml.lock, load or create, decode into the struct, apply the
// change, encode, os.WriteFile in place, unlock). Like ToolHive it drops
// every field its Config does not know and re-renders the ones it does;
// the concurrency model predicts the same document (toolhiveSetText), so a
// field that goes missing beyond that is the other writer's doing.
func toolhiveUpdateConfig(ctx context.Context, fsys afero.Fs, field, value string) error {
	return thconfig.UpdateAtPath(ctx, fsys, fixture.ConfigPath, thconfig.SetString(field, value))
}

// toolhiveFs is the filesystem as ToolHive's secrets writer locks it: it
// takes only the sidecar lock file "<store>.lock" (pkg/fileutils.
// WithFileLock), never scopemig's directory lock, so once opened the
// directory locks of fslock.Acquire are no-ops here and lock names ending
// in ".lock" reach the disk. While dirLocks is set (during encfile.Open,
// which removes a crashed write's temp file, something ToolHive never
// does) the directory lock is taken too.
type toolhiveFs struct {
	afero.Fs
	locks    fslock.Locker
	dirLocks bool
}

var _ fslock.Locker = (*toolhiveFs)(nil)

// Lock implements fslock.Locker: lock files only (and directories while
// dirLocks).
func (t *toolhiveFs) Lock(ctx context.Context, name string) (func() error, error) {
	if !t.dirLocks && !strings.HasSuffix(name, ".lock") {
		return func() error { return nil }, nil
	}
	return t.locks.Lock(ctx, name)
}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (t *toolhiveFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := t.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := t.Stat(name)
	return fi, false, err
}

// openToolHiveSecrets opens ToolHive's secrets writer on a simulated
// process: the ToolHive-format store at path, written the way v0.47.0's
// EncryptedManager writes it (under "<store>.lock" only; each write one
// read-modify-write and one atomic replace). proc must provide locks.
func openToolHiveSecrets(proc interface {
	afero.Fs
	fslock.Locker
}, path string) (secrets.Provider, error) {
	t := &toolhiveFs{Fs: proc, locks: proc, dirLocks: true}
	p, err := encfile.Open(t, path, []byte(fixture.TestPassword), encfile.WithRand(simNonces()))
	t.dirLocks = false // the simulated process is single-threaded under the scheduler
	return p, err
}
