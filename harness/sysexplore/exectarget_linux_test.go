//go:build linux

package sysexplore_test

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
	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/model"
)

// pyTarget is the Python store of testdata/pystore as a command target:
// generated stores are written as its store.json.
func pyTarget(t *testing.T, extra ...string) harness.Target {
	t.Helper()
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted here (%v); CI runs this as root", err)
	}
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Skip("skipping: no python3")
	}
	py := strings.TrimSpace(string(out))
	script, err := filepath.Abs("../../testdata/pystore/pystore.py")
	require.NoError(t, err)
	return harness.Target{
		Name: "pystore" + strings.Join(extra, ""),
		Exec: &harness.ExecTarget{
			Argv: append([]string{py, script, "migrate", "{dir}"}, extra...),
			Dump: []string{py, script, "dump", "{dir}"},
			Write: func(dir string, s model.State) error {
				b, err := json.Marshal(s)
				if err != nil {
					return err
				}
				return os.WriteFile(filepath.Join(dir, "store.json"), b, 0o600)
			},
			Plaintext: true,
		},
		Defaults: func(c harness.Config) harness.Config {
			if c.Stores == 0 {
				c.Stores = 1
			}
			if c.MaxKeys == 0 {
				c.MaxKeys = 6
			}
			return c
		},
	}
}

// harness.Run takes a command target like any other: the Python provider
// passes on generated stores.
func TestExecTargetPythonProvider(t *testing.T) {
	harness.Run(t, pyTarget(t))
}

// Its broken variant (in-place rewrite, no fsync) is caught, and the
// failing generated store is shrunk key by key to a 1-minimal one: the
// bug needs no key at all (the flag rewrite alone tears the file).
func TestExecTargetShrinksBrokenProvider(t *testing.T) {
	target := pyTarget(t, "broken")
	target.Exec.Modes = []faults.Mode{faults.Process}
	rep, err := harness.Verify(context.Background(), target, harness.Config{Seed: 3, Stores: 1, MaxKeys: 6})
	require.NoError(t, err)
	require.NotEmpty(t, rep.Violations)
	var found bool
	for _, v := range rep.Violations {
		if v.Invariant != model.I7 {
			continue
		}
		found = true
		require.Equal(t, "syscall-process", v.Phase)
		require.Equal(t, 0, v.Keys, "shrunk to the empty store")
		require.Contains(t, v.Counterexample[0], "shrunk from")
		require.Contains(t, v.Counterexample[1], "write({dir}/store.json")
		require.Contains(t, v.Replay, "sysexplore.Explore(ctx, ")
	}
	require.True(t, found, "%v", rep.Violations)
}

// A command target whose only flaw is a missing Name is refused before
// anything runs (reports and replay lines name the target).
func TestExecTargetWithoutNameIsRefused(t *testing.T) {
	target := pyTarget(t)
	target.Name = ""
	rep, err := harness.Verify(context.Background(), target, harness.Config{Seed: 1, Stores: 1})
	require.ErrorIs(t, err, harness.ErrBadTarget)
	require.Empty(t, rep.Phases, "nothing ran")
}

// One error for both explorers: a mode that does not apply to a real
// process is harness.ErrBadConfig.
func TestTornModeIsHarnessBadConfig(t *testing.T) {
	_, err := sysexplore.Explore(context.Background(), sysexplore.Config{From: "../../testdata/toolhive-v0.47.0", Argv: []string{"true"}, Modes: []faults.Mode{faults.Torn}, Password: "x"})
	require.ErrorIs(t, err, harness.ErrBadConfig)
}
