//go:build unix

package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/atomicfile"
)

// plantAt returns a setup that creates, at name in the store directory,
// what make builds; "outside" is an unrelated file in the same directory
// that nothing may touch.
func plantAt(name string, make func(t *testing.T, p, outside string)) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		outside := filepath.Join(dir, "unrelated.txt")
		require.NoError(t, os.WriteFile(outside, []byte("not scopemig's"), 0o644))
		make(t, filepath.Join(dir, name), outside)
		return nil
	}
}

func symlinkTo(t *testing.T, p, outside string)  { require.NoError(t, os.Symlink(outside, p)) }
func hardlinkTo(t *testing.T, p, outside string) { require.NoError(t, os.Link(outside, p)) }
func fifo(t *testing.T, p, _ string)             { require.NoError(t, syscall.Mkfifo(p, 0o600)) }
func mkdir(t *testing.T, p, _ string)            { require.NoError(t, os.Mkdir(p, 0o700)) }

// holdLockFor returns a setup that starts another process holding a lock
// (see startLockHolder) and sets a short --lock-timeout.
func holdLockFor(which string) func(t *testing.T, dir string) []string {
	return func(t *testing.T, dir string) []string {
		target := filepath.Join(dir, "secrets_encrypted.lock")
		if which == "dir" {
			target = "dir:" + dir
		}
		startLockHolder(t, target)
		return []string{"--lock-timeout", "1200ms"}
	}
}

// otherOwner gives the directory, store and config to uid 4242, gid 4343
// (root only: CI runs as root).
func otherOwner(t *testing.T, dir string) []string {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown files to another uid (CI runs as root)")
	}
	for _, p := range []string{dir, filepath.Join(dir, "secrets_encrypted"), filepath.Join(dir, "config.yaml")} {
		require.NoError(t, os.Chown(p, 4242, 4343))
	}
	return nil
}

// ownersKept checks that every entry of the directory, new or replaced,
// belongs to uid 4242, gid 4343, and that files are 0600.
func ownersKept(t *testing.T, command, dir, _ string, _, _ map[string]treeEntry) {
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range append([]os.DirEntry{nil}, entries...) {
		p := dir
		if e != nil {
			p = filepath.Join(dir, e.Name())
		}
		fi, err := os.Lstat(p)
		require.NoError(t, err)
		st := fi.Sys().(*syscall.Stat_t)
		require.Equal(t, [2]uint32{4242, 4343}, [2]uint32{st.Uid, st.Gid}, "%s after %s", p, command)
		if e != nil {
			require.Equal(t, os.FileMode(0o600), fi.Mode().Perm(), p)
		}
	}
	if command == "migrate" {
		require.Equal(t, true, yamlMap(t, afero.NewOsFs(), filepath.Join(dir, "config.yaml"))["secret_scope_migration"])
	}
}

// fullDiskForConfig fails every write to the config's temp file with
// ENOSPC (faults.FS over the real directory: a real full disk is not
// available to the tests).
func fullDiskForConfig(fsys afero.Fs, dir string) afero.Fs {
	return faults.NewFS(fsys, failWritesTo{path: atomicfile.TempName(filepath.Join(dir, "config.yaml")), errno: syscall.ENOSPC}).Fs()
}

// fullDiskForStore fails every write to the store's temp file with ENOSPC
// (as fullDiskForConfig).
func fullDiskForStore(fsys afero.Fs, dir string) afero.Fs {
	return faults.NewFS(fsys, failWritesTo{path: atomicfile.TempName(filepath.Join(dir, "secrets_encrypted")), errno: syscall.ENOSPC}).Fs()
}

// flagNotSet: the store was migrated (it changed), the config did not,
// no temp file is left, and the report was printed.
func flagNotSet(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
	if command == "plan" {
		return // plan does not write: accepted with nothing written
	}
	require.NotEqual(t, before["secrets_encrypted"], after["secrets_encrypted"], "the store is migrated")
	require.Equal(t, before["config.yaml"], after["config.yaml"], "the config is untouched")
	for p := range after {
		require.False(t, atomicfile.IsTemp(p), "no temp file left: %s", p)
	}
	require.Contains(t, out, "flag NOT set")
	require.NotContains(t, decrypt(t, afero.NewOsFs(), filepath.Join(dir, "secrets_encrypted")), "BEARER_TOKEN_fetch")
}

// foreignReported: plan reports a planted temp name as foreign, not as a
// crashed run's leftover that migrate would remove.
func foreignReported(t *testing.T, command, _, out string, _, _ map[string]treeEntry) {
	if command == "plan" {
		require.Contains(t, out, "foreign file: ")
		require.NotContains(t, out, "leftover: ")
	}
}

