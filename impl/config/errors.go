package config

import "errors"

// Key is the config field that records a completed migration.
const Key = "secret_scope_migration"

var (
	// ErrInvalidConfig reports a config file that cannot be read or parsed,
	// is not a regular file, holds more than one YAML document, is not a
	// YAML mapping at the top level, or holds a non-boolean Key.
	ErrInvalidConfig = errors.New("invalid config file")
	// ErrInvalidFlag reports a Flag without a filesystem or a path.
	ErrInvalidFlag = errors.New("config flag needs a filesystem and a path")
	// ErrLockFileUnstable reports that ToolHive's config lock file was
	// removed or replaced every time SetMigrated held it (another program
	// keeps deleting it): the flag may or may not be set; retry.
	ErrLockFileUnstable = errors.New("config lock file keeps being removed or replaced while held")
	// ErrConfigBusy reports that, every time SetMigrated held ToolHive's
	// config lock, another program wrote the config or held it open for
	// writing (ToolHive's lock-file race, or a writer that takes no lock):
	// nothing was written; retry.
	ErrConfigBusy = errors.New("another program keeps writing the config while its lock is held")
	// ErrLinkMoved reports a config symlink re-pointed to another
	// directory between SetMigrated's first read and its locked one:
	// nothing was written (but the lock file); re-run.
	ErrLinkMoved = errors.New("the config symlink was changed during the update; nothing written, re-run")
	// ErrConcurrentWrite reports that another program wrote the config in
	// place in the instant between SetMigrated's last check and its
	// rename, although SetMigrated held ToolHive's config lock (ToolHive
	// v0.47.0's unlock-then-remove lock file lets two holders exist, see
	// impl/fslock): the flag is set, but that program's change is not in
	// the file. Check the config and redo that change.
	ErrConcurrentWrite = errors.New("another program wrote the config in place while it was being replaced; its change is not in the file")
)
