package encfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
)

func TestOpenFixture(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "secrets_encrypted")
	require.NoError(t, os.WriteFile(path, fixtureFile(t), 0o600))
	before := treeSnapshot(t, dir)

	s, err := encfile.Open(afero.NewOsFs(), path, password)
	require.NoError(t, err)
	got, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, fixtureRaw(t), got)
	v, err := s.GetSecret(ctx, "github-token")
	require.NoError(t, err)
	require.Equal(t, fixtureRaw(t)["github-token"], v)
	list, err := s.ListSecrets(ctx)
	require.NoError(t, err)
	require.Len(t, list, len(fixtureRaw(t)))
	require.True(t, slicesIsSortedByKey(list))
	require.Equal(t, before, treeSnapshot(t, dir), "reading writes nothing")
}

func slicesIsSortedByKey(l []secrets.SecretDescription) bool {
	for i := 1; i < len(l); i++ {
		if l[i-1].Key >= l[i].Key {
			return false
		}
	}
	return true
}

func TestProviderSemantics(t *testing.T) {
	fsys := countOps(fslock.WithLocker(afero.NewMemMapFs()))
	s, err := encfile.Open(fsys, "/data/toolhive/secrets_encrypted", password)
	require.NoError(t, err)
	require.Zero(t, fsys.writes(), "opening a missing store writes nothing")
	require.Equal(t, secrets.Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}, s.Capabilities())

	_, err = s.GetSecret(ctx, "nope")
	require.ErrorIs(t, err, secrets.ErrNotFound)
	list, err := s.ListSecrets(ctx)
	require.NoError(t, err)
	require.Empty(t, list)

	require.NoError(t, s.SetSecret(ctx, "a", "1"))
	require.Equal(t, 1, fsys.count("rename"), "one atomic replace per write")
	require.NoError(t, s.SetSecret(ctx, "b", "2"))
	require.NoError(t, s.SetSecret(ctx, "a", "1"))
	require.Equal(t, 3, fsys.count("rename"), "SetSecret always writes, as ToolHive")

	n := fsys.writes()
	err = s.DeleteSecret(ctx, "missing")
	require.ErrorIs(t, err, secrets.ErrNotFound)
	require.Equal(t, n, fsys.writes(), "failed delete writes nothing")

	require.NoError(t, s.DeleteSecret(ctx, "a"))
	_, err = s.GetSecret(ctx, "a")
	require.ErrorIs(t, err, secrets.ErrNotFound)

	require.NoError(t, s.SetSecret(ctx, "c", "3"))
	require.NoError(t, s.DeleteSecrets(ctx, []string{"b", "missing"}), "missing keys ignored")
	got, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"c": "3"}, got)

	require.NoError(t, s.Cleanup())
	got, err = s.Snapshot(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
	exists, err := afero.Exists(fsys, "/data/toolhive/secrets_encrypted")
	require.NoError(t, err)
	require.True(t, exists, "Cleanup leaves an encrypted empty store")

	for _, bad := range []string{"", "\xff"} {
		require.ErrorIs(t, s.SetSecret(ctx, bad, "v"), secrets.ErrInvalidName)
		_, err = s.GetSecret(ctx, bad)
		require.ErrorIs(t, err, secrets.ErrInvalidName)
		require.ErrorIs(t, s.DeleteSecret(ctx, bad), secrets.ErrInvalidName)
	}
	err = s.SetSecret(ctx, "k", "sekrit\xff")
	require.ErrorIs(t, err, encfile.ErrInvalidValue)
	require.ErrorIs(t, err, errors.ErrUnsupported, "unrepresentable values are an unsupported-value case")
	require.NotContains(t, err.Error(), "sekrit", "values never appear in errors")
}

func TestFilePermsAndCreatedDir(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "share", "toolhive", "secrets_encrypted")
	s, err := encfile.Open(afero.NewOsFs(), path, password)
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(root, "share"))
	require.ErrorIs(t, err, fs.ErrNotExist, "Open creates nothing")
	_, err = s.GetSecret(ctx, "x")
	require.ErrorIs(t, err, secrets.ErrNotFound)

	require.NoError(t, s.SetSecret(ctx, "x", "y"))
	fi, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err := os.Stat(filepath.Dir(path))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
	entries, err := os.ReadDir(filepath.Dir(path))
	require.NoError(t, err)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{"secrets_encrypted", "secrets_encrypted.lock"}, names,
		"no temp file; ToolHive's sidecar lock file stays")
	li, err := os.Stat(path + encfile.LockFileSuffix)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), li.Mode().Perm())
	require.Zero(t, li.Size(), "the lock file holds no data")

	// An existing file with loose permissions is tightened by the next write.
	require.NoError(t, os.Chmod(path, 0o644))
	require.NoError(t, s.SetSecret(ctx, "x", "z"))
	fi, err = os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	// The same on an in-memory Fs.
	mem := fslock.WithLocker(afero.NewMemMapFs())
	ms, err := encfile.Open(mem, "/a/b/secrets", password)
	require.NoError(t, err)
	require.NoError(t, ms.SetSecret(ctx, "k", "v"))
	fi, err = mem.Stat("/a/b/secrets")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	di, err = mem.Stat("/a/b")
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), di.Mode().Perm())
}

