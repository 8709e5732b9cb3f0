package faults_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/fslock"
)

var (
	_ fslock.Locker = (*faults.MemFS)(nil)
	_ fslock.Locker = (*faults.FS)(nil)
)

// replaceOps is the op sequence of atomicReplace: open, write, sync, close,
// rename, sync dir.
var replaceOps = []faults.OpKind{faults.OpOpen, faults.OpWrite, faults.OpSync, faults.OpClose, faults.OpRename, faults.OpSync}

func TestFSCountsMutatingOps(t *testing.T) {
	m := durableDisk(t)
	p := faults.NewFS(m, nil)
	require.NoError(t, atomicReplace(t, p, "/d", "store", "v1"))
	// Reads are not counted.
	_, err := afero.ReadFile(p, "/d/store")
	require.NoError(t, err)
	_, err = p.Stat("/d/store")
	require.NoError(t, err)
	require.Equal(t, len(replaceOps), p.Ops())
	log := p.Log()
	require.Len(t, log, len(replaceOps))
	for i, op := range log {
		require.Equal(t, i, op.Index)
		require.Equal(t, replaceOps[i], op.Kind, "op %d", i)
	}
	require.Equal(t, "/d/.store.tmp", log[0].Path)
	require.Equal(t, "/d/store", log[4].NewPath)
	require.Equal(t, 2, log[1].Len)
	require.Equal(t, "#1 write /d/.store.tmp (2 bytes)", log[1].String())

	// Every other mutating call counts once.
	before := p.Ops()
	require.NoError(t, p.Mkdir("/e", 0o700))
	require.NoError(t, p.MkdirAll("/e/f/g", 0o700))
	require.NoError(t, p.Chmod("/e", 0o755))
	require.NoError(t, p.Chown("/e", 0, 0))
	require.NoError(t, p.Chtimes("/e", time.Time{}, time.Time{}))
	f, err := p.Create("/e/x")
	require.NoError(t, err)
	require.NoError(t, f.Truncate(3))
	require.NoError(t, f.Close())
	require.NoError(t, p.Remove("/e/x"))
	require.NoError(t, p.RemoveAll("/e"))
	require.Equal(t, before+10, p.Ops())
	require.False(t, p.Crashed())
	require.Equal(t, faults.Process, p.Mode())
}

func TestFSCrashAtEveryOp(t *testing.T) {
	base := durableDisk(t)
	writeSynced(t, base, "/d/store", "old")
	syncDir(t, base, "/d")
	for k := range replaceOps {
		for _, mode := range faults.Modes() {
			m := base.Clone()
			p := faults.NewFS(m, faults.CrashAt{Op: k, Mode: mode, Seed: 7})
			err := atomicReplace(t, p, "/d", "store", "new-content")
			require.ErrorIs(t, err, faults.ErrCrashed, "op %d", k)
			require.True(t, p.Crashed())
			require.Equal(t, mode, p.Mode())
			require.Equal(t, k+1, p.Ops(), "the crashing op is numbered, nothing after it")
			img, err := p.Image()
			require.NoError(t, err)
			got := content(t, img, "/d/store")
			// The replace is atomic in every mode: old or new.
			require.Contains(t, []string{"old", "new-content"}, got, "op %d mode %s", k, mode)
			if k < 4 {
				require.Equal(t, "old", got, "crash before the rename (op %d, %s)", k, mode)
			}
			if mode == faults.Power && k < 5 {
				require.Equal(t, "old", got, "rename not durable before the dir sync")
			}
		}
	}
}

func TestFSProcessCrashSkipsOp(t *testing.T) {
	m := durableDisk(t)
	p := faults.NewFS(m, faults.CrashAt{Op: 1})
	f, err := p.Create("/d/f")
	require.NoError(t, err)
	n, err := f.Write([]byte("lost"))
	require.ErrorIs(t, err, faults.ErrCrashed)
	require.Equal(t, 0, n)
	require.Equal(t, "", content(t, m, "/d/f"), "the crashing write is not performed")
}

