package migrate_test

import (
	"context"
	"errors"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
)

// badFlag is an unset flag whose preflight and write fail as told.
type badFlag struct {
	migrate.MemoryFlag
	preflight, set error
	preflights     int
}

func (f *badFlag) PreflightSetMigrated(context.Context) error {
	f.preflights++
	return f.preflight
}

func (f *badFlag) SetMigrated(ctx context.Context) error {
	if f.set != nil {
		return f.set
	}
	return f.MemoryFlag.SetMigrated(ctx)
}

var _ migrate.FlagPreflighter = (*badFlag)(nil)

// A flag that cannot be written is found before the store's first write:
// nothing changes.
func TestRunnerPreflightRefusesBeforeAnyWrite(t *testing.T) {
	init := map[string]string{"BEARER_TOKEN_a": "v", "user": "u"}
	p := newCounting(init)
	flag := &badFlag{preflight: syscall.EACCES}
	rep, err := migrate.Runner{Provider: p, Flag: flag}.Run(context.Background())
	require.ErrorIs(t, err, migrate.ErrFlagNotWritable)
	require.ErrorIs(t, err, syscall.EACCES)
	require.Zero(t, p.writes.Load(), "the store was not written")
	require.NotEqual(t, migrate.StatusMigrated, rep.Status)
	require.Equal(t, init, p.Snapshot())
	require.Zero(t, flag.Writes())
}

// A flag write that fails after the data moved says exactly that, and a
// second run (the disk has room again) moves nothing and sets the flag.
func TestRunnerFlagWriteFailureIsHonest(t *testing.T) {
	p := newCounting(map[string]string{"BEARER_TOKEN_a": "v"})
	flag := &badFlag{set: syscall.ENOSPC}
	rep, err := migrate.Runner{Provider: p, Flag: flag}.Run(context.Background())
	require.ErrorIs(t, err, migrate.ErrFlagNotSet)
	require.ErrorIs(t, err, syscall.ENOSPC)
	require.Equal(t, migrate.StatusFlagNotSet, rep.Status)
	require.Equal(t, 1, rep.Counts.Moved)
	require.Equal(t, 1, flag.preflights, "the preflight passed: ENOSPC cannot be foreseen")
	require.Equal(t, map[string]string{"__thv_workloads_BEARER_TOKEN_a": "v"}, p.Snapshot(), "store migrated")

	flag.set = nil
	writes := p.writes.Load()
	rep, err = migrate.Runner{Provider: p, Flag: flag}.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.Equal(t, writes, p.writes.Load(), "the re-run writes nothing to the store")
	require.Equal(t, 1, flag.Writes())
	require.False(t, errors.Is(err, migrate.ErrFlagNotSet))
}