// foreignIs: plan names what is planted at the temp name in words.
func foreignIs(kind string) func(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
	return func(t *testing.T, command, dir, out string, before, after map[string]treeEntry) {
		foreignReported(t, command, dir, out, before, after)
		if command == "plan" {
			require.Contains(t, out, " is "+kind+", not a temp file scopemig wrote")
		}
	}
}

// machineCases are the real-machine hazards: links and FIFOs
// planted at temp and lock names, owners, a copy of a store without its
// config, locks held by other processes, and a flag write that fails.
func machineCases() []hostileCase {
	storeTmp, cfgTmp := atomicfile.TempName("secrets_encrypted"), atomicfile.TempName("config.yaml")
	return []hostileCase{
		{nothingChanged: true, name: "store temp name: a symlink to an unrelated file", setup: plantAt(storeTmp, symlinkTo), planAccepts: true, check: foreignReported, want: "is a symlink that scopemig did not create"},
		{nothingChanged: true, name: "store temp name: a dangling symlink", setup: plantAt(storeTmp, func(t *testing.T, p, outside string) { symlinkTo(t, p, outside+".new") }), planAccepts: true, check: foreignReported, want: "is a symlink that scopemig did not create"},
		{nothingChanged: true, name: "store temp name: a hard link to an unrelated file", setup: plantAt(storeTmp, hardlinkTo), planAccepts: true, check: foreignReported, want: "has 2 hard links"},
		{nothingChanged: true, name: "store temp name: a directory", setup: plantAt(storeTmp, mkdir), planAccepts: true, check: foreignIs("a directory"), want: "is a directory that scopemig did not create; remove it if it is not yours; nothing changed"},
		{name: "store: a FIFO", setup: replaceWith("secrets_encrypted", func(t *testing.T, _, p string) { fifo(t, p, "") }), want: "secrets file is not a regular file (a FIFO)"},
		{name: "config: a FIFO", setup: replaceWith("config.yaml", func(t *testing.T, _, p string) { fifo(t, p, "") }), want: "not a regular file (a FIFO)"},
		{nothingChanged: true, name: "config temp name: a symlink to an unrelated file", setup: plantAt(cfgTmp, symlinkTo), planAccepts: true, want: "cannot be written; nothing changed"},
		{nothingChanged: true, name: "config temp name: a FIFO", setup: plantAt(cfgTmp, fifo), planAccepts: true, want: "is a FIFO that scopemig did not create"},
		{nothingChanged: true, name: "store lock file: a symlink to an unrelated file", setup: plantAt("secrets_encrypted.lock", symlinkTo), planAccepts: true, want: "lock file is not a regular file"},
		{nothingChanged: true, name: "store lock file: a FIFO", setup: plantAt("secrets_encrypted.lock", fifo), planAccepts: true, want: "lock file is not a regular file"},
		{nothingChanged: true, name: "config lock file: a symlink to an unrelated file", setup: plantAt("config.yaml.lock", symlinkTo), planAccepts: true, want: "lock file is not a regular file"},
		{name: "password file: a FIFO with no writer", setup: func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "password")
			fifo(t, p, "")
			return []string{"--password-file", p}
		}, env: map[string]string{}, want: "is a FIFO"},
		{name: "password file: a symlink to /dev/zero", setup: func(t *testing.T, dir string) []string {
			p := filepath.Join(dir, "password")
			require.NoError(t, os.Symlink("/dev/zero", p))
			return []string{"--password-file", p}
		}, env: map[string]string{}, want: "is a device"},
		{name: "store and config owned by another user (uid 4242), run as root", setup: otherOwner, check: ownersKept},
		{name: "--secrets-file a copy, no --config", noConfig: true, planAccepts: true, want: "pass --config with the config that goes with it, or --no-flag"},
		{nothingChanged: true, transient: true, name: "ToolHive holds secrets_encrypted.lock (--lock-timeout 1.2s)", setup: holdLockFor("file"), planAccepts: true, notice: true, want: "timed out waiting for a lock held by another process"},
		{nothingChanged: true, name: "another scopemig holds the store directory lock (--lock-timeout 1.2s)", setup: holdLockFor("dir"), notice: true, want: "timed out waiting for a lock held by another process"},
		{nothingChanged: true, transient: true, name: "disk full (ENOSPC) when the store is written", fs: fullDiskForStore, planAccepts: true, want: "no space left on device: the disk is full: free space and re-run; nothing changed"},
		{transient: true, name: "disk full (ENOSPC) when the flag is written", fs: fullDiskForConfig, planAccepts: true, writes: true, check: flagNotSet, want: "no space left on device (the disk holding the config is full: free space and re-run)"},
	}
}
