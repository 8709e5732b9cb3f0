package migrate_test

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

var (
	genValues = []string{"", "v1", "v2", "v3", "ünï😀", "line\nbreak"}
	genNames  = []string{"a", "b", "a#2", "ü", "x_y"}
)

// genStore draws a raw store mixing every legacy prefix, targets with equal
// and different values, existing quarantine slots, already-scoped keys,
// user keys and malformed system keys, with empty and unicode values.
func genStore(t *rapid.T) map[string]string {
	sch := secrets.DefaultScheme()
	var legacy []string
	for _, m := range sch.Legacy {
		for _, n := range genNames {
			legacy = append(legacy, m.Prefix+n)
		}
	}
	value := rapid.SampledFrom(genValues)
	out := map[string]string{}
	n := rapid.IntRange(0, 14).Draw(t, "n")
	for i := 0; i < n; i++ {
		k := rapid.SampledFrom(legacy).Draw(t, "legacy")
		switch rapid.IntRange(0, 7).Draw(t, "kind") {
		case 0, 1: // the legacy key itself
		case 2: // its target
			k, _ = sch.LegacyTarget(k)
		case 3: // one of its quarantine slots
			k = sch.QuarantineKey(k, rapid.IntRange(1, 3).Draw(t, "slot"))
		case 4: // a user key
			k = rapid.SampledFrom([]string{"github-token", "my-key", "ü-key", "BEARER", "bearer_token_a"}).Draw(t, "user")
		case 5: // other scoped or malformed system keys
			k = rapid.SampledFrom([]string{"__thv_llm_gateway", "__thv_auth_a", "__thv_", "__thv_Bad_x", "__thv_workloads_other"}).Draw(t, "system")
		case 6: // a legacy key with its target holding the same value
			t2, _ := sch.LegacyTarget(k)
			v := value.Draw(t, "same")
			out[k], out[t2] = v, v
			continue
		case 7: // a conflict whose value already sits in a quarantine slot
			t2, _ := sch.LegacyTarget(k)
			v := value.Draw(t, "quarantined")
			out[k], out[t2] = v, v+"'"
			out[sch.QuarantineKey(k, rapid.IntRange(1, 2).Draw(t, "qslot"))] = v
			continue
		}
		out[k] = value.Draw(t, "value")
	}
	return out
}

func modelPolicy(p migrate.Policy) model.Policy {
	if p == migrate.Drop {
		return model.Drop
	}
	return model.Keep
}

func TestPropertyRunnerMatchesModel(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		s0 := genStore(t)
		policy := rapid.SampledFrom([]migrate.Policy{migrate.Keep, migrate.Drop}).Draw(t, "policy")
		want := model.Migrate(model.State{Secrets: s0}, modelPolicy(policy))
		for name, wrap := range paths() {
			store := newCounting(s0)
			flag := &migrate.MemoryFlag{}
			r := migrate.Runner{Provider: wrap(store), Flag: flag, Policy: policy}

			plan, err := migrate.Discover(ctx, r.Provider, r.Scheme, policy)
			require.NoError(t, err, name)
			require.Zero(t, store.writes.Load(), "%s: Discover wrote", name)
			require.Len(t, plan.Steps, len(model.Legacy(model.State{Secrets: s0})), name)

			rep, err := r.Run(ctx)
			require.NoError(t, err, name)
			require.Equal(t, migrate.StatusMigrated, rep.Status, name)
			got := memState(store.Snapshot(), flag)
			require.True(t, want.Equal(got), "%s: %v", name, model.Diff(want, got))
			require.Equal(t, plan.Steps, rep.Steps, "%s: plan != run", name)

			writes := store.writes.Load()
			again, err := r.Run(ctx)
			require.NoError(t, err, name)
			require.Equal(t, migrate.StatusAlreadyDone, again.Status, name)
			res, err := migrate.Apply(ctx, r.Provider, r.Scheme, policy)
			require.NoError(t, err, name)
			require.Empty(t, res.Steps, name)
			require.Equal(t, writes, store.writes.Load(), "%s: re-run wrote", name)
			require.Equal(t, 1, flag.Writes(), name)
		}
	})
}

// TestPropertyPerKeyCrashConverges stops the per-key path after every
// possible number of writes: each intermediate store keeps every observable
// value and loses nothing (I1, I2), the flag stays unset (I3), and a fresh
// run then converges to the model (I4).
func TestPropertyPerKeyCrashConverges(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		ctx := context.Background()
		s0 := genStore(t)
		policy := rapid.SampledFrom([]migrate.Policy{migrate.Keep, migrate.Drop}).Draw(t, "policy")
		mp := modelPolicy(policy)
		st0 := model.State{Secrets: s0}
		want := model.Migrate(st0, mp)
		var m model.Model
		for budget := 0; ; budget++ {
			mem := secrets.NewMemory(s0)
			flag := &migrate.MemoryFlag{}
			_, err := migrate.Runner{Provider: &failing{Provider: mem, budget: budget}, Flag: flag, Policy: policy}.Run(ctx)
			crashed := memState(mem.Snapshot(), flag)
			require.Empty(t, m.CheckAll(st0, crashed, mp), "after %d writes", budget)
			if err == nil {
				require.True(t, want.Equal(crashed), "budget %d: %v", budget, model.Diff(want, crashed))
				return
			}
			require.ErrorIs(t, err, errInjected)
			require.False(t, crashed.Migrated)
			// A second crash during recovery, then a clean run.
			second := rapid.IntRange(0, 3).Draw(t, "second")
			_, _ = migrate.Runner{Provider: &failing{Provider: mem, budget: second}, Flag: flag, Policy: policy}.Run(ctx)
			mid := memState(mem.Snapshot(), flag)
			require.Empty(t, m.CheckAll(st0, mid, mp), "after %d+%d writes", budget, second)
			_, err = migrate.Runner{Provider: perKey{mem}, Flag: flag, Policy: policy}.Run(ctx)
			require.NoError(t, err)
			final := memState(mem.Snapshot(), flag)
			require.True(t, want.Equal(final), "budget %d: %v", budget, model.Diff(want, final))
			require.Less(t, budget, 2*len(s0)+2, "per-key path never finished")
		}
	})
}

// TestDiscoverDoesNotMutate checks Discover leaves the content unchanged on
// generated stores (including through the overlay's planned deletes).
func TestDiscoverDoesNotMutate(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s0 := genStore(t)
		store := newCounting(s0)
		_, err := migrate.Discover(context.Background(), store, secrets.Scheme{}, migrate.Keep)
		require.NoError(t, err)
		require.True(t, maps.Equal(s0, store.Snapshot()))
		require.Zero(t, store.writes.Load())
	})
}

// memState is the model state of a store snapshot and a MemoryFlag: the
// flag stands for a config file that holds only the flag, so a set flag
// is a config file the model has (model.Migrate creates it).
func memState(snapshot map[string]string, flag *migrate.MemoryFlag) model.State {
	st := model.State{Secrets: snapshot, Migrated: flag.Writes() == 1}
	if st.Migrated {
		st.Config = model.Config{Exists: true, Text: model.ConfigFlag + ": true\n"}
	}
	return st
}