func TestFSTornWritePrefix(t *testing.T) {
	data := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	seen := map[int]bool{}
	for seed := range uint64(40) {
		m := durableDisk(t)
		p := faults.NewFS(m, faults.CrashAt{Op: 1, Mode: faults.Torn, Seed: seed})
		f, err := p.Create("/d/f")
		require.NoError(t, err)
		_, err = f.Write(data)
		require.ErrorIs(t, err, faults.ErrCrashed)
		got := content(t, m, "/d/f")
		require.Less(t, len(got), len(data))
		require.Equal(t, string(data[:len(got)]), got, "a prefix")
		img, err := p.Image()
		require.NoError(t, err)
		require.Equal(t, got, content(t, img, "/d/f"))
		seen[len(got)] = true

		// Deterministic for the seed.
		m2 := durableDisk(t)
		p2 := faults.NewFS(m2, faults.CrashAt{Op: 1, Mode: faults.Torn, Seed: seed})
		f2, err := p2.Create("/d/f")
		require.NoError(t, err)
		_, _ = f2.Write(data)
		require.Equal(t, got, content(t, m2, "/d/f"))
	}
	require.Greater(t, len(seen), 5)
}

func TestFSCrashKillsHandles(t *testing.T) {
	m := durableDisk(t)
	writeSynced(t, m, "/d/r", "read")
	p := faults.NewFS(m, faults.CrashAt{Op: 2})
	w, err := p.Create("/d/w") // op 0
	require.NoError(t, err)
	r, err := p.Open("/d/r")
	require.NoError(t, err)
	_, err = w.Write([]byte("x")) // op 1
	require.NoError(t, err)
	require.ErrorIs(t, w.Sync(), faults.ErrCrashed) // op 2 crashes

	_, err = r.Read(make([]byte, 4))
	require.ErrorIs(t, err, faults.ErrCrashed)
	_, err = w.Write([]byte("y"))
	require.ErrorIs(t, err, faults.ErrCrashed)
	require.ErrorIs(t, w.Close(), faults.ErrCrashed)
	require.ErrorIs(t, r.Close(), faults.ErrCrashed)
	_, err = r.Stat()
	require.ErrorIs(t, err, faults.ErrCrashed)
	_, err = p.Open("/d/r")
	require.ErrorIs(t, err, faults.ErrCrashed)
	_, err = p.Stat("/d/r")
	require.ErrorIs(t, err, faults.ErrCrashed)
	require.ErrorIs(t, p.Mkdir("/z", 0o700), faults.ErrCrashed)
	_, err = p.Lock(context.Background(), "/d")
	require.ErrorIs(t, err, faults.ErrCrashed)
	require.Equal(t, 3, p.Ops(), "calls after the crash are not numbered")
	require.Equal(t, "x", content(t, m, "/d/w"), "the disk keeps what the process did")
}

func TestFSCrashReleasesLocks(t *testing.T) {
	ctx := context.Background()
	m := durableDisk(t)
	p1 := faults.NewFS(m, faults.CrashAt{Op: 0})
	p2 := faults.NewFS(m, nil)
	release, err := p1.Lock(ctx, "/d")
	require.NoError(t, err)

	// p2 waits while p1 holds the lock.
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = p2.Lock(short, "/d/")
	require.ErrorIs(t, err, context.DeadlineExceeded)

	got := make(chan error, 1)
	go func() {
		r, err := p2.Lock(ctx, "/d")
		if err == nil {
			err = r()
		}
		got <- err
	}()
	require.ErrorIs(t, p1.Mkdir("/x", 0o700), faults.ErrCrashed) // p1 dies holding the lock
	select {
	case err := <-got:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("lock not released by the crash")
	}
	require.ErrorIs(t, release(), faults.ErrCrashed)
	// The lock is free again, and the crashed process's release did not
	// steal anyone's lock.
	r, err := p2.Lock(ctx, "/d")
	require.NoError(t, err)
	require.NoError(t, r())
	require.NoError(t, r(), "release is idempotent")
}

func TestFSExternalCrash(t *testing.T) {
	m := durableDisk(t)
	p := faults.NewFS(m, nil)
	f, err := p.Create("/d/f")
	require.NoError(t, err)
	p.Crash(faults.Power, 3)
	_, err = f.Write([]byte("x"))
	require.ErrorIs(t, err, faults.ErrCrashed)
	a, ok := p.CrashAction()
	require.True(t, ok)
	require.Equal(t, faults.Action{Kind: faults.Crash, Mode: faults.Power, Seed: 3}, a)
	img, err := p.Image()
	require.NoError(t, err)
	require.False(t, exists(img, "/d/f"))
}

