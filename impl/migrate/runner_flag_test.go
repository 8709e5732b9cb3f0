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

// staleFlag's first read says unset (it happened before a concurrent run
// set the flag); later reads see the flag as it is.
type staleFlag struct {
	migrate.MemoryFlag
	reads int
}

func (f *staleFlag) Migrated(ctx context.Context) (bool, error) {
	f.reads++
	if f.reads == 1 {
		return false, nil
	}
	return f.MemoryFlag.Migrated(ctx)
}

// Two runs at once: the second read the flag before the first set it, so it
// runs, finds nothing to move, and finds the flag set when it comes to write
// it. Its report must not claim the write (FlagWritten, which the CLI turns
// into "flag set in …" and "flag_written": true): it wrote nothing.
func TestRunnerFlagSetByAnotherRunIsNotClaimed(t *testing.T) {
	p := newCounting(map[string]string{"__thv_workloads_BEARER_TOKEN_a": "v"})
	flag := &staleFlag{}
	require.NoError(t, flag.SetMigrated(context.Background())) // the other run
	rep, err := migrate.Runner{Provider: p, Flag: flag}.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.False(t, rep.FlagWritten, "the flag was already set: this run wrote nothing")
	require.Equal(t, 1, flag.Writes())

	// And an unset flag is written and says so.
	fresh := migrate.NewMemoryFlag(false)
	rep, err = migrate.Runner{Provider: newCounting(nil), Flag: fresh}.Run(context.Background())
	require.NoError(t, err)
	require.True(t, rep.FlagWritten)
	require.Equal(t, 1, fresh.Writes())
}

// reportingFlag reads unset every time (no second read can tell) but its
// SetMigratedReport knows it found the flag set: the report follows it.
type reportingFlag struct{ migrate.MemoryFlag }

func (f *reportingFlag) Migrated(context.Context) (bool, error) { return false, nil }

func (f *reportingFlag) SetMigratedReport(ctx context.Context) (bool, error) {
	err := f.SetMigrated(ctx)
	return false, err
}

var _ migrate.FlagWriteReporter = (*reportingFlag)(nil)

func TestRunnerTrustsFlagWriteReporter(t *testing.T) {
	rep, err := migrate.Runner{Provider: newCounting(nil), Flag: &reportingFlag{}}.Run(context.Background())
	require.NoError(t, err)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.False(t, rep.FlagWritten)
}

// syncingFlag is a set flag that records its SyncMigrated calls (and
// fails them when err is set).
type syncingFlag struct {
	migrate.MemoryFlag
	log *[]string
	err error
}

func (f *syncingFlag) SyncMigrated(context.Context) error {
	*f.log = append(*f.log, "flag")
	return f.err
}

var _ migrate.FlagSyncer = (*syncingFlag)(nil)

// syncingStore records its Sync calls.
type syncingStore struct {
	*counting
	log *[]string
}

func (s syncingStore) Sync(context.Context) error {
	*s.log = append(*s.log, "store")
	return nil
}

// A run that finds the flag set makes the store and then the flag durable
// before it says "already done", and writes nothing; a flag it cannot sync
// is an error (re-running is safe), not a "done".
func TestRunnerAlreadyDoneSyncsDataThenFlag(t *testing.T) {
	ctx := context.Background()
	var log []string
	store := syncingStore{counting: newCounting(map[string]string{"k": "v"}), log: &log}
	flag := &syncingFlag{MemoryFlag: *migrate.NewMemoryFlag(true), log: &log}
	rep, err := migrate.Runner{Provider: store, Flag: flag}.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, migrate.StatusAlreadyDone, rep.Status)
	require.Equal(t, []string{"store", "flag"}, log, "data first, then the flag")
	require.Zero(t, store.writes.Load())
	require.Zero(t, flag.Writes())

	log = nil
	flag.err = errors.New("EIO")
	_, err = migrate.Runner{Provider: store, Flag: flag}.Run(ctx)
	require.ErrorIs(t, err, flag.err)
	require.Equal(t, []string{"store", "flag"}, log)
	require.Zero(t, store.writes.Load())
}
