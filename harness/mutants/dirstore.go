package mutants

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// dirstoreMutants are broken variants of impl/dirstore, built from
// outside it (the store is unchanged): one on a filesystem that drops the
// directory fsync after each rename, one behind a wrapper that loses part
// of each name. The project's own Runner migrates them.
func dirstoreMutants() []Mutant {
	mk := func(name, desc string, open func(fsys afero.Fs) (secrets.Provider, error), expect ...model.InvariantID) Mutant {
		t := builtin("dirstore")
		t.Name = "mutant:" + name
		t.Open = open
		return Mutant{Name: name, Description: desc, Expect: expect, Target: t}
	}
	return []Mutant{
		mk("dirstore-rename-without-dir-fsync", "dirstore: renames each secret file into place without syncing the directory",
			func(fsys afero.Fs) (secrets.Provider, error) {
				return openDirstore(&renameNoDirSyncFs{Fs: fsys})
			}, model.I6),
		mk("dirstore-lossy-name", "dirstore behind a wrapper that keeps only the last path element of each name (../x and x, a/b and b share one secret)",
			func(fsys afero.Fs) (secrets.Provider, error) {
				s, err := openDirstore(fsys)
				if err != nil {
					return nil, err
				}
				return lossyNames{s}, nil
			}, model.I1, model.I6),
	}
}

// openDirstore opens the built-in dirstore target's store on fsys, with
// seeded nonces like the target's (runs replay byte for byte).
func openDirstore(fsys afero.Fs) (*dirstore.Store, error) {
	return dirstore.Open(fsys, fixture.DirstorePath, []byte(fixture.TestPassword), dirstore.WithRand(rand.NewChaCha8([32]byte{})))
}

// builtin returns the built-in target of that name (harness.Targets); a
// zero Target, which Verify rejects with ErrBadTarget, if there is none.
func builtin(name string) harness.Target {
	for _, t := range harness.Targets() {
		if t.Name == name {
			return t
		}
	}
	return harness.Target{}
}

// renameNoDirSyncFs is a process's filesystem on which the directory
// fsync that follows a rename does nothing (atomicfile.Write's steps 8–10:
// open the directory, sync, close): a file renamed into place is not
// durable until some later, unrelated directory sync. Every other
// operation, and the process's locks, are the wrapped filesystem's. One
// per process (Open); not safe for concurrent use, like the store's
// writes, which the store serialises.
type renameNoDirSyncFs struct {
	afero.Fs
	renamed bool // the last operation was a rename: the next directory sync is dropped
}

var (
	_ fslock.Locker = (*renameNoDirSyncFs)(nil)
	_ afero.Lstater = (*renameNoDirSyncFs)(nil)
)

func (r *renameNoDirSyncFs) Rename(oldname, newname string) error {
	err := r.Fs.Rename(oldname, newname)
	r.renamed = err == nil
	return err
}

func (r *renameNoDirSyncFs) Open(name string) (afero.File, error) {
	f, err := r.Fs.Open(name)
	if err != nil || !r.renamed {
		r.renamed = false
		return f, err
	}
	r.renamed = false
	if fi, serr := f.Stat(); serr == nil && fi.IsDir() {
		return noSyncFile{f}, nil
	}
	return f, nil
}

func (r *renameNoDirSyncFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	r.renamed = false
	return r.Fs.OpenFile(name, flag, perm)
}

func (r *renameNoDirSyncFs) Remove(name string) error {
	r.renamed = false
	return r.Fs.Remove(name)
}

// Lock implements fslock.Locker with the process's own locks.
func (r *renameNoDirSyncFs) Lock(ctx context.Context, name string) (func() error, error) {
	if l, ok := r.Fs.(fslock.Locker); ok {
		return l.Lock(ctx, name)
	}
	return func() error { return nil }, nil
}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (r *renameNoDirSyncFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := r.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := r.Stat(name)
	return fi, false, err
}

// noSyncFile is a directory handle whose Sync does nothing.
type noSyncFile struct{ afero.File }

func (noSyncFile) Sync() error { return nil }

// lossyNames is a dirstore whose names pass through filepath.Base first,
// as a store that "escapes" names by dropping their directories would:
// distinct names share one secret, and a listing shows the shortened
// names. Sync, Cleanup and Capabilities are the store's.
type lossyNames struct{ *dirstore.Store }

var (
	_ secrets.Provider = lossyNames{}
	_ secrets.Updater  = lossyNames{}
	_ secrets.Syncer   = lossyNames{}
)

func lossy(name string) string {
	if name == "" {
		return name
	}
	return filepath.Base(name)
}

func (l lossyNames) GetSecret(ctx context.Context, name string) (string, error) {
	return l.Store.GetSecret(ctx, lossy(name))
}

func (l lossyNames) SetSecret(ctx context.Context, name, value string) error {
	return l.Store.SetSecret(ctx, lossy(name), value)
}

func (l lossyNames) DeleteSecret(ctx context.Context, name string) error {
	return l.Store.DeleteSecret(ctx, lossy(name))
}

func (l lossyNames) DeleteSecrets(ctx context.Context, names []string) error {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = lossy(n)
	}
	return l.Store.DeleteSecrets(ctx, out)
}

// Update runs fn on the store's content and stores its result under the
// shortened names.
func (l lossyNames) Update(ctx context.Context, fn func(map[string]string) error) error {
	return l.Store.Update(ctx, func(m map[string]string) error {
		if err := fn(m); err != nil {
			return err
		}
		for k, v := range m {
			if s := lossy(k); s != k {
				delete(m, k)
				m[s] = v
			}
		}
		return nil
	})
}
