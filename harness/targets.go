package harness

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/dirstore"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestPassword is the password of the built-in targets' stores.
const TestPassword = "correct horse battery staple"

// EncfilePath is where the built-in encfile target keeps its store.
const EncfilePath = DataDir + "/secrets_encrypted"

// DirstorePath is the directory of the built-in dirstore target.
const DirstorePath = DataDir + "/secrets.d"

// Targets returns the built-in targets: "encfile" (ToolHive's encrypted
// file, the project's own Runner) and "dirstore" (one encrypted file per
// secret, migrated by the Runner's per-key path).
func Targets() []Target {
	return []Target{
		{Name: "encfile", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.Open(fsys, EncfilePath, []byte(TestPassword))
		}},
		DirstoreTarget(),
	}
}

// DirstoreTarget is the built-in "dirstore" target. A per-key migration
// makes about ten filesystem operations per moved key, so its default run
// is smaller (depth 1, fewer and smaller generated stores) to stay within
// seconds; pass Depth 2 explicitly for the nested-crash sweep.
func DirstoreTarget() Target {
	return Target{
		Name: "dirstore",
		Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return dirstore.Open(fsys, DirstorePath, []byte(TestPassword))
		},
		Defaults: Config{Depth: 1, Stores: 4, MaxKeys: 8, Checks: 25},
	}
}
