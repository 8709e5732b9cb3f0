package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// Flag is the migration flag in the YAML config file Path on Fs. Fs and
// Path are required. Flag is a value type: copies share the file (and the
// Cache).
type Flag struct {
	Fs   afero.Fs
	Path string
	// Cache, when not nil, is shared by every Flag given it: a config
	// content parsed once is not parsed again (see Cache). Nil, the
	// default, parses every read.
	Cache *Cache
}

// dirPerm is the mode of a config directory SetMigrated creates.
const dirPerm = 0o700

func (f Flag) check(ctx context.Context) error {
	if f.Fs == nil || f.Path == "" {
		return ErrInvalidFlag
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	return nil
}

// Migrated reports whether the config records a completed migration. A
// missing file or a missing Key is false. An unreadable file, a file that
// is not regular (a directory, a symlink), garbage YAML, a top level that
// is not a mapping, or a Key that is not a boolean fail with an error
// wrapping ErrInvalidConfig. It writes nothing and takes no lock (taking
// ToolHive's would create its lock file). scopemig's writers replace the
// file atomically, but ToolHive rewrites it in place: a read during that
// write can see it empty (not migrated: the caller goes on, and
// SetMigrated rereads under the lock) or, for a write larger than one
// write(2), cut short (an error; nothing is written).
func (f Flag) Migrated(ctx context.Context) (bool, error) {
	if err := f.check(ctx); err != nil {
		return false, err
	}
	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return false, err
	}
	c := f.Cache
	if c != nil {
		if done, _, ok := c.get(raw.data); ok {
			return done, nil
		}
	}
	d, err := raw.parse()
	if err != nil {
		return false, err
	}
	done, err := d.migrated() // parse checked that it decodes
	if err == nil && c != nil {
		c.put(raw.data, done, nil)
	}
	return done, err
}

// LockFileSuffix is appended to the config path to name ToolHive's config
// lock file ("config.yaml.lock"): ToolHive v0.47.0's UpdateConfigAtPath
// holds a flock on it for its whole read-modify-write.
const LockFileSuffix = ".lock"

// SetMigrated records the completed migration. It first reads and
// validates the file without any lock: an invalid file fails with
// ErrInvalidConfig, and a file whose Key is already true returns nil
// once SyncMigrated made it durable, both having written nothing at all
// (the run that set it may have failed before its directory sync, and a
// nil return promises a durable flag). Otherwise it takes the lock of the
// file's directory, then ToolHive's config lock (fslock.AcquireFile on
// Path+LockFileSuffix, the lock UpdateConfigAtPath takes, so neither
// writer's read-modify-write can interleave with the other's), rereads and
// revalidates the file, and, unless Key became true meanwhile, sets Key to
// true (in place, or appended to the top-level mapping), keeping every
// other field, their order and comments, and replaces the file in one
// atomicfile.Write with the file's existing permission bits (0600 for a
// new file). A Path that is a symlink atomicfile.Resolve finds safe is
// followed: the directory lock and the replace are those of the target's
// directory (the link stays a link), ToolHive's lock stays
// Path+LockFileSuffix next to the link, where UpdateConfigAtPath takes it;
// an unsafe link fails with atomicfile.ErrUnsafeLink before any write. A
// missing directory is created with mode 0700; a missing file
// is created. On a real filesystem the lock file is created when missing
// and never removed (see impl/fslock). Immediately before its rename it
// checks (atomicfile.WriteGuarded) that the lock file is still the one it
// locked, that the file it read still holds what it read, and (Linux) that
// no process has it open for writing; when one of them fails (ToolHive's
// lock-file race let a ToolHive writer in, see impl/fslock) nothing is
// renamed and the locked read-modify-write is redone, at most
// lockFileAttempts times, then SetMigrated fails with ErrLockFileUnstable
// or ErrConfigBusy. A write in place that lands between that check and
// the rename is reported after it (ErrConcurrentWrite).
//
// Crash contract: the config holds either its old content or the new one
// (atomicfile.Write), never a mix; after a nil return the flag is durable.
// After an error the flag may or may not be set (only if the error came
// after the rename); retrying is safe and idempotent. An invalid file fails
// with ErrInvalidConfig before anything is written (should it turn invalid
// between the first read and the locked one, the lock file is the only
// write).
func (f Flag) SetMigrated(ctx context.Context) error {
	_, err := f.SetMigratedReport(ctx)
	return err
}

