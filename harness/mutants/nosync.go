package mutants

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// unsynced hides the store's secrets.Syncer: the Runner then sets the flag
// without first making the data it vouches for durable.
type unsynced struct {
	secrets.Provider
	secrets.Updater
}

// flagWithoutSync is the project's Runner on an encfile store whose Sync it
// cannot see: after a run whose fsync failed, a retry finds the data moved
// (in memory only), writes nothing, and makes only the flag durable.
func flagWithoutSync() Mutant {
	return Mutant{
		Name:        "flag-without-sync",
		Description: "sets the flag without first syncing data an earlier failed run left unsynced",
		Expect:      []model.InvariantID{model.I3, model.I6},
		Target: harness.Target{Name: "mutant:flag-without-sync", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			s, err := encfile.Open(fsys, fixture.EncfilePath, []byte(fixture.TestPassword))
			if err != nil {
				return nil, err
			}
			return unsynced{s, s}, nil
		}},
	}
}
