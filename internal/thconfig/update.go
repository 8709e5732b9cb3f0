package thconfig

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/fslock"
)

// LockSuffix names ToolHive's config lock file: configPath + LockSuffix.
const LockSuffix = ".lock"

// UpdateAtPath is ToolHive's UpdateConfigAtPath on fsys: lock
// configPath+LockSuffix (fslock.AcquireFile: a flock on a real disk, the
// disk's lock of that name on a simulated one), LoadOrCreate, apply fn,
// save in place, unlock. An error of fn is returned as is, after nothing
// but LoadOrCreate's own writes.
func UpdateAtPath(ctx context.Context, fsys afero.Fs, configPath string, fn func(*Config) error) error {
	release, err := fslock.AcquireFile(ctx, fsys, configPath+LockSuffix)
	if err != nil {
		return fmt.Errorf("toolhive: failed to acquire lock: %w", err)
	}
	defer func() { _ = release() }()
	c, err := LoadOrCreate(fsys, configPath)
	if err != nil {
		return fmt.Errorf("failed to load config from disk: %w", err)
	}
	if err := fn(c); err != nil {
		return err
	}
	if err := save(fsys, configPath, c); err != nil {
		return fmt.Errorf("failed to save config: %w", err)
	}
	return release()
}

// Rewrite is the document UpdateAtPath leaves when it succeeds, computed
// without a filesystem: exists and data are the file before (absent: the
// defaults). An error is the one UpdateAtPath returns, after which the
// file is unchanged (fn's errors aside: there the backward-compatibility
// saves may have happened).
func Rewrite(exists bool, data []byte, fn func(*Config) error) ([]byte, error) {
	c := &Config{}
	if exists {
		var err error
		if c, _, err = Decode(data); err != nil {
			return nil, err
		}
	}
	if err := fn(c); err != nil {
		return nil, err
	}
	return Encode(c)
}
