package dirstore_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/secrets"
)

var pw = []byte("pw")

// content reads the whole store through a fresh Open (which rolls a
// leftover journal forward) and checks the directory holds nothing but
// secret files afterwards.
func content(t *testing.T, fsys afero.Fs) map[string]string {
	t.Helper()
	s, err := dirstore.Open(fsys, dir, pw)
	require.NoError(t, err)
	var got map[string]string
	require.NoError(t, s.Update(context.Background(), func(m map[string]string) error {
		got = maps.Clone(m)
		return nil
	}))
	files, err := afero.ReadDir(fsys, dir)
	if err == nil {
		for _, fi := range files {
			require.Equal(t, dirstore.Suffix, filepath.Ext(fi.Name()), "only secret files left: %s", fi.Name())
		}
	}
	return got
}

// change is the Update under test: it touches three keys (one set, one
// delete, one create) and leaves one alone.
func change(m map[string]string) error {
	m["a"] = "a-new"
	delete(m, "b")
	m["e"] = "e-new"
	return nil
}

func TestUpdateCrashAtEveryOpIsAtomic(t *testing.T) {
	ctx := context.Background()
	old := map[string]string{"a": "a-old", "b": "b-old", "c": "c-old"}
	want := maps.Clone(old)
	require.NoError(t, change(want))

	seedDisk := faults.NewMemFS()
	s, err := dirstore.Open(faults.NewFS(seedDisk, nil), dir, pw)
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(m map[string]string) error { maps.Copy(m, old); return nil }))
	base := seedDisk.CrashImage(faults.Power, rand.New(rand.NewPCG(1, 2))) // everything acknowledged is durable
	require.Equal(t, old, content(t, base.Clone()))

	run := func(inj faults.Injector) *faults.FS {
		proc := faults.NewFS(base.Clone(), inj)
		s, err := dirstore.Open(proc, dir, pw)
		if err == nil {
			err = s.Update(ctx, change)
		}
		if !proc.Crashed() {
			require.NoError(t, err)
		}
		return proc
	}
	total := run(nil).Ops()
	require.Greater(t, total, 6, "a journaled update of three files")
	sawOld, sawNew := false, false
	for op := 0; op < total; op++ {
		for _, mode := range faults.Modes() {
			for seed := uint64(0); seed < 3; seed++ {
				proc := run(faults.CrashAt{Op: op, Mode: mode, Seed: seed})
				require.True(t, proc.Crashed())
				img, err := proc.Image()
				require.NoError(t, err)
				got := content(t, img)
				if maps.Equal(got, old) {
					sawOld = true
					continue
				}
				sawNew = true
				require.Equal(t, want, got, "crash at op %d mode %s seed %d: all old or all new", op, mode, seed)
			}
		}
	}
	require.True(t, sawOld && sawNew, "crashes land on both sides of the commit point")
}

func TestUpdateJournalRolledForwardByOpen(t *testing.T) {
	ctx := context.Background()
	fsys := afero.NewMemMapFs()
	errCrash := errors.New("simulated crash after the journal")
	stop := &stopFs{Fs: fsys, base: "pending.jnl", err: errCrash}
	s, err := dirstore.OpenContext(ctx, stop, dir, pw)
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(m map[string]string) error {
		m["a"], m["b"], m["c"] = "a-old", "b-old", "c-old"
		return nil
	}))
	stop.armed = true
	require.ErrorIs(t, s.Update(ctx, change), errCrash)
	journal, err := afero.ReadFile(fsys, filepath.Join(dir, "pending.jnl"))
	require.NoError(t, err)
	require.NotEmpty(t, journal)
	for _, v := range []string{"a-new", "e-new"} {
		require.False(t, bytes.Contains(journal, []byte(v)), "journal holds no plaintext name or value")
	}
	files, err := afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	require.Len(t, files, 4, "three old secret files and the journal")

	require.Equal(t, map[string]string{"a": "a-new", "c": "c-old", "e": "e-new"}, content(t, fsys))
	files, err = afero.ReadDir(fsys, dir)
	require.NoError(t, err)
	require.Len(t, files, 3, "journal removed by the roll forward")

	// A journal that does not authenticate is refused, not replayed.
	require.NoError(t, afero.WriteFile(fsys, filepath.Join(dir, "pending.jnl"), append([]byte("SMJ2"), make([]byte, 40)...), 0o600))
	_, err = dirstore.Open(fsys, dir, pw)
	require.ErrorIs(t, err, dirstore.ErrDecrypt)
}

func TestUpdateWithoutChangeWritesNothing(t *testing.T) {
	ctx := context.Background()
	disk := faults.NewMemFS()
	proc := faults.NewFS(disk, nil)
	s, err := dirstore.Open(proc, dir, pw)
	require.NoError(t, err)
	require.NoError(t, s.Update(ctx, func(map[string]string) error { return nil }))
	require.Zero(t, proc.Ops(), "an empty store stays unwritten")
	_, err = proc.Stat(dir)
	require.ErrorIs(t, err, os.ErrNotExist, "directory not created")

	require.NoError(t, s.SetSecret(ctx, "k", "v"))
	before := proc.Ops()
	require.NoError(t, s.Update(ctx, func(m map[string]string) error { m["k"] = "v"; return nil }))
	errFn := errors.New("fn failed")
	require.ErrorIs(t, s.Update(ctx, func(m map[string]string) error { m["k"] = "w"; return errFn }), errFn)
	require.Equal(t, before, proc.Ops(), "no write for an unchanged content or a failed fn")
	require.ErrorIs(t, s.Update(ctx, func(m map[string]string) error { m[""] = "x"; return nil }), secrets.ErrInvalidName)
	require.Equal(t, before, proc.Ops(), "an invalid name is refused before any write")
	v, err := s.GetSecret(ctx, "k")
	require.NoError(t, err)
	require.Equal(t, "v", v)
}
