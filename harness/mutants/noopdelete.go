package mutants

import (
	"context"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// noopSystemDeleter is encfile whose DeleteSecret of a system (__thv_)
// key returns nil and deletes nothing: what a ScopedProvider delete, which
// always names a system key, silently does to it.
type noopSystemDeleter struct {
	secrets.Provider
	scheme secrets.Scheme
}

func (n noopSystemDeleter) DeleteSecret(ctx context.Context, name string) error {
	if n.scheme.IsSystem(name) {
		return nil
	}
	return n.Provider.DeleteSecret(ctx, name)
}

// noopSystemDelete: the Runner never deletes a system key (it moves legacy
// keys to them), so only conformance's and the state machine's scoped
// deletes can see it.
func noopSystemDelete() Mutant {
	return Mutant{
		Name:        "noop-system-delete",
		Description: "DeleteSecret of a system key returns nil and deletes nothing (ScopedProvider deletes are lost)",
		Expect:      []model.InvariantID{model.I1, model.I6},
		Target: harness.Target{Name: "mutant:noop-system-delete", Open: func(fsys afero.Fs) (secrets.Provider, error) {
			s, err := encfile.Open(fsys, fixture.EncfilePath, []byte(fixture.TestPassword))
			if err != nil {
				return nil, err
			}
			return noopSystemDeleter{Provider: s, scheme: secrets.DefaultScheme()}, nil
		}},
	}
}
