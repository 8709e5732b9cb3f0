package main

import (
	"bytes"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// TestLegacyRestoreDropSurviveKill9 runs `scopemig legacy restore` and
// `legacy drop` as real child processes on a real directory and kills each
// with SIGKILL at a seeded random moment between its start and its end (the
// real kernel makes the crash image). After every kill the store, reopened
// as the next command would, holds exactly the content before or the
// content after the operation: no value is ever lost. The seed is printed
// on failure.
func TestLegacyRestoreDropSurviveKill9(t *testing.T) {
	const seed = 20261201
	kills := 24
	if testing.Short() {
		kills = 8
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("seed=%d; replay: go test ./cmd/scopemig -run TestLegacyRestoreDropSurviveKill9", seed)
		}
	})
	osfs := afero.NewOsFs()
	base := install(t, osfs, t.TempDir())
	store := filepath.Join(base, "secrets_encrypted")
	_, errOut, code := run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), "--secrets-file", store, "--config", filepath.Join(base, "config.yaml"))
	require.Equal(t, 0, code, errOut)
	const q = "__thv_legacy_BEARER_TOKEN_conflict"
	before, err := os.ReadFile(store)
	require.NoError(t, err)
	beforeContent := decrypt(t, osfs, store)

	child := func(dir string, args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], append(append([]string{"legacy"}, args...), "--secrets-file", filepath.Join(dir, "secrets_encrypted"))...)
		cmd.Env = append(os.Environ(), childEnv+"=1", PasswordEnvVar+"="+fixturePassword)
		return cmd
	}
	fresh := func() string {
		dir := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dir, "secrets_encrypted"), before, 0o600))
		return dir
	}
	rng := rand.New(rand.NewPCG(seed, 0x1e9ac7))
	for _, op := range [][]string{{"restore", q}, {"drop", q}} {
		// The content after, and how long an uninterrupted run takes.
		dir := fresh()
		var out bytes.Buffer
		cmd := child(dir, op...)
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		require.NoError(t, cmd.Run(), out.String())
		full := time.Since(start)
		afterContent := decrypt(t, osfs, filepath.Join(dir, "secrets_encrypted"))
		require.NotEqual(t, beforeContent, afterContent)

		seen := map[string]int{}
		for range kills {
			dir := fresh()
			cmd := child(dir, op...)
			require.NoError(t, cmd.Start())
			time.Sleep(time.Duration(rng.Int64N(int64(full) + 1)))
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			got := decrypt(t, osfs, filepath.Join(dir, "secrets_encrypted")) // opens as a restart does
			switch {
			case maps.Equal(got, beforeContent):
				seen["before"]++
			case maps.Equal(got, afterContent):
				seen["after"]++
			default:
				t.Fatalf("%v killed: the store holds neither the content before nor after (seed %d)", op, seed)
			}
		}
		t.Logf("%v: %d kills over %v runs: %v", op, kills, full.Round(time.Millisecond), seen)
	}
}
