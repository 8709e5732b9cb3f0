package main

import (
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/migrate"
)

func TestPlanWritesNothing(t *testing.T) {
	for _, policy := range []string{"keep", "drop"} {
		t.Run(policy, func(t *testing.T) {
			osfs := afero.NewOsFs()
			dir := install(t, osfs, t.TempDir())
			before := snapshot(t, osfs, dir)
			cfs := faults.NewFS(osfs, nil) // counts every mutating operation
			args := []string{"--secrets-file", filepath.Join(dir, "secrets_encrypted"), "--config", filepath.Join(dir, "config.yaml"), "--on-conflict", policy}

			out, errOut, code := run(t, newPlanCmdEnv, testEnv(cfs.Fs(), pwEnv()), args...)
			require.Equal(t, 0, code, errOut)
			require.Contains(t, out, "KEY")
			require.Contains(t, out, "__thv_workloads_BEARER_TOKEN_fetch")
			require.Contains(t, out, "nothing written")
			assertNoValues(t, out)
			if policy == "keep" {
				require.Contains(t, out, "conflict-quarantined -> __thv_legacy_BEARER_TOKEN_conflict")
			} else {
				require.Contains(t, out, "conflict-dropped")
			}

			out, errOut, code = run(t, newPlanCmdEnv, testEnv(cfs.Fs(), pwEnv()), append(args, "--json")...)
			require.Equal(t, 0, code, errOut)
			var rep planReport
			require.NoError(t, json.Unmarshal([]byte(out), &rep))
			require.Equal(t, "plan", rep.Command)
			require.False(t, rep.AlreadyMigrated)
			require.Len(t, rep.Steps, 9)
			require.Equal(t, 7, rep.Counts.Moved)

			require.Zero(t, cfs.Ops(), "mutating operations: %v", cfs.Log())
			require.Equal(t, before, snapshot(t, osfs, dir))

			// After a migration the plan is empty and says so.
			_, errOut, code = run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), args...)
			require.Equal(t, 0, code, errOut)
			out, errOut, code = run(t, newPlanCmdEnv, testEnv(osfs, pwEnv()), append(args, "--json")...)
			require.Equal(t, 0, code, errOut)
			var raw map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &raw))
			require.Equal(t, true, raw["already_migrated"])
			require.Equal(t, []any{}, raw["steps"])
			out, _, _ = run(t, newPlanCmdEnv, testEnv(osfs, pwEnv()), args...)
			require.Contains(t, out, "no legacy keys")
			require.Contains(t, out, "already ran")
		})
	}
}

func TestPlanMatchesMigrate(t *testing.T) {
	fsys := afero.NewMemMapFs()
	dir := install(t, fsys, "/t")
	args := []string{"--secrets-file", dir + "/secrets_encrypted", "--config", dir + "/config.yaml", "--json"}
	out, errOut, code := run(t, newPlanCmdEnv, testEnv(fsys, pwEnv()), args...)
	require.Equal(t, 0, code, errOut)
	var plan planReport
	require.NoError(t, json.Unmarshal([]byte(out), &plan))
	out, errOut, code = run(t, newMigrateCmdEnv, testEnv(fsys, pwEnv()), args...)
	require.Equal(t, 0, code, errOut)
	var mig migrateReport
	require.NoError(t, json.Unmarshal([]byte(out), &mig))
	// Fingerprints are keyed by the store's password (issue 21 item 9), not
	// per run: the two runs agree on everything, fingerprints included.
	require.Equal(t, plan.Steps, mig.Steps)
	require.Equal(t, migrate.StatusMigrated, mig.Status)
}
