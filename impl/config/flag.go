package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// Flag is the migration flag in the YAML config file Path on Fs. Both
// fields are required. Flag is a value type: copies share the file.
type Flag struct {
	Fs   afero.Fs
	Path string
	// Cache, when set, remembers the parse and render of every config
	// content the Flag has seen, keyed by its exact bytes (see Cache).
	// Optional: nil parses every time.
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
// wrapping ErrInvalidConfig. It writes nothing and takes no lock (every
// writer replaces the file atomically, so a read sees a whole version).
func (f Flag) Migrated(ctx context.Context) (bool, error) {
	if err := f.check(ctx); err != nil {
		return false, err
	}
	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return false, err
	}
	if f.Cache != nil {
		if done, _, ok := f.Cache.get(raw.data); ok {
			return done, nil
		}
	}
	d, err := raw.parse()
	if err != nil {
		return false, err
	}
	done, err := d.migrated() // parse checked that it decodes
	if err == nil && f.Cache != nil {
		f.Cache.put(raw.data, done, nil)
	}
	return done, err
}

// LockFileSuffix is appended to the config path to name ToolHive's config
// lock file ("config.yaml.lock"): ToolHive v0.47.0's UpdateConfigAtPath
// holds a flock on it for its whole read-modify-write.
const LockFileSuffix = ".lock"

// SetMigrated records the completed migration. It first reads and
// validates the file without any lock: an invalid file fails with
// ErrInvalidConfig, and a file whose Key is already true returns nil,
// both having written nothing at all. Otherwise it takes the lock of the
// file's directory, then ToolHive's config lock (fslock.AcquireFile on
// Path+LockFileSuffix, the lock UpdateConfigAtPath takes, so neither
// writer's read-modify-write can interleave with the other's), rereads and
// revalidates the file, and, unless Key became true meanwhile, sets Key to
// true (in place, or appended to the top-level mapping), keeping every
// other field, their order and comments, and replaces the file in one
// atomicfile.Write with the file's existing permission bits (0600 for a
// new file). A missing directory is created with mode 0700; a missing file
// is created. On a real filesystem the lock file is created when missing
// and never removed (see impl/fslock).
//
// Crash contract: the config holds either its old content or the new one
// (atomicfile.Write), never a mix; after a nil return the flag is durable.
// After an error the flag may or may not be set (only if the error came
// after the rename); retrying is safe and idempotent. An invalid file fails
// with ErrInvalidConfig before anything is written (should it turn invalid
// between the first read and the locked one, the lock file is the only
// write).
func (f Flag) SetMigrated(ctx context.Context) error {
	if err := f.check(ctx); err != nil {
		return err
	}
	if raw, err := readConfig(f.Fs, f.Path); err != nil {
		return err
	} else if _, done, err := f.render(raw); err != nil || done {
		return err
	}
	dir := filepath.Dir(f.Path)
	release, err := f.lock(ctx, dir)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()

	raw, err := readConfig(f.Fs, f.Path)
	if err != nil {
		return err
	}
	out, done, err := f.render(raw)
	if err != nil || done {
		return err
	}
	if !raw.exists {
		if err := ensureDir(f.Fs, dir); err != nil {
			return fmt.Errorf("config %s: %w", f.Path, err)
		}
	}
	if err := atomicfile.Write(f.Fs, f.Path, out, raw.perm); err != nil {
		return fmt.Errorf("config %s: %w", f.Path, err)
	}
	return release()
}

// render returns the content SetMigrated writes for raw, or done when the
// flag is already set (nothing to write). It parses and renders, or takes
// both from f.Cache. The result must not be modified.
func (f Flag) render(raw rawConfig) (out []byte, done bool, err error) {
	if f.Cache != nil {
		if done, set, ok := f.Cache.get(raw.data); ok && (done || set != nil) {
			return set, done, nil
		}
	}
	d, err := raw.parse()
	if err != nil {
		return nil, false, err
	}
	if done, _ := d.migrated(); done {
		if f.Cache != nil {
			f.Cache.put(raw.data, true, nil)
		}
		return nil, true, nil
	}
	d.setMigrated()
	var buf bytes.Buffer
	if err := d.encode(&buf); err != nil {
		return nil, false, fmt.Errorf("config %s: encode: %w", f.Path, err)
	}
	if f.Cache != nil {
		f.Cache.put(raw.data, false, buf.Bytes())
	}
	return buf.Bytes(), false, nil
}

// lock takes the directory lock, then ToolHive's config lock file (the
// order encfile uses for its store); on a real filesystem whose directory
// is missing it creates the directory first (there is nothing to protect
// yet). The release gives both back in reverse order and is idempotent.
func (f Flag) lock(ctx context.Context, dir string) (func() error, error) {
	releaseDir, err := fslock.Acquire(ctx, f.Fs, dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := ensureDir(f.Fs, dir); err != nil {
			return nil, fmt.Errorf("config %s: %w", f.Path, err)
		}
		releaseDir, err = fslock.Acquire(ctx, f.Fs, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", f.Path, err)
	}
	releaseFile, err := fslock.AcquireFile(ctx, f.Fs, f.Path+LockFileSuffix)
	if err != nil {
		_ = releaseDir()
		return nil, fmt.Errorf("config %s: %w", f.Path, err)
	}
	return func() error {
		fileErr := releaseFile()
		return errors.Join(fileErr, releaseDir())
	}, nil
}

// ensureDir durably creates dir (mode 0700) if it does not exist; it
// writes nothing when it does.
func ensureDir(fsys afero.Fs, dir string) error {
	if err := atomicfile.MkdirAll(fsys, dir, dirPerm); err != nil {
		return fmt.Errorf("create directory: %w", err)
	}
	return nil
}
