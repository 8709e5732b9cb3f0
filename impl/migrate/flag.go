package migrate

import (
	"context"
	"sync"
)

// FlagStore is the durable one-shot flag ("secret_scope_migration" in
// ToolHive's config). impl/config.Flag implements it.
type FlagStore interface {
	// Migrated reports whether the migration completed.
	Migrated(ctx context.Context) (bool, error)
	// SetMigrated records, durably, that the migration completed.
	SetMigrated(ctx context.Context) error
}

// MemoryFlag is an in-memory FlagStore for tests and examples. The zero
// value is an unset flag.
type MemoryFlag struct {
	mu     sync.Mutex // guards set and writes
	set    bool
	writes int
}

var _ FlagStore = (*MemoryFlag)(nil)

// NewMemoryFlag returns a flag with the given initial value.
func NewMemoryFlag(migrated bool) *MemoryFlag { return &MemoryFlag{set: migrated} }

// Migrated implements FlagStore.
func (f *MemoryFlag) Migrated(context.Context) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.set, nil
}

// SetMigrated implements FlagStore; setting a set flag writes nothing.
func (f *MemoryFlag) SetMigrated(context.Context) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.set {
		f.set = true
		f.writes++
	}
	return nil
}

// Writes returns how many times SetMigrated changed the flag.
func (f *MemoryFlag) Writes() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.writes
}

// FlagWriteReporter is implemented by a FlagStore that can tell whether
// SetMigrated wrote the flag or found it already set (a concurrent run set
// it after this run read it unset; impl/config.Flag does). Runner uses it
// for Report.FlagWritten; for any other FlagStore it reads the flag again
// just before SetMigrated, which leaves a window in which a concurrent
// write is claimed.
type FlagWriteReporter interface {
	// SetMigratedReport is SetMigrated, and reports whether it wrote.
	SetMigratedReport(ctx context.Context) (wrote bool, err error)
}

// FlagSyncer is implemented by a FlagStore that can make a flag it reads
// as set durable without changing it (impl/config.Flag syncs the config
// file and its directory). The Runner calls it when it finds the flag set:
// the run that set it may have failed before making it durable, and a run
// that says "already done" must not be undone by a power cut.
type FlagSyncer interface {
	SyncMigrated(ctx context.Context) error
}

// FlagPreflighter is implemented by a FlagStore that can check, writing
// nothing, that SetMigrated will be able to write (impl/config.Flag checks
// the config's directory, file, temp name and lock file). Runner calls it
// before the store's first write, so that an unwritable config fails the
// run with nothing changed instead of after the store was rewritten.
type FlagPreflighter interface {
	PreflightSetMigrated(ctx context.Context) error
}
