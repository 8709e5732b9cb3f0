package model_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/model"
)

type fixtureView struct {
	Raw    map[string]string            `json:"raw"`
	User   map[string]string            `json:"user"`
	Scoped map[string]map[string]string `json:"scoped"`
}

func loadView(t *testing.T, name string) fixtureView {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "toolhive-v0.47.0", name))
	require.NoError(t, err)
	var v fixtureView
	require.NoError(t, json.Unmarshal(b, &v))
	return v
}

func TestFixtureMigrationDropMatchesToolHive(t *testing.T) {
	before := loadView(t, "contents-before.json")
	after := loadView(t, "expected-after-seed-migration.json")
	got := model.Migrate(model.State{Secrets: before.Raw}, model.Drop)
	require.Equal(t, after.Raw, got.Secrets)
	require.True(t, got.Migrated)
	require.Equal(t, after.User, model.User(got))
	for scope, names := range after.Scoped {
		for name, want := range names {
			v, ok := model.Scoped(got, scope, name)
			require.True(t, ok, "%s:%s", scope, name)
			require.Equal(t, want, v)
		}
		require.Equal(t, names, model.Model{}.ScopedList(got, scope), scope)
	}
}

func TestFixtureMigrationKeepQuarantinesConflict(t *testing.T) {
	before := loadView(t, "contents-before.json")
	after := loadView(t, "expected-after-seed-migration.json")
	s0 := model.State{Secrets: before.Raw}
	got := model.Migrate(s0, model.Keep)
	want := after.Raw
	want["__thv_legacy_BEARER_TOKEN_conflict"] = "bare-value-older"
	require.Equal(t, want, got.Secrets)
	require.Empty(t, model.Model{}.CheckAll(s0, got, model.Keep))
	// The drop result loses the conflicting value: I2 must say so under Keep.
	dropped := model.Migrate(s0, model.Drop)
	v := model.Model{}.CheckNoLoss(s0, dropped, model.Keep)
	require.Len(t, v, 1)
	require.Equal(t, model.I2, v[0].ID)
	require.Empty(t, model.Model{}.CheckNoLoss(s0, dropped, model.Drop))
}

func TestQuarantineSlots(t *testing.T) {
	s0 := model.State{Secrets: map[string]string{
		"BEARER_TOKEN_x":                 "old",
		"__thv_workloads_BEARER_TOKEN_x": "new",
		"__thv_legacy_BEARER_TOKEN_x":    "other",
		"__thv_legacy_BEARER_TOKEN_x#2":  "another",
	}}
	got := model.Migrate(s0, model.Keep)
	require.Equal(t, "old", got.Secrets["__thv_legacy_BEARER_TOKEN_x#3"])
	require.NotContains(t, got.Secrets, "BEARER_TOKEN_x")
	// An equal slot is reused.
	s0.Secrets["__thv_legacy_BEARER_TOKEN_x#2"] = "old"
	got = model.Migrate(s0, model.Keep)
	require.NotContains(t, got.Secrets, "__thv_legacy_BEARER_TOKEN_x#3")
}

func TestMigrateDoesNotMutateInput(t *testing.T) {
	s0 := model.State{Secrets: map[string]string{"BEARER_TOKEN_a": "v"}}
	_ = model.Migrate(s0, model.Keep)
	require.Equal(t, map[string]string{"BEARER_TOKEN_a": "v"}, s0.Secrets)
	require.False(t, s0.Migrated)
}

func TestCheckersDetectBrokenStates(t *testing.T) {
	m := model.Model{}
	s0 := model.State{Secrets: map[string]string{"BEARER_TOKEN_a": "v", "user": "u"}}
	// Deleted before written: the scoped reader sees not-found, the value is gone.
	lost := model.State{Secrets: map[string]string{"user": "u"}}
	require.Equal(t, model.I1, m.CheckObservable(s0, lost)[0].ID)
	require.Equal(t, model.I2, m.CheckNoLoss(s0, lost, model.Keep)[0].ID)
	// Flag before data.
	early := model.State{Secrets: s0.Secrets, Migrated: true}
	require.Equal(t, model.I3, m.CheckFlagAfterData(early)[0].ID)
	// A user value changed.
	changed := model.State{Secrets: map[string]string{"BEARER_TOKEN_a": "v", "user": "x"}}
	require.NotEmpty(t, m.CheckObservable(s0, changed))
	require.NotEmpty(t, m.CheckConverged(s0, changed, model.Keep))
	// Violations never print values.
	for _, v := range m.CheckObservable(s0, changed) {
		require.NotContains(t, v.String(), "\"x\"")
	}
}