func TestTwoInstancesShareTheFile(t *testing.T) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	a, err := encfile.Open(mem, "/s/secrets", password)
	require.NoError(t, err)
	b, err := encfile.Open(mem, "/s/secrets", password)
	require.NoError(t, err)

	require.NoError(t, a.SetSecret(ctx, "k", "from-a"))
	v, err := b.GetSecret(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "from-a", v)
	require.NoError(t, b.DeleteSecret(ctx, "k"))
	_, err = a.GetSecret(ctx, "k")
	require.ErrorIs(t, err, secrets.ErrNotFound)
}

// TestConcurrentUpdatesLoseNothing runs read-modify-writes from two Store
// instances at once; the directory lock must serialise them.
func TestConcurrentUpdatesLoseNothing(t *testing.T) {
	for name, mk := range map[string]func(t *testing.T) (afero.Fs, string){
		"memfs": func(*testing.T) (afero.Fs, string) {
			return fslock.WithLocker(afero.NewMemMapFs()), "/s/secrets"
		},
		"osfs-flock": func(t *testing.T) (afero.Fs, string) {
			return afero.NewOsFs(), filepath.Join(t.TempDir(), "secrets")
		},
	} {
		t.Run(name, func(t *testing.T) {
			fsys, path := mk(t)
			const workers, rounds = 4, 15
			var wg sync.WaitGroup
			for w := range workers {
				s, err := encfile.Open(fsys, path, password)
				require.NoError(t, err)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range rounds {
						err := s.Update(ctx, func(m map[string]string) error {
							n, _ := strconv.Atoi(m["counter"])
							m["counter"] = strconv.Itoa(n + 1)
							m["w"+strconv.Itoa(w)] = "seen"
							return nil
						})
						if err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			s, err := encfile.Open(fsys, path, password)
			require.NoError(t, err)
			got, err := s.Snapshot(ctx)
			require.NoError(t, err)
			require.Equal(t, strconv.Itoa(workers*rounds), got["counter"])
			require.Len(t, got, workers+1)
		})
	}
}

func TestUpdate(t *testing.T) {
	fsys := countOps(fslock.WithLocker(afero.NewMemMapFs()))
	s, err := encfile.Open(fsys, "/s/secrets", password)
	require.NoError(t, err)
	require.NoError(t, s.SetSecret(ctx, "a", "1"))
	n := fsys.writes()

	// No change: not one write.
	require.NoError(t, s.Update(ctx, func(m map[string]string) error {
		m["a"] = "1"
		return nil
	}))
	require.NoError(t, s.Update(ctx, func(map[string]string) error { return nil }))
	require.Equal(t, n, fsys.writes())

	// fn fails: nothing written, error passed through.
	boom := errors.New("boom")
	err = s.Update(ctx, func(m map[string]string) error {
		m["a"] = "changed"
		return boom
	})
	require.ErrorIs(t, err, boom)
	require.Equal(t, n, fsys.writes())

	// Invalid content: refused before writing.
	err = s.Update(ctx, func(m map[string]string) error {
		m[""] = "x"
		return nil
	})
	require.ErrorIs(t, err, secrets.ErrInvalidName)
	require.Equal(t, n, fsys.writes())

	// A change is exactly one atomic replace.
	renames := fsys.count("rename")
	require.NoError(t, s.Update(ctx, func(m map[string]string) error {
		m["b"] = m["a"]
		delete(m, "a")
		return nil
	}))
	require.Equal(t, renames+1, fsys.count("rename"))
	got, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"b": "1"}, got)
}

func TestOpenRemovesStaleTemp(t *testing.T) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, mem.MkdirAll("/s", 0o700))
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", fixtureFile(t), 0o600))

	fsys := countOps(mem)
	_, err := encfile.Open(fsys, "/s/secrets", password)
	require.NoError(t, err)
	require.Zero(t, fsys.writes(), "no leftover, no write")

	require.NoError(t, afero.WriteFile(mem, atomicfile.TempName("/s/secrets"), []byte("torn"), 0o600))
	_, err = encfile.Open(fsys, "/s/secrets", password)
	require.NoError(t, err)
	require.Equal(t, []string{"remove"}, fsys.kinds())
	exists, err := afero.Exists(mem, atomicfile.TempName("/s/secrets"))
	require.NoError(t, err)
	require.False(t, exists)
}

func TestEmptyFileIsEmptyStore(t *testing.T) {
	// ToolHive v0.47.0's NewEncryptedManager creates a zero-length file for
	// a new store and reads it as empty; so does encfile.
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", nil, 0o600))
	fsys := countOps(mem)
	s, err := encfile.Open(fsys, "/s/secrets", password)
	require.NoError(t, err)
	got, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Empty(t, got)
	require.Zero(t, fsys.writes())
}

