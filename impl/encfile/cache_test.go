package encfile_test

import (
	"sync"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
)

// Stores sharing a cache see exactly what stores without one see: the
// content of the file, reread on every call, and a wrong password never
// gets another key's cached content.
func TestCacheSharedStores(t *testing.T) {
	const path = "/data/secrets_encrypted"
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	require.NoError(t, afero.WriteFile(fsys, path, fixtureFile(t), 0o600))
	c := encfile.WithCache(encfile.NewCache(0))

	a, err := encfile.Open(fsys, path, password, c)
	require.NoError(t, err)
	b, err := encfile.Open(fsys, path, password, c)
	require.NoError(t, err)
	got, err := b.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, fixtureRaw(t), got)

	// A write through a recorded its bytes; b and a cacheless store read them.
	require.NoError(t, a.SetSecret(ctx, "new-key", "new-value-0001"))
	want := fixtureRaw(t)
	want["new-key"] = "new-value-0001"
	got, err = b.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got)
	plain, err := encfile.Open(fsys, path, password)
	require.NoError(t, err)
	got, err = plain.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got)

	// Snapshots are private copies: changing one changes nothing cached.
	got["new-key"] = "changed"
	got, err = b.Snapshot(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got)

	_, err = encfile.Open(fsys, path, []byte("wrong password"), c)
	require.ErrorIs(t, err, encfile.ErrDecrypt)
}

// A cached store rereads the file: a change by a cacheless writer is seen.
func TestCacheSeesOtherWriters(t *testing.T) {
	const path = "/data/secrets_encrypted"
	fsys := fslock.WithLocker(afero.NewMemMapFs())
	a, err := encfile.Open(fsys, path, password, encfile.WithCache(encfile.NewCache(0)))
	require.NoError(t, err)
	w, err := encfile.Open(fsys, path, password)
	require.NoError(t, err)
	for i := range 5 {
		require.NoError(t, w.SetSecret(ctx, "k", valueN(i)))
		v, err := a.GetSecret(ctx, "k")
		require.NoError(t, err)
		require.Equal(t, valueN(i), v)
	}
}

// Stores on different goroutines may share one cache (run with -race).
func TestCacheConcurrent(t *testing.T) {
	c := encfile.WithCache(encfile.NewCache(0))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fsys := fslock.WithLocker(afero.NewMemMapFs())
			s, err := encfile.Open(fsys, "/d/s", password, c)
			if !assertNoErr(t, err) {
				return
			}
			for i := range 20 {
				if !assertNoErr(t, s.SetSecret(ctx, "k", valueN(g*100+i))) {
					return
				}
				r, err := encfile.Open(fsys, "/d/s", password, c)
				if !assertNoErr(t, err) {
					return
				}
				v, err := r.GetSecret(ctx, "k")
				if !assertNoErr(t, err) || v != valueN(g*100+i) {
					t.Errorf("goroutine %d: read back a different value", g)
					return
				}
				l, err := r.ListSecrets(ctx)
				if !assertNoErr(t, err) || len(l) != 1 || l[0].Key != "k" {
					t.Errorf("goroutine %d: listed %v", g, l)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func assertNoErr(t *testing.T, err error) bool {
	if err != nil {
		t.Error(err)
		return false
	}
	return true
}

func valueN(i int) string {
	return "cache-test-value-" + string(rune('a'+i%26)) + string(rune('a'+i/26%26))
}
