package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// The glue for a store the harness cannot put on its simulated disk: Open
// ignores the afero.Fs (the flag lives there) and opens the real directory;
// OpLevelOnly tells Verify so.
func osTarget(t *testing.T, name string, updater, lazyDelete bool) harness.Target {
	dir := filepath.Join(t.TempDir(), "store")
	return harness.Target{
		Name:        name,
		OpLevelOnly: true,
		Open: func(afero.Fs) (secrets.Provider, error) {
			s, err := openOSStore(dir)
			if err != nil {
				return nil, err
			}
			s.lazyDelete = lazyDelete
			if updater {
				return osUpdater{s}, nil
			}
			return s, nil
		},
		// Every change fsyncs a real file and its directory (milliseconds):
		// a small default run; callers' fields still win.
		Defaults: func(c harness.Config) harness.Config {
			if c.Checks <= 0 {
				c.Checks = 8
			}
			if c.Depth <= 0 {
				c.Depth = 1
			}
			if c.Stores <= 0 {
				c.Stores = 1
			}
			if c.MaxKeys <= 0 {
				c.MaxKeys = 5
			}
			return c
		},
	}
}

// remoteTarget is an op-level store in process memory that outlives every
// simulated process, like a remote service; hidePerKey hides its Update so
// that the Runner takes the per-key path. It is fast, so it is swept deep.
func remoteTarget(name string, perKey bool) harness.Target {
	svc := secrets.NewMemory(nil)
	return harness.Target{Name: name, OpLevelOnly: true, Open: func(afero.Fs) (secrets.Provider, error) {
		if perKey {
			return struct{ secrets.Provider }{svc}, nil
		}
		return svc, nil
	}}
}

// The os-package store passes the whole op-level harness, per key and
// transactional.
func TestOpLevelOSStorePasses(t *testing.T) {
	t.Run("per-key", func(t *testing.T) { harness.Run(t, osTarget(t, "osjson", false, false)) })
	t.Run("updater", func(t *testing.T) { harness.Run(t, osTarget(t, "osjson-updater", true, false)) })
}

// The report of an op-level target lists the phases that ran, with cases
// and crash states, and names the skipped ones with zero cases.
func TestOpLevelReportNamesSkippedPhases(t *testing.T) {
	rep, err := harness.Verify(context.Background(), remoteTarget("remote", true), harness.Config{Seed: 3, Checks: 10, Stores: 3, Depth: 2})
	require.NoError(t, err)
	for _, v := range rep.Violations {
		t.Errorf("%s", v)
	}
	byName := map[string]harness.Phase{}
	for _, p := range rep.Phases {
		byName[p.Name] = p
	}
	for _, name := range []string{"conformance", "property", "statemachine", "sweep"} {
		require.Contains(t, byName, name)
		require.Positive(t, byName[name].Cases, name)
	}
	require.Greater(t, byName["sweep"].CrashStates, 100, "the op-level sweep must crash at every call of the fixture's migration")
	skipped := 0
	for name, p := range byName {
		if strings.Contains(name, "(skipped: op-level target)") {
			skipped++
			require.Zero(t, p.Cases, name)
			require.Zero(t, p.CrashStates, name)
		}
	}
	require.Equal(t, 3, skipped, "I4 file set, I8 hygiene and concurrency are named as skipped: %v", rep.Phases)
	require.NotContains(t, byName, "concurrency")
}

// Config.Skip uses the same phase names for op-level targets.
func TestOpLevelSkipByName(t *testing.T) {
	rep, err := harness.Verify(context.Background(), remoteTarget("remote", false),
		harness.Config{Seed: 4, Skip: []string{"property", "statemachine", "sweep"}})
	require.NoError(t, err)
	require.True(t, rep.OK(), "%v", rep.Violations)
	var names []string
	for _, p := range rep.Phases {
		names = append(names, p.Name)
	}
	require.Contains(t, names, "conformance")
	require.NotContains(t, names, "sweep")
}

// A migration that deletes the legacy key before writing its target loses
// the value when the process dies between the two calls.
func TestOpLevelDeleteFirstIsCaught(t *testing.T) {
	tg := osTarget(t, "osjson-delete-first", false, false)
	tg.Migrate = movePerKey(true)
	rep, err := harness.Verify(context.Background(), tg,
		harness.Config{Seed: 21, StopAtFirst: true, Skip: []string{"property", "statemachine"}})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations, "a crash between the delete and the write must be found")
	v := rep.Violations[0]
	require.Contains(t, []model.InvariantID{model.I1, model.I2}, v.Invariant, "%s", v)
	require.Equal(t, "sweep", v.Phase)
	require.Contains(t, strings.Join(v.Counterexample, "\n"), "crash(op=", "the schedule names the op-level crash")
	t.Logf("caught as expected:\n%s", v)
}

// A store whose DeleteSecret returns before the delete is durable (it is
// written with the next change) is caught: the delete is gone after a
// restart.
func TestOpLevelLazyDeleteIsCaught(t *testing.T) {
	rep, err := harness.Verify(context.Background(), osTarget(t, "osjson-lazy-delete", false, true),
		harness.Config{Seed: 22, StopAtFirst: true})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	v := rep.Violations[0]
	require.Equal(t, model.I6, v.Invariant, "%s", v)
	t.Logf("caught as expected:\n%s", v)
}

// The flag's disk crashes with the provider's process: a migration that
// sets the flag first is caught with I3 at the first op-level crash.
func TestOpLevelFlagFirstIsCaught(t *testing.T) {
	flagFirst := func(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
		if done, err := harness.IsMigrated(fsys); err != nil || done {
			return err
		}
		if err := harness.MarkMigrated(fsys); err != nil {
			return err
		}
		return moveKeys(ctx, p, false)
	}
	tg := remoteTarget("remote-flag-first", true)
	tg.Migrate = flagFirst
	rep, err := harness.Verify(context.Background(), tg, harness.Config{Seed: 23, StopAtFirst: true})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	require.Equal(t, model.I3, rep.Violations[0].Invariant, "%s", rep.Violations[0])
}

// The os store really is on disk, atomically replaced: after a run the
// directory holds the store file and no temp file.
func TestOSStoreLeavesOneFile(t *testing.T) {
	dir := t.TempDir()
	s, err := openOSStore(dir)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, s.SetSecret(ctx, "k", "value-1234567"))
	require.ErrorIs(t, s.SetSecret(ctx, "bad", "\xff"), errNotUTF8)
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".secrets.json.tmp-123"), []byte("x"), 0o600))
	s, err = openOSStore(dir)
	require.NoError(t, err)
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, ents, 1)
	require.Equal(t, osStoreFile, ents[0].Name())
	v, err := s.GetSecret(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "value-1234567", v)
	_, err = s.GetSecret(ctx, "bad")
	require.ErrorIs(t, err, secrets.ErrNotFound)
}
