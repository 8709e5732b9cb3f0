//go:build linux

package sysexplore

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

const (
	fixture  = "../../testdata/toolhive-v0.47.0"
	pystore  = "../../testdata/pystore"
	password = "correct horse battery staple"
)

// buildScopemig builds the real scopemig binary.
func buildScopemig(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("skipping: no go command to build scopemig with")
	}
	bin := filepath.Join(t.TempDir(), "scopemig")
	out, err := exec.Command(goBin, "build", "-o", bin, "github.com/scopemig/scopemig/cmd/scopemig").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// requireNoValues fails when the report mentions any value of the store.
func requireNoValues(t *testing.T, rep Report, s0 model.State) {
	t.Helper()
	b, err := json.Marshal(rep)
	require.NoError(t, err)
	for k, v := range s0.Secrets {
		require.NotContains(t, string(b), v, "the report prints the value of %q", k)
	}
}

// The real scopemig migrate binary on the ToolHive fixture: every crash
// point of every mode, zero violations (acceptance (a)).
func TestExploreScopemigMigrateFixture(t *testing.T) {
	needPtrace(t)
	bin := buildScopemig(t)
	for _, policy := range []model.Policy{model.Keep, model.Drop} {
		t.Run(policy.String(), func(t *testing.T) {
			cfg := Config{
				From:     fixture,
				Argv:     []string{bin, "migrate", "--on-conflict", policy.String(), "--secrets-file", "{dir}/secrets_encrypted", "--config", "{dir}/config.yaml"},
				Policy:   policy,
				Env:      append(os.Environ(), "TOOLHIVE_SECRETS_PASSWORD="+password),
				Password: password,
				WorkDir:  t.TempDir(),
			}
			rep, err := Explore(context.Background(), cfg)
			require.NoError(t, err)
			require.Greater(t, rep.Points, 10, "the migration makes well over 10 mutating syscalls")
			require.Empty(t, rep.Violations)
			require.Empty(t, rep.Inconclusive)
			require.Len(t, rep.Modes, 3)
			for _, m := range rep.Modes {
				require.GreaterOrEqual(t, m.States, rep.Points, "%s explored every crash point", m.Mode)
			}
			s0, err := nativeReader{password: []byte(password)}.read(context.Background(), fixture)
			require.NoError(t, err)
			requireNoValues(t, rep, s0)
		})
	}
}

// pyConfig explores testdata/pystore with its dump command.
func pyConfig(t *testing.T, py string, args ...string) Config {
	script, err := filepath.Abs(filepath.Join(pystore, "pystore.py"))
	require.NoError(t, err)
	return Config{
		From:      filepath.Join(pystore, "store"),
		Argv:      append([]string{py, script, "migrate", "{dir}"}, args...),
		Dump:      []string{py, script, "dump", "{dir}"},
		Plaintext: true,
		WorkDir:   t.TempDir(),
	}
}

// A store in another language (acceptance (c)): the correct Python
// provider passes; its broken variant (in-place rewrite, no fsync) is
// caught with I7 at the write in process mode and I6 in power mode, with
// a replay line naming the crash point, and replaying it finds it again.
func TestExplorePythonProvider(t *testing.T) {
	needPtrace(t)
	py := python(t)
	rep, err := Explore(context.Background(), pyConfig(t, py))
	require.NoError(t, err)
	require.True(t, rep.OK(), "%+v", rep.Violations)
	require.Greater(t, rep.Points, 4)

	broken := pyConfig(t, py, "broken")
	rep, err = Explore(context.Background(), broken)
	require.NoError(t, err)
	v, ok := rep.Has(model.I7, faults.Process)
	require.True(t, ok, "%+v", rep.Violations)
	require.Contains(t, v.Syscall, "write({dir}/store.json")
	require.Positive(t, v.Point, "the violation carries its crash point (the replay data)")
	_, ok = rep.Has(model.I6, faults.Power)
	require.True(t, ok, "%+v", rep.Violations)

	// Replay: the printed crash point alone reproduces it.
	broken.Modes, broken.Point = []faults.Mode{faults.Process}, v.Point
	again, err := Explore(context.Background(), broken)
	require.NoError(t, err)
	w, ok := again.Has(model.I7, faults.Process)
	require.True(t, ok)
	require.Equal(t, v.Point, w.Point)
	require.Equal(t, v.Syscall, w.Syscall)
}

func TestExploreBadConfig(t *testing.T) {
	_, err := Explore(context.Background(), Config{From: fixture})
	require.ErrorIs(t, err, ErrBadConfig)
	_, err = Explore(context.Background(), Config{From: "/nonexistent", Argv: []string{"true"}})
	require.ErrorIs(t, err, ErrBadConfig)
	_, err = Explore(context.Background(), Config{From: fixture, Argv: []string{"true"}, Env: []string{}})
	require.ErrorIs(t, err, ErrBadConfig, "the native reader needs a password")
	_, err = Explore(context.Background(), Config{From: fixture, Argv: []string{"true"}, Modes: []faults.Mode{faults.Power, faults.Torn}, Password: password})
	require.ErrorIs(t, err, ErrBadConfig, "torn does not apply to a real process")
	_, err = Explore(context.Background(), Config{From: fixture, Argv: []string{"true"}, Modes: []faults.Mode{faults.Mode(9)}, Password: password})
	require.ErrorIs(t, err, ErrBadConfig, "an unknown mode")
	needPtrace(t)
	_, err = Explore(context.Background(), Config{From: fixture, Argv: []string{"false"}, Password: password, WorkDir: t.TempDir()})
	require.ErrorIs(t, err, ErrBadConfig, "a command failing without crash")
	require.True(t, strings.Contains(err.Error(), "exits 1"), "%v", err)
}