// TestOpenRejectsBadFiles: every bad store fails with its sentinel and not
// one byte of the directory tree changes (a stale temp is left alone too).
func TestOpenRejectsBadFiles(t *testing.T) {
	good := fixtureFile(t)
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)-5] ^= 0x80
	otherKey := encfile.KeyFromPassword([]byte("x"))
	otherKeyFile, err := encfile.Encode(otherKey, map[string]string{}, nil)
	require.NoError(t, err)

	cases := map[string]struct {
		setup func(t *testing.T, path string)
		pw    []byte
		want  error
	}{
		"wrong password": {func(t *testing.T, p string) { write(t, p, good) }, []byte("wrong"), encfile.ErrDecrypt},
		"truncated":      {func(t *testing.T, p string) { write(t, p, good[:20]) }, password, encfile.ErrTruncated},
		"cut tag":        {func(t *testing.T, p string) { write(t, p, good[:len(good)-3]) }, password, encfile.ErrDecrypt},
		"bit flipped":    {func(t *testing.T, p string) { write(t, p, flipped) }, password, encfile.ErrDecrypt},
		"other key":      {func(t *testing.T, p string) { write(t, p, otherKeyFile) }, password, encfile.ErrDecrypt},
		"directory": {func(t *testing.T, p string) {
			require.NoError(t, os.Mkdir(p, 0o700))
		}, password, encfile.ErrNotRegular},
		"dangling symlink": {func(t *testing.T, p string) {
			require.NoError(t, os.Symlink(filepath.Base(p)+".real", p))
		}, password, atomicfile.ErrUnsafeLink},
		"symlink to a directory": {func(t *testing.T, p string) {
			require.NoError(t, os.Mkdir(p+".real", 0o700))
			require.NoError(t, os.Symlink(filepath.Base(p)+".real", p))
		}, password, atomicfile.ErrUnsafeLink},
		"too large": {func(t *testing.T, p string) {
			write(t, p, good)
			require.NoError(t, os.Truncate(p, encfile.MaxFileSize+1)) // sparse
		}, password, encfile.ErrTooLarge},
		"empty password": {func(t *testing.T, p string) { write(t, p, good) }, nil, encfile.ErrNoPassword},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secrets_encrypted")
			tc.setup(t, path)
			write(t, atomicfile.TempName(path), []byte("leftover"))
			before := treeSnapshot(t, dir)

			_, err := encfile.Open(afero.NewOsFs(), path, tc.pw)
			require.ErrorIs(t, err, tc.want)
			require.NotContains(t, err.Error(), "ghp_user_visible_value_1")
			require.Equal(t, before, treeSnapshot(t, dir), "Open wrote something")
		})
	}
}

func TestCorruptJSONInMemory(t *testing.T) {
	// Authentic ciphertext of a non-document, on a counting in-memory Fs.
	key := encfile.KeyFromPassword(password)
	data := sealRaw(t, key, `{"secrets":["not","a","map"]}`)
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", data, 0o600))
	fsys := countOps(mem)
	_, err := encfile.Open(fsys, "/s/secrets", password)
	require.ErrorIs(t, err, encfile.ErrCorrupt)
	require.Zero(t, fsys.writes())

	big := make([]byte, encfile.MaxFileSize+1)
	require.NoError(t, afero.WriteFile(mem, "/t/secrets", big, 0o600))
	_, err = encfile.Open(fsys, "/t/secrets", password)
	require.ErrorIs(t, err, encfile.ErrTooLarge)
	require.Zero(t, fsys.writes())
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, data, 0o600))
}

// TestEveryOpRereads: a change made behind the Store's back, including a
// corruption, is seen by the next operation (no stale cache).
func TestEveryOpRereads(t *testing.T) {
	mem := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", fixtureFile(t), 0o600))
	s, err := encfile.Open(mem, "/s/secrets", password)
	require.NoError(t, err)
	_, err = s.GetSecret(ctx, "github-token")
	require.NoError(t, err)

	bad := fixtureFile(t)
	bad[40] ^= 1
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", bad, 0o600))
	_, err = s.GetSecret(ctx, "github-token")
	require.ErrorIs(t, err, encfile.ErrDecrypt)
	require.ErrorIs(t, s.SetSecret(ctx, "k", "v"), encfile.ErrDecrypt, "never overwrite an unreadable store")
	got, err := afero.ReadFile(mem, "/s/secrets")
	require.NoError(t, err)
	require.Equal(t, bad, got)

	other, err := encfile.Encode(encfile.KeyFromPassword(password), map[string]string{"only": "this"}, nil)
	require.NoError(t, err)
	require.NoError(t, afero.WriteFile(mem, "/s/secrets", other, 0o600))
	snap, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"only": "this"}, snap)

	// Callers own what they get: mutating a snapshot changes nothing.
	snap["only"] = "mutated"
	again, err := s.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, "this", again["only"])
}