func TestFSInjectedErrors(t *testing.T) {
	for k := range replaceOps {
		for _, errno := range []syscall.Errno{syscall.EIO, syscall.ENOSPC} {
			m := durableDisk(t)
			writeSynced(t, m, "/d/store", "old")
			syncDir(t, m, "/d")
			p := faults.NewFS(m, faults.ErrorAt{Op: k, Errno: errno})
			err := atomicReplace(t, p, "/d", "store", "new")
			require.ErrorIs(t, err, errno)
			require.ErrorIs(t, err, faults.ErrInjected)
			require.NotErrorIs(t, err, faults.ErrCrashed)
			var pe *os.PathError
			require.ErrorAs(t, err, &pe)
			require.Equal(t, replaceOps[k].String(), pe.Op)
			require.False(t, p.Crashed(), "an injected error does not kill the process")
			// The failing op was not performed.
			want := "old"
			if k == 5 {
				want = "new" // only the dir sync failed
			}
			require.Equal(t, want, content(t, m, "/d/store"), "op %d", k)
			// The process goes on.
			require.NoError(t, atomicReplace(t, p, "/d", "store", "retry"))
			require.Equal(t, "retry", content(t, m, "/d/store"))
		}
	}
}

func TestFSErrorOnKind(t *testing.T) {
	m := durableDisk(t)
	p := faults.NewFS(m, faults.On(faults.OfKind(faults.OpSync), faults.Action{Kind: faults.Fail, Errno: syscall.EIO}))
	f, err := p.Create("/d/f")
	require.NoError(t, err)
	_, err = f.Write([]byte("x"))
	require.NoError(t, err)
	require.ErrorIs(t, f.Sync(), syscall.EIO)
	require.ErrorIs(t, f.Sync(), syscall.EIO)
	require.NoError(t, f.Close())
}

func TestFSRandomly(t *testing.T) {
	inj := faults.On(faults.OneIn{N: 4, Seed: 11}, faults.Action{Kind: faults.Fail})
	fired := 0
	for k := range 1000 {
		a := inj.Inject(faults.Op{Index: k})
		if a.Kind == faults.Fail {
			fired++
			require.Equal(t, syscall.EIO, a.Errno)
		}
		require.Equal(t, a, inj.Inject(faults.Op{Index: k}), "deterministic")
	}
	require.InDelta(t, 250, fired, 60)
	require.Equal(t, faults.Action{}, faults.On(faults.OneIn{}, faults.Action{Kind: faults.Fail}).Inject(faults.Op{}))
}

// The path and kind predicates compose: only the syncs of files under
// /d/a fail, and any() widens a crash to the first of two kinds.
func TestFSComposedPredicates(t *testing.T) {
	m := durableDisk(t)
	require.NoError(t, m.MkdirAll("/d/a", 0o700))
	require.NoError(t, m.MkdirAll("/d/b", 0o700))
	inj, err := faults.ParseSchedule(`err(kind=sync,path="/d/a/*",errno=ENOSPC)`)
	require.NoError(t, err)
	p := faults.NewFS(m, inj)
	for _, name := range []string{"/d/b/f", "/d/a/f"} {
		f, err := p.Create(name)
		require.NoError(t, err)
		if name == "/d/a/f" {
			require.ErrorIs(t, f.Sync(), syscall.ENOSPC)
		} else {
			require.NoError(t, f.Sync())
		}
		require.NoError(t, f.Close())
	}

	p = faults.NewFS(m, faults.On(faults.Any(faults.OfKind(faults.OpRename), faults.OfKind(faults.OpRemove)), faults.Action{Kind: faults.Crash}))
	require.NoError(t, p.Mkdir("/d/c", 0o700))
	require.ErrorIs(t, p.Remove("/d/c"), faults.ErrCrashed)
	_, err = m.Stat("/d/c")
	require.NoError(t, err, "a crash before the remove leaves the directory")
}

// A crash After an operation performs it, then kills the process: the
// caller sees ErrCrashed, the disk holds the operation's effect.
func TestFSCrashAfter(t *testing.T) {
	m := durableDisk(t)
	p := faults.NewFS(m, faults.CrashAt{Op: 1, After: true})
	f, err := p.Create("/d/f")
	require.NoError(t, err)
	n, err := f.Write([]byte("whole"))
	require.ErrorIs(t, err, faults.ErrCrashed)
	require.Equal(t, 5, n)
	require.True(t, p.Crashed())
	require.Equal(t, "whole", content(t, m, "/d/f"))
	require.ErrorIs(t, f.Close(), faults.ErrCrashed)

	p = faults.NewFS(m, faults.CrashAt{Op: 0, After: true})
	_, err = p.Create("/d/g")
	require.ErrorIs(t, err, faults.ErrCrashed)
	_, err = m.Stat("/d/g")
	require.NoError(t, err, "the create was made")
	require.Equal(t, 1, p.Ops())
}