// genState draws stores with every legacy prefix, conflicts, identical
// pairs, scoped and quarantine keys, user keys, empty and unicode values.
func genState(t *rapid.T) model.State {
	prefixes := []string{"BEARER_TOKEN_", "OAUTH_CLIENT_SECRET_", "OAUTH_REFRESH_TOKEN_",
		"registry-user-", "registry-default-", "BUILD_AUTH_FILE_", "REGISTRY_OAUTH_", "user-", "__thv_llm_", "__thv_legacy_BEARER_TOKEN_"}
	names := rapid.SampledFrom([]string{"a", "b", "x_y", "ü"})
	values := rapid.SampledFrom([]string{"", "v1", "v2", "värde ✓"})
	s := map[string]string{}
	n := rapid.IntRange(0, 10).Draw(t, "n")
	for i := 0; i < n; i++ {
		k := rapid.SampledFrom(prefixes).Draw(t, "prefix") + names.Draw(t, "name")
		s[k] = values.Draw(t, "value")
		if rapid.Bool().Draw(t, "scoped-twin") {
			for _, mv := range model.Legacy(model.State{Secrets: map[string]string{k: ""}}) {
				s[mv.Target] = values.Draw(t, "twin")
			}
		}
	}
	return model.State{Secrets: s}
}

func TestMigrateProperties(t *testing.T) {
	m := model.Model{}
	rapid.Check(t, func(t *rapid.T) {
		s0 := genState(t)
		for _, p := range []model.Policy{model.Keep, model.Drop} {
			out := m.Migrate(s0, p)
			require.Empty(t, m.Legacy(out), "no legacy key survives")
			require.Empty(t, m.CheckObservable(s0, out))
			require.Empty(t, m.CheckNoLoss(s0, out, p))
			require.Empty(t, m.CheckFlagAfterData(out))
			require.Empty(t, m.CheckIdempotent(out, m.Migrate(out, p)), "idempotent")
			require.Equal(t, out.Secrets, m.MigrateBody(out, p).Secrets)
		}
	})
}

// TestScopedNoFallbackForReservedNames: the model's scoped view never reads
// another scope's key through the bare-key fallback.
func TestScopedNoFallbackForReservedNames(t *testing.T) {
	s := model.State{Secrets: map[string]string{"__thv_registry_y": "r", "BEARER_TOKEN_b": "b"}}
	_, ok := model.Scoped(s, "workloads", "__thv_registry_y")
	require.False(t, ok)
	v, ok := model.Scoped(s, "workloads", "BEARER_TOKEN_b")
	require.True(t, ok)
	require.Equal(t, "b", v)
}

// TestQuarantineSlotsUnambiguous: slot 2 of K and slot 1 of "K#2" are two
// different keys: both losers are kept.
func TestQuarantineSlotsUnambiguous(t *testing.T) {
	s0 := model.State{Secrets: map[string]string{
		"BEARER_TOKEN_K":                   "k-old",
		"__thv_workloads_BEARER_TOKEN_K":   "k-new",
		"__thv_legacy_BEARER_TOKEN_K":      "taken",
		"BEARER_TOKEN_K#2":                 "k2-old",
		"__thv_workloads_BEARER_TOKEN_K#2": "k2-new",
	}}
	got := model.Migrate(s0, model.Keep)
	require.Equal(t, "k-old", got.Secrets["__thv_legacy_BEARER_TOKEN_K#2"])
	require.Equal(t, "k2-old", got.Secrets["__thv_legacy_BEARER_TOKEN_K##2"])
	require.Empty(t, model.Model{}.CheckAll(s0, got, model.Keep))
}