// SetMigratedReport is SetMigrated, and reports whether this call wrote the
// file: false when the flag was already set, by an earlier run or by a
// concurrent one between the caller's read and this call (the caller must
// not then claim the write). It implements migrate.FlagWriteReporter.
func (f Flag) SetMigratedReport(ctx context.Context) (wrote bool, err error) {
	if err := f.check(ctx); err != nil {
		return false, err
	}
	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return false, err
	}
	if _, done, err := f.render(raw); err != nil {
		return false, err
	} else if done {
		// Set already, maybe by a run that failed before making it durable:
		// a nil return promises a durable flag (SyncMigrated writes no byte).
		return false, f.SyncMigrated(ctx)
	}
	// The directory of the file replaced: the link's target's when the
	// config is a symlink (setLocked rechecks it under the lock).
	dir := filepath.Dir(raw.target)
	redo := ErrLockFileUnstable
	for range lockFileAttempts {
		settled, w, err := f.setLocked(ctx, dir, &redo)
		wrote = wrote || w
		if err == nil && settled && !wrote {
			err = f.SyncMigrated(ctx) // a concurrent run set it: make sure it is durable
		}
		if err != nil || settled {
			return wrote, err
		}
	}
	return wrote, fmt.Errorf("config %s: %w", f.Path, redo)
}

// lockFileAttempts bounds SetMigrated's retries when ToolHive's lock file
// is replaced while scopemig holds it (see setLocked).
const lockFileAttempts = 8

// setLocked is one locked read-modify-write of SetMigrated; wrote is true
// when it replaced the file. settled is false when the caller must redo
// it: ToolHive's lock file was removed or replaced while held (the lock
// may then not have excluded a ToolHive process), or the config was
// written or held open for writing since the read; *redo then names the
// reason (the error SetMigrated returns once its attempts are spent).
// Before the rename nothing was written; after it, the redo rereads and
// rewrites only if a concurrent ToolHive write dropped the flag.
//
// Why: ToolHive v0.47.0 unlocks its lock file and then removes it. A
// waiter granted the flock between the two holds an inode that loses its
// name a moment later, and ToolHive's next update locks a new file: both
// run at once. fslock.AcquireFile checks the name right after locking; the
// checks here, after the read and immediately before the rename (guard),
// catch a removal that came after that check, and a ToolHive write that
// the lock did not exclude at all (it held a removed inode). The check
// after the rename catches a removal in between (a redo, which restores
// a dropped flag) and a write in place in between (ErrConcurrentWrite).
func (f Flag) setLocked(ctx context.Context, dir string, redo *error) (settled, wrote bool, err error) {
	release, stable, err := f.lock(ctx, dir)
	if err != nil {
		return false, false, err
	}
	defer func() { _ = release() }()

	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return false, false, err
	}
	if filepath.Dir(raw.target) != dir { // the link was re-pointed meanwhile
		return false, false, fmt.Errorf("config %s: %w", f.Path, ErrLinkMoved)
	}
	out, done, err := f.render(raw)
	if err != nil || done {
		return true, false, err
	}
	if !stable() {
		*redo = ErrLockFileUnstable
		return false, false, nil
	}
	watch, err := watchInPlace(f.Fs, raw.target, raw)
	if err != nil {
		return false, false, err
	}
	defer watch.close()
	if !raw.exists {
		if err := ensureDir(f.Fs, dir); err != nil {
			return false, false, fmt.Errorf("config %s: %w", f.Path, err)
		}
	}
	// The last check, immediately before the rename: the lock file is
	// still the one locked, nobody wrote the config since it was read, and
	// nobody has it open for writing (a write in place under way: what was
	// read may be its truncated state).
	guard := func() error {
		if !stable() {
			*redo = ErrLockFileUnstable
			return errChangedUnderLock
		}
		*redo = ErrConfigBusy
		if changed, err := watch.changed(true); err != nil || changed {
			return errors.Join(errChangedUnderLock, err)
		}
		if watch.f != nil && openForWriting(watch.f) {
			return errChangedUnderLock
		}
		return nil
	}
	err = atomicfile.WriteGuarded(f.Fs, raw.target, out, raw.perm, guard)
	if errors.Is(err, errChangedUnderLock) {
		return false, false, nil // nothing written: redo
	}
	if err != nil {
		return false, false, fmt.Errorf("config %s: %w", f.Path, err)
	}
	if changed, err := watch.changed(false); err != nil || changed {
		return true, true, errors.Join(fmt.Errorf("config %s: %w", f.Path, ErrConcurrentWrite), err)
	}
	settled = stable()
	return settled, true, release()
}

