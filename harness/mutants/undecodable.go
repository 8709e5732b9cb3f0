package mutants

import (
	"context"
	"math/rand/v2"
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// undecodableWrite is encfile whose encoder output is corrupted in place
// once sealed (the last byte of the GCM tag flipped in the Store's own
// buffer, on its way to the temp file): every file it writes is one its
// decoder rejects, while the writing process holds the corrupted bytes as
// the ones it wrote. Only a restart that decodes what was written sees it:
// a decode cache filled with the bytes a process wrote would hand the
// next process the writer's content for them without decrypting (the
// simulation would never decode what it encoded). With cached set, its
// processes share one encfile.Cache, as the built-in target's do; without,
// none.
func undecodableWrite(cached bool) Mutant {
	var opts []encfile.Option
	name := "encfile-undecodable-write"
	if cached {
		opts = append(opts, encfile.WithCache(encfile.NewCache(0)))
	} else {
		name += "-nocache"
	}
	return Mutant{
		Name:        name,
		Description: "encfile whose encoder output is corrupted after sealing (a flipped GCM tag byte): every file it writes fails to decrypt",
		Expect:      []model.InvariantID{model.I7, model.I1},
		Target: harness.Target{Name: "mutant:" + name, Open: func(fsys afero.Fs) (secrets.Provider, error) {
			o := append([]encfile.Option{encfile.WithRand(rand.NewChaCha8([32]byte{}))}, opts...)
			return encfile.Open(tagFlipFs{fsys}, fixture.EncfilePath, []byte(fixture.TestPassword), o...)
		}},
	}
}

// tagFlipFs is a process's filesystem on which every write to the store's
// temp file (atomicfile.TempName(fixture.EncfilePath)) first flips the
// last byte of the caller's buffer, in place: the buffer is the encoder's
// output, so the writer's copy and the file both hold the corrupted bytes.
// Everything else, and the process's locks, are the wrapped filesystem's.
type tagFlipFs struct{ afero.Fs }

var (
	_ fslock.Locker = tagFlipFs{}
	_ afero.Lstater = tagFlipFs{}
)

func (t tagFlipFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	f, err := t.Fs.OpenFile(name, flag, perm)
	if err != nil || name != atomicfile.TempName(fixture.EncfilePath) {
		return f, err
	}
	return tagFlipFile{f}, nil
}

// Lock implements fslock.Locker with the process's own locks.
func (t tagFlipFs) Lock(ctx context.Context, name string) (func() error, error) {
	if l, ok := t.Fs.(fslock.Locker); ok {
		return l.Lock(ctx, name)
	}
	return func() error { return nil }, nil
}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (t tagFlipFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := t.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := t.Stat(name)
	return fi, false, err
}

// tagFlipFile flips the last byte of every buffer written to it.
type tagFlipFile struct{ afero.File }

func (f tagFlipFile) Write(p []byte) (int, error) {
	if len(p) > 0 {
		p[len(p)-1] ^= 0x01
	}
	return f.File.Write(p)
}
