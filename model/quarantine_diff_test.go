package model

import (
	"context"
	"errors"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// The model's Restore and Drop (quarantine.go) are written from the
// documentation of `scopemig legacy restore|drop`; this test, the only
// place that imports both, runs impl/migrate's RestoreQuarantined and
// DropQuarantined on the same drawn stores and compares what they leave
// and how they end.

// quarantineOrigins are the legacy keys (and near misses) drawn stores
// quarantine values of.
var quarantineOrigins = []string{"BEARER_TOKEN_a", "BEARER_TOKEN_a#2", "REGISTRY_OAUTH_x", "plain-user", "#", "__thv_auth_k"}

// drawQuarantineStore draws a store of quarantine chains (slots 1..3 of
// the origins), their targets and a few odd quarantine-scope keys, values
// from a small set so that equal values are common.
func drawQuarantineStore(t *rapid.T) map[string]string {
	vals := []string{"v1", "v2", "v3", ""}
	m := map[string]string{}
	keys := []string{"__thv_legacy_", "__thv_legacy_x#", "__thv_legacy_x#02", "__thv_workloads_BEARER_TOKEN_a#2", "plain-user", "__thv_legacy_#"}
	for _, o := range quarantineOrigins {
		for n := 1; n <= 3; n++ {
			keys = append(keys, quarantineKey(o, n))
		}
		if t, ok := legacyTarget(o); ok {
			keys = append(keys, t)
		}
	}
	for _, k := range keys {
		if rapid.Bool().Draw(t, "has-"+k) {
			m[k] = rapid.SampledFrom(vals).Draw(t, "val-"+k)
		}
	}
	return m
}

// outcomeOf maps impl/migrate's result to the model's outcome.
func outcomeOf(err error, ok QuarantineOutcome) QuarantineOutcome {
	switch {
	case err == nil:
		return ok
	case errors.Is(err, migrate.ErrNotQuarantineKey), errors.Is(err, secrets.ErrInvalidName):
		return NotQuarantine
	case errors.Is(err, secrets.ErrNotFound):
		return NotFound
	case errors.Is(err, migrate.ErrNoDestination):
		return NoDestination
	case errors.Is(err, migrate.ErrDestinationTaken):
		return DestinationTaken
	case errors.Is(err, migrate.ErrAmbiguousKey):
		return Ambiguous
	}
	return QuarantineOutcome(-1)
}

func TestRestoreAndDropAgreeWithImpl(t *testing.T) {
	ctx := context.Background()
	rapid.Check(t, func(t *rapid.T) {
		s := State{Secrets: drawQuarantineStore(t)}
		keys := append(s.Keys(), "__thv_legacy_missing", "plain-user", "__thv_workloads_x", "")
		keys = append(keys, quarantineOrigins...) // original keys name their one slot, if one
		key := rapid.SampledFrom(keys).Draw(t, "key")
		as := rapid.SampledFrom([]string{"", "", "new-name", "plain-user", "__thv_auth_k", "__thv_legacy_z"}).Draw(t, "as")
		fp := secrets.Fingerprinter{}

		mem := secrets.NewMemory(s.Secrets)
		_, err := migrate.RestoreQuarantined(ctx, mem, secrets.Scheme{}, key, as, fp)
		want, wo := Model{}.Restore(s, key, as)
		require.Equal(t, wo, outcomeOf(err, Restored), "restore %q as %q: impl err %v", key, as, err)
		require.True(t, maps.Equal(want.Secrets, mem.Snapshot()), "restore %q as %q: model %v, impl %v", key, as, want, State{Secrets: mem.Snapshot()})

		mem = secrets.NewMemory(s.Secrets)
		_, err = migrate.DropQuarantined(ctx, mem, secrets.Scheme{}, key, fp)
		want, wo = Model{}.Drop(s, key)
		require.Equal(t, wo, outcomeOf(err, Dropped), "drop %q: impl err %v", key, err)
		require.True(t, maps.Equal(want.Secrets, mem.Snapshot()), "drop %q: model %v, impl %v", key, want, State{Secrets: mem.Snapshot()})
	})
}

// The model's own reading of the documented cases, independent of impl.
func TestRestoreSemantics(t *testing.T) {
	q1, q2 := quarantineKey("BEARER_TOKEN_a", 1), quarantineKey("BEARER_TOKEN_a", 2)
	target := "__thv_workloads_BEARER_TOKEN_a"
	for name, c := range map[string]struct {
		s    map[string]string
		key  string
		as   string
		want map[string]string
		o    QuarantineOutcome
	}{
		"target absent":                {map[string]string{q1: "old"}, q1, "", map[string]string{target: "old"}, Restored},
		"target equal":                 {map[string]string{q1: "old", target: "old"}, q1, "", map[string]string{target: "old"}, Restored},
		"target differs: swap to slot": {map[string]string{q1: "old", target: "new"}, q1, "", map[string]string{target: "old", q2: "new"}, Restored},
		"slot 2 restored, 1 kept":      {map[string]string{q1: "x", q2: "old", target: "new"}, q2, "", map[string]string{q1: "x", target: "old", quarantineKey("BEARER_TOKEN_a", 3): "new"}, Restored},
		"displaced joins equal slot":   {map[string]string{q1: "new", q2: "old", target: "new"}, q2, "", map[string]string{q1: "new", target: "old"}, Restored},
		"explicit destination taken":   {map[string]string{q1: "old", "n": "other"}, q1, "n", map[string]string{q1: "old", "n": "other"}, DestinationTaken},
		"explicit destination free":    {map[string]string{q1: "old"}, q1, "n", map[string]string{"n": "old"}, Restored},
		"not a quarantine key":         {map[string]string{target: "v"}, target, "", map[string]string{target: "v"}, NotQuarantine},
		"as in quarantine scope":       {map[string]string{q1: "v"}, q1, q2, map[string]string{q1: "v"}, NotQuarantine},
		"missing":                      {map[string]string{}, q1, "", map[string]string{}, NotFound},
		"no scope for original":        {map[string]string{"__thv_legacy_plain": "v"}, "__thv_legacy_plain", "", map[string]string{"__thv_legacy_plain": "v"}, NoDestination},
		"original key, one slot":       {map[string]string{q2: "old", target: "new"}, "BEARER_TOKEN_a", "", map[string]string{target: "old", q1: "new"}, Restored},
		"original key, two slots":      {map[string]string{q1: "a", q2: "b"}, "BEARER_TOKEN_a", "", map[string]string{q1: "a", q2: "b"}, Ambiguous},
		"original key, no slot":        {map[string]string{"BEARER_TOKEN_a": "v"}, "BEARER_TOKEN_a", "", map[string]string{"BEARER_TOKEN_a": "v"}, NotQuarantine},
	} {
		t.Run(name, func(t *testing.T) {
			got, o := Model{}.Restore(State{Secrets: c.s}, c.key, c.as)
			require.Equal(t, c.o, o)
			require.Equal(t, c.want, got.Secrets)
		})
	}
	got, o := Model{}.Drop(State{Secrets: map[string]string{q1: "v", target: "w"}}, q1)
	require.Equal(t, Dropped, o)
	require.Equal(t, map[string]string{target: "w"}, got.Secrets)
}