// render returns the content SetMigrated writes for raw, or done when the
// flag is already set (nothing to write). It parses and renders, or takes
// both from f.Cache. The result must not be modified.
func (f Flag) render(raw rawConfig) (out []byte, done bool, err error) {
	c := f.Cache
	if c != nil {
		if done, set, ok := c.get(raw.data); ok && (done || set != nil) {
			return set, done, nil
		}
	}
	d, err := raw.parse()
	if err != nil {
		return nil, false, err
	}
	if done, _ := d.migrated(); done {
		if c != nil {
			c.put(raw.data, true, nil)
		}
		return nil, true, nil
	}
	d.setMigrated()
	var buf bytes.Buffer
	if err := d.encode(&buf); err != nil {
		return nil, false, fmt.Errorf("config %s: encode: %w", f.Path, err)
	}
	if c != nil {
		c.put(raw.data, false, buf.Bytes())
	}
	return buf.Bytes(), false, nil
}

// lock takes the directory lock, then ToolHive's config lock file (the
// order encfile uses for its store); on a real filesystem whose directory
// is missing it creates the directory first (there is nothing to protect
// yet). The release gives both back in reverse order and is idempotent.
// stable reports whether the lock file's name still refers to the file
// that was locked (always true where no lock file exists: a simulated
// disk's lock is not a file).
func (f Flag) lock(ctx context.Context, dir string) (release func() error, stable func() bool, err error) {
	releaseDir, err := fslock.Acquire(ctx, f.Fs, dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := ensureDir(f.Fs, dir); err != nil {
			return nil, nil, fmt.Errorf("config %s: %w", f.Path, err)
		}
		releaseDir, err = fslock.Acquire(ctx, f.Fs, dir)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("config %s: %w", f.Path, err)
	}
	lockPath := f.Path + LockFileSuffix
	releaseFile, err := fslock.AcquireFile(ctx, f.Fs, lockPath)
	if err != nil {
		_ = releaseDir()
		return nil, nil, fmt.Errorf("config %s: %w", f.Path, err)
	}
	held, heldErr := lstat(f.Fs, lockPath)
	stable = func() bool {
		now, err := lstat(f.Fs, lockPath)
		if heldErr != nil || err != nil {
			return errors.Is(heldErr, fs.ErrNotExist) && errors.Is(err, fs.ErrNotExist)
		}
		return os.SameFile(held, now)
	}
	return func() error {
		fileErr := releaseFile()
		return errors.Join(fileErr, releaseDir())
	}, stable, nil
}

// ensureDir durably creates dir (mode 0700) if it does not exist; it
// writes nothing when it does.
func ensureDir(fsys afero.Fs, dir string) error {
	if err := atomicfile.MkdirAll(fsys, dir, dirPerm); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	return nil
}
