package mutants

import (
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// unlockedFs hides the filesystem's Lock method (and so the cross-process
// lock fslock.Acquire would take): every read-modify-write of a store on it
// reads, then writes, without excluding other processes.
type unlockedFs struct{ afero.Fs }

var _ afero.Lstater = unlockedFs{}

// LstatIfPossible keeps the wrapped filesystem's Lstat.
func (u unlockedFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if l, ok := u.Fs.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := u.Stat(name)
	return fi, false, err
}

// unlockedMutant is encfile with its directory lock bypassed: SetSecret,
// DeleteSecret and Update are read-modify-writes of the whole file that
// other processes can interleave with, so one process's acknowledged write
// is overwritten by another's stale copy. Only the concurrency phase can
// see it (one process alone is correct); it reports I6 durability: an
// acknowledged write was lost.
func unlockedMutant() Mutant {
	return Mutant{
		Name:        "unlocked-rmw",
		Slow:        true,
		Description: "read-modify-write of the store file without the cross-process lock (lost updates)",
		Expect:      []model.InvariantID{model.I6},
		Target: harness.Target{Name: "mutant:unlocked-rmw", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.Open(unlockedFs{fsys}, fixture.EncfilePath, []byte(fixture.TestPassword))
		}},
	}
}
