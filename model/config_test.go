package model_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

func fixtureConfig(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "toolhive-v0.47.0", "config.yaml"))
	require.NoError(t, err)
	return string(b)
}

// I9 accepts exactly the configs a flag writer may leave: the old one, or
// the old one with the flag set (any layout, comments, anchors), and
// rejects a removed, empty, truncated, replaced or changed config.
func TestCheckConfig(t *testing.T) {
	fix := fixtureConfig(t)
	present := func(s string) model.Config { return model.Config{Exists: true, Text: s} }
	nested := "# user comment\nbase: &b {k: v, list: [1, 2]}\nderived:\n    <<: *b\n    extra: .nan\nunknown: {deep: {deeper: x}}\n"
	expanded := "base: {k: v, list: [1, 2]}\nderived: {k: v, list: [1, 2], extra: .nan}\nunknown:\n  deep:\n    deeper: x\nsecret_scope_migration: true\n"
	for _, tc := range []struct {
		name          string
		before, after model.Config
		bad           bool
	}{
		{"unchanged", present(fix), present(fix), false},
		{"flag appended", present(fix), present(fix + "secret_scope_migration: true\n"), false},
		{"flag false kept", present(fix + "secret_scope_migration: false\n"), present(fix + "secret_scope_migration: false\n"), false},
		{"flag set in place", present(fix + "secret_scope_migration: false # keep\n"), present(fix + "secret_scope_migration: true # keep\n"), false},
		{"anchors resolved, comments dropped", present(nested), present(expanded), false},
		{"absent stays absent", model.Config{}, model.Config{}, false},
		{"absent gets a flag-only file", model.Config{}, present("secret_scope_migration: true\n"), false},
		{"empty gets the flag", present(""), present("secret_scope_migration: true\n"), false},
		{"removed", present(fix), model.Config{}, true},
		{"emptied", present(fix), present(""), true},
		{"created empty", model.Config{}, present(""), true},
		{"truncated mid-value", present(fix), present(fix[:len(fix)-10]), true},
		{"truncated to fewer fields", present(fix), present("secrets:\n    provider_type: encrypted\n"), true},
		{"replaced by the flag", present(fix), present("secret_scope_migration: true\n"), true},
		{"field changed", present(fix), present(strings.Replace(fix, "registry.example.invalid", "other.invalid", 1)), true},
		{"nested value changed", present(nested), present(nested[:len(nested)-2] + "y\n"), true},
		{"field added", present(fix), present(fix + "extra: 1\n"), true},
		{"flag not a boolean", present(fix), present(fix + "secret_scope_migration: tr\n"), true},
		{"unparsable left alone", present("{"), present("{"), false},
		{"unparsable rewritten", present("{"), present("secret_scope_migration: true\n"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := model.CheckConfig(tc.before, tc.after)
			if !tc.bad {
				require.Empty(t, vs)
				return
			}
			require.NotEmpty(t, vs)
			for _, v := range vs {
				require.Equal(t, model.I9, v.ID)
			}
		})
	}
}

// CheckConfigBytes is CheckConfig on raw contents, nil meaning no file.
func TestCheckConfigBytes(t *testing.T) {
	require.Empty(t, model.CheckConfigBytes(nil, nil))
	require.Empty(t, model.CheckConfigBytes([]byte("a: 1\n"), []byte("a: 1\nsecret_scope_migration: true\n")))
	require.NotEmpty(t, model.CheckConfigBytes([]byte("a: 1\n"), nil))
	require.NotEmpty(t, model.CheckConfigBytes([]byte("a: 1\n"), []byte{}))
}

// The model's migration keeps the config's fields and creates a flag-only
// file when there was none; Diff names changed fields, never values.
func TestMigrateKeepsConfig(t *testing.T) {
	fix := fixtureConfig(t)
	s0 := model.State{Secrets: map[string]string{"BEARER_TOKEN_a": "v"}, Config: model.Config{Exists: true, Text: fix}}
	got := model.Migrate(s0, model.Keep)
	require.Equal(t, s0.Config, got.Config)
	require.Empty(t, model.CheckConfig(s0.Config, got.Config))
	none := model.Migrate(model.State{}, model.Keep)
	require.True(t, none.Config.Exists)
	d, err := model.ParseConfig(none.Config)
	require.NoError(t, err)
	require.True(t, d.HasFlag && d.Flag)
	require.Empty(t, d.Fields)

	other := got.Clone()
	other.Config.Text = "secret_scope_migration: true\nregistry_url: secret-ish-value\n"
	diff := model.Diff(got, other)
	require.NotEmpty(t, diff)
	require.NotContains(t, fmt.Sprint(diff), "secret-ish-value")
	require.False(t, got.Equal(other))
	require.True(t, got.Equal(got.Clone()))
}
