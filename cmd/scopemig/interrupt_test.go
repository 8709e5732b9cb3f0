//go:build unix

package main

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// TestInterruptedMigratePrintsOneLine: a real `scopemig migrate` child
// process, waiting for the store lock file ToolHive holds (another real
// process), gets SIGINT or SIGTERM once it has announced the wait; it
// prints exactly one line saying it was interrupted, what the store holds
// and that re-running is safe, exits 1, and wrote nothing. The same for
// `legacy drop` and SIGTERM. Synchronised on the wait notice, never on time.
func TestInterruptedMigratePrintsOneLine(t *testing.T) {
	for _, tc := range []struct {
		name   string
		sig    syscall.Signal
		args   []string
		prefix string
	}{
		{"migrate/SIGINT", syscall.SIGINT, []string{"migrate"}, "scopemig: migrate interrupted (SIGINT): " + migrateInterrupted},
		{"legacy drop/SIGTERM", syscall.SIGTERM, []string{"legacy", "drop", "BEARER_TOKEN_conflict"}, "scopemig: legacy drop interrupted (SIGTERM): " + legacyInterrupted},
	} {
		t.Run(tc.name, func(t *testing.T) {
			osfs := afero.NewOsFs()
			dir := install(t, osfs, t.TempDir())
			store, cfg := filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")
			args := append([]string{}, tc.args...)
			if tc.args[0] == "legacy" {
				_, errOut, code := run(t, newMigrateCmdEnv, testEnv(osfs, pwEnv()), "--secrets-file", store, "--config", cfg)
				require.Equal(t, 0, code, errOut)
			} else {
				args = append(args, "--config", cfg)
			}
			args = append(args, "--secrets-file", store, "--lock-timeout", "0")
			release := startLockHolder(t, store+".lock")
			defer func() { _ = release.Close() }()
			before := tree(t, dir)

			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), childEnv+"=1", PasswordEnvVar+"="+fixturePassword)
			stderr, err := cmd.StderrPipe()
			require.NoError(t, err)
			var stdout strings.Builder
			cmd.Stdout = &stdout
			require.NoError(t, cmd.Start())
			r := bufio.NewReader(stderr)
			notice, err := r.ReadString('\n')
			require.NoError(t, err)
			require.Contains(t, notice, "scopemig: waiting for the lock file "+store+".lock")
			require.NoError(t, cmd.Process.Signal(tc.sig))
			rest, err := io.ReadAll(r)
			require.NoError(t, err)
			err = cmd.Wait()
			var exit *exec.ExitError
			require.True(t, errors.As(err, &exit), "%v", err)
			require.Equal(t, 1, exit.ExitCode(), "exit status 1, not killed by the signal")
			require.Equal(t, tc.prefix+"\n", string(rest), "one line")
			require.Empty(t, stdout.String())
			require.Equal(t, before, tree(t, dir), "nothing written")
		})
	}
}
