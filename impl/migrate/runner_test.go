package migrate_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

func TestRunnerReadOnlyIsNotApplicable(t *testing.T) {
	ctx := context.Background()
	store := newCounting(map[string]string{"BEARER_TOKEN_x": "v"})
	flag := &migrate.MemoryFlag{}
	rep, err := migrate.Runner{Provider: readOnly{store}, Flag: flag}.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, migrate.StatusNotApplicable, rep.Status)
	require.Zero(t, store.writes.Load())
	set, err := flag.Migrated(ctx)
	require.NoError(t, err)
	require.False(t, set, "flag left unset")
	require.Equal(t, map[string]string{"BEARER_TOKEN_x": "v"}, store.Snapshot())
}

func TestRunnerAlreadyDoneAndForce(t *testing.T) {
	ctx := context.Background()
	init := map[string]string{"BEARER_TOKEN_x": "v", "user": "u"}
	for name, wrap := range paths() {
		t.Run(name, func(t *testing.T) {
			store := newCounting(init)
			flag := migrate.NewMemoryFlag(true)
			rep, err := migrate.Runner{Provider: wrap(store), Flag: flag}.Run(ctx)
			require.NoError(t, err)
			require.Equal(t, migrate.StatusAlreadyDone, rep.Status)
			require.Zero(t, store.writes.Load())
			require.Equal(t, init, store.Snapshot())

			rep, err = migrate.Runner{Provider: wrap(store), Flag: flag, Force: true}.Run(ctx)
			require.NoError(t, err)
			require.Equal(t, migrate.StatusMigrated, rep.Status)
			require.True(t, rep.Forced)
			require.Equal(t, 1, rep.Counts.Moved)
			require.Equal(t, map[string]string{"__thv_workloads_BEARER_TOKEN_x": "v", "user": "u"}, store.Snapshot())
			require.Zero(t, flag.Writes(), "a set flag is not rewritten")

			writes := store.writes.Load()
			rep, err = migrate.Runner{Provider: wrap(store), Flag: flag, Force: true}.Run(ctx)
			require.NoError(t, err)
			require.Empty(t, rep.Steps)
			require.Equal(t, writes, store.writes.Load(), "forced re-run on a migrated store writes nothing")
		})
	}
}

func TestRunnerNilFlagAndEmptyStore(t *testing.T) {
	ctx := context.Background()
	store := newCounting(nil)
	rep, err := migrate.Runner{Provider: store}.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.Zero(t, rep.Counts.Total())
	require.Zero(t, store.writes.Load())

	flag := &migrate.MemoryFlag{}
	rep, err = migrate.Runner{Provider: store, Flag: flag}.Run(ctx)
	require.NoError(t, err)
	require.Equal(t, migrate.StatusMigrated, rep.Status)
	require.Equal(t, 1, flag.Writes(), "an empty store still gets the flag")
}

func TestRunnerErrors(t *testing.T) {
	ctx := context.Background()
	_, err := migrate.Runner{}.Run(ctx)
	require.ErrorIs(t, err, migrate.ErrNoProvider)

	bad := secrets.Scheme{Prefix: "nounderscore"}
	_, err = migrate.Runner{Provider: secrets.NewMemory(nil), Scheme: bad}.Run(ctx)
	require.ErrorIs(t, err, secrets.ErrInvalidScheme)
	_, err = migrate.Apply(ctx, secrets.NewMemory(nil), bad, migrate.Keep)
	require.ErrorIs(t, err, secrets.ErrInvalidScheme)
	_, err = migrate.Discover(ctx, nil, secrets.Scheme{}, migrate.Keep)
	require.ErrorIs(t, err, migrate.ErrNoProvider)

	flagErr := errors.New("config unreadable")
	_, err = migrate.Runner{Provider: secrets.NewMemory(nil), Flag: brokenFlag{flagErr}}.Run(ctx)
	require.ErrorIs(t, err, flagErr)

	// A provider that fails mid-way: error returned, flag not set.
	store := secrets.NewMemory(map[string]string{"BEARER_TOKEN_a": "1", "BEARER_TOKEN_b": "2"})
	flag := &migrate.MemoryFlag{}
	_, err = migrate.Runner{Provider: &failing{Provider: store, budget: 1}, Flag: flag}.Run(ctx)
	require.ErrorIs(t, err, errInjected)
	set, ferr := flag.Migrated(ctx)
	require.NoError(t, ferr)
	require.False(t, set, "flag never set before the data")

	// The transaction path: fn's error aborts the Update, nothing written.
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	tx := newCounting(map[string]string{"BEARER_TOKEN_a": "1"})
	_, err = migrate.Apply(cancelled, tx, secrets.Scheme{}, migrate.Keep)
	require.ErrorIs(t, err, context.Canceled)
	require.Zero(t, tx.writes.Load())
}

type brokenFlag struct{ err error }

func (f brokenFlag) Migrated(context.Context) (bool, error) { return false, f.err }
func (f brokenFlag) SetMigrated(context.Context) error      { return f.err }

// TestQuarantineSlots covers taken, equal and formerly colliding quarantine
// slots (k#2's first slot used to be k's second one; '#' is now doubled).
func TestQuarantineSlots(t *testing.T) {
	init := map[string]string{
		"BEARER_TOKEN_k":                        "a",
		"__thv_workloads_BEARER_TOKEN_k":        "b",
		"__thv_legacy_BEARER_TOKEN_k":           "c",
		"BEARER_TOKEN_k#2":                      "d",
		"__thv_workloads_BEARER_TOKEN_k#2":      "e",
		"OAUTH_CLIENT_SECRET_z":                 "z",
		"__thv_workloads_OAUTH_CLIENT_SECRET_z": "y",
		"__thv_legacy_OAUTH_CLIENT_SECRET_z":    "x",
		"__thv_legacy_OAUTH_CLIENT_SECRET_z#2":  "z",
	}
	want := model.Migrate(model.State{Secrets: init}, model.Keep).Secrets
	require.Equal(t, "a", want["__thv_legacy_BEARER_TOKEN_k#2"])
	require.Equal(t, "d", want["__thv_legacy_BEARER_TOKEN_k##2"])
	for name, wrap := range paths() {
		t.Run(name, func(t *testing.T) {
			store := newCounting(init)
			res, err := migrate.Apply(context.Background(), wrap(store), secrets.Scheme{}, migrate.Keep)
			require.NoError(t, err)
			require.Equal(t, want, store.Snapshot())
			require.Len(t, res.Steps, 3)
			require.Equal(t, "__thv_legacy_OAUTH_CLIENT_SECRET_z#2", res.Steps[2].Quarantine)
		})
	}
}
