//go:build linux

package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// nobody is the unprivileged uid and gid the tests run scopemig as.
const nobody = 65534

// asUser prepares a world-searchable directory holding a copy of this test
// binary (so that an unprivileged child can execute it) and returns the
// directory and a function that runs `scopemig <args>` in a child process
// as uid/gid nobody. Root only: CI runs as root.
func asUser(t *testing.T) (base string, runAs func(args ...string) (stderr string, code int)) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a child process as another uid (CI runs as root)")
	}
	base, err := os.MkdirTemp("", "scopemig-asuser-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(base) })
	require.NoError(t, os.Chmod(base, 0o755))
	exe := filepath.Join(base, "scopemig.test")
	src, err := os.Open(os.Args[0])
	require.NoError(t, err)
	dst, err := os.OpenFile(exe, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	require.NoError(t, err)
	_, err = io.Copy(dst, src)
	require.NoError(t, errors.Join(err, src.Close(), dst.Close()))
	return base, func(args ...string) (string, int) {
		cmd := exec.Command(exe, args...)
		cmd.Env = []string{childEnv + "=1", PasswordEnvVar + "=" + fixturePassword, "HOME=" + base, "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return errb.String(), exit.ExitCode()
		}
		require.NoError(t, err)
		return errb.String(), 0
	}
}

// userStore installs the fixture store in base/data, owned by nobody, and
// its config in base/conf (owned by root, 0755: nobody cannot write it).
func userStore(t *testing.T, base string) (store, cfg string) {
	t.Helper()
	osfs := afero.NewOsFs()
	data := install(t, osfs, filepath.Join(base, "data"))
	conf := filepath.Join(base, "conf")
	require.NoError(t, os.Mkdir(conf, 0o755))
	require.NoError(t, os.Chmod(conf, 0o755))
	cfg = filepath.Join(conf, "config.yaml")
	require.NoError(t, os.Rename(filepath.Join(data, "config.yaml"), cfg))
	for _, p := range []string{data, filepath.Join(data, "secrets_encrypted"), cfg} {
		require.NoError(t, os.Chown(p, nobody, nobody))
	}
	return filepath.Join(data, "secrets_encrypted"), cfg
}

// The case: the config's directory is not writable by the user.
// migrate used to rewrite the store and then fail to set the flag; now the
// preflight refuses before the first write: exit 1, nothing changed.
func TestMigrateConfigDirNotWritable(t *testing.T) {
	base, runAs := asUser(t)
	store, cfg := userStore(t, base)
	before := tree(t, base)
	errOut, code := runAs("migrate", "--secrets-file", store, "--config", cfg)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "the migration flag cannot be written; nothing changed")
	require.Contains(t, errOut, "directory not writable")
	require.Contains(t, errOut, "permission denied")
	require.Equal(t, before, tree(t, base), "not one byte written")

	// The same user with a writable config directory migrates.
	require.NoError(t, os.Chown(filepath.Dir(cfg), nobody, nobody))
	errOut, code = runAs("migrate", "--secrets-file", store, "--config", cfg)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, true, yamlMap(t, afero.NewOsFs(), cfg)["secret_scope_migration"])
}

// A user who does not own the store (here it belongs to uid 4242 and is
// readable by all) cannot replace it without changing its owner: refused
// before any write.
func TestMigrateRefusesOwnerChange(t *testing.T) {
	base, runAs := asUser(t)
	store, cfg := userStore(t, base)
	require.NoError(t, os.Chown(filepath.Dir(cfg), nobody, nobody))
	require.NoError(t, os.Chown(store, 4242, 4242))
	require.NoError(t, os.Chmod(store, 0o644))
	before := tree(t, base)
	errOut, code := runAs("migrate", "--secrets-file", store, "--config", cfg)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "the store cannot be rewritten; nothing changed")
	require.Contains(t, errOut, "replacing the file would change its owner")
	require.Equal(t, before, tree(t, base), "not one byte written")
}

// A store directory the user cannot write (another user's) is found by the
// preflight: refused before any write, even the lock file.
func TestMigrateStoreDirNotWritable(t *testing.T) {
	base, runAs := asUser(t)
	store, cfg := userStore(t, base)
	require.NoError(t, os.Chown(filepath.Dir(cfg), nobody, nobody))
	require.NoError(t, os.Chown(filepath.Dir(store), 0, 0))
	require.NoError(t, os.Chmod(filepath.Dir(store), 0o755))
	before := tree(t, base)
	errOut, code := runAs("migrate", "--secrets-file", store, "--config", cfg)
	require.Equal(t, 1, code, errOut)
	require.Contains(t, errOut, "the store cannot be rewritten; nothing changed")
	require.Contains(t, errOut, "directory not writable")
	require.Equal(t, before, tree(t, base), "not one byte written")
}