func TestFSViewHidesLock(t *testing.T) {
	onMem := faults.NewFS(faults.NewMemFS(), nil)
	_, ok := onMem.Fs().(fslock.Locker)
	require.True(t, ok)

	onMap := faults.NewFS(afero.NewMemMapFs(), nil)
	_, ok = onMap.Fs().(fslock.Locker)
	require.False(t, ok)
	_, err := onMap.Lock(context.Background(), "/")
	require.ErrorIs(t, err, faults.ErrNoLocker)
	require.ErrorIs(t, err, errors.ErrUnsupported)
	_, err = onMap.Image()
	require.ErrorIs(t, err, faults.ErrNotMemFS)
	// The view still works and still injects.
	v := onMap.Fs()
	require.NoError(t, v.MkdirAll("/a", 0o700))
	require.Equal(t, 1, onMap.Ops())
	_, ok = v.(afero.Lstater)
	require.True(t, ok)
}

func TestMemFSLockContext(t *testing.T) {
	m := faults.NewMemFS()
	ctx := context.Background()
	r1, err := m.Lock(ctx, "/a/b/../b")
	require.NoError(t, err)
	short, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
	defer cancel()
	_, err = m.Lock(short, "/a/b")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	// Other names are independent.
	r2, err := m.Lock(ctx, "/a")
	require.NoError(t, err)
	require.NoError(t, r2())
	require.NoError(t, r1())
	require.NoError(t, r1())
	r3, err := m.Lock(ctx, "/a/b")
	require.NoError(t, err)
	require.NoError(t, r3())
	// An image starts unlocked.
	r4, err := m.Lock(ctx, "/x")
	require.NoError(t, err)
	r5, err := m.CrashImage(faults.Power, nil).Lock(ctx, "/x")
	require.NoError(t, err)
	require.NoError(t, r5())
	require.NoError(t, r4())
}

// TestConcurrentProcesses runs processes that each replace a shared file
// under the disk lock while a reader lists the directory; the race
// detector checks the locking, the final state checks exclusion.
func TestConcurrentProcesses(t *testing.T) {
	ctx := context.Background()
	m := durableDisk(t)
	writeSynced(t, m, "/d/counter", "0")
	syncDir(t, m, "/d")
	const procs, rounds = 4, 25
	done := make(chan error, procs+1)
	for i := range procs {
		go func() {
			p := faults.NewFS(m, nil)
			for range rounds {
				release, err := p.Lock(ctx, "/d")
				if err != nil {
					done <- err
					return
				}
				b, err := afero.ReadFile(p, "/d/counter")
				if err != nil {
					done <- err
					return
				}
				next := []byte(string(b) + "+")
				if err := atomicReplaceErr(p, "/d", "counter", string(next), i); err != nil {
					done <- err
					return
				}
				if err := release(); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	go func() {
		p := faults.NewFS(m, nil)
		for range 50 {
			if _, err := afero.ReadDir(p, "/d"); err != nil {
				done <- err
				return
			}
			_ = m.Clone()
			_ = m.CrashImage(faults.PowerPartial, nil)
		}
		done <- nil
	}()
	for range procs + 1 {
		require.NoError(t, <-done)
	}
	got := content(t, m.CrashImage(faults.Power, nil), "/d/counter")
	require.Len(t, got, 1+procs*rounds, "no lost update")
}

// atomicReplaceErr is atomicReplace with a per-process temp name.
func atomicReplaceErr(fsys afero.Fs, dir, name, data string, proc int) error {
	tmp := fmt.Sprintf("%s/.%s.%d.tmp", dir, name, proc)
	if err := afero.WriteFile(fsys, tmp, []byte(data), 0o600); err != nil {
		return err
	}
	f, err := fsys.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := fsys.Rename(tmp, dir+"/"+name); err != nil {
		return err
	}
	d, err := fsys.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		return err
	}
	return d.Close()
}
