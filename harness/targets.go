package harness

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestPassword is the password of the built-in targets' stores.
const TestPassword = "correct horse battery staple"

// EncfilePath is where the built-in encfile target keeps its store.
const EncfilePath = DataDir + "/secrets_encrypted"

// Targets returns the built-in targets: "encfile" (ToolHive's encrypted
// file, the project's own Runner).
func Targets() []Target {
	return []Target{
		{Name: "encfile", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			return encfile.Open(fsys, EncfilePath, []byte(TestPassword))
		}},
	}
}
