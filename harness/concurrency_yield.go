package harness

import (
	"context"

	"github.com/scopemig/scopemig/harness/internal/sched"
	"github.com/scopemig/scopemig/impl/secrets"
)

// yieldProvider makes every provider call of a migrator a scheduling point.
type yieldProvider struct {
	p  secrets.Provider
	s  *sched.Sched
	id int
}

// yieldUpdater is a yieldProvider over an Updater (the wrapper keeps the
// optional interface, so the Runner still takes its transactional path).
type yieldUpdater struct {
	yieldProvider
	u secrets.Updater
}

var (
	_ secrets.Provider = yieldProvider{}
	_ secrets.Updater  = yieldUpdater{}
)

func newYieldProvider(p secrets.Provider, s *sched.Sched, id int) secrets.Provider {
	y := yieldProvider{p: p, s: s, id: id}
	if u, ok := p.(secrets.Updater); ok {
		return yieldUpdater{yieldProvider: y, u: u}
	}
	return y
}

func (y yieldProvider) GetSecret(ctx context.Context, name string) (string, error) {
	y.s.Yield(y.id)
	return y.p.GetSecret(ctx, name)
}

func (y yieldProvider) SetSecret(ctx context.Context, name, value string) error {
	y.s.Yield(y.id)
	return y.p.SetSecret(ctx, name, value)
}

func (y yieldProvider) DeleteSecret(ctx context.Context, name string) error {
	y.s.Yield(y.id)
	return y.p.DeleteSecret(ctx, name)
}

func (y yieldProvider) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	y.s.Yield(y.id)
	return y.p.ListSecrets(ctx)
}

func (y yieldProvider) DeleteSecrets(ctx context.Context, names []string) error {
	y.s.Yield(y.id)
	return y.p.DeleteSecrets(ctx, names)
}

func (y yieldProvider) Cleanup() error {
	y.s.Yield(y.id)
	return y.p.Cleanup()
}

func (y yieldProvider) Capabilities() secrets.Capabilities { return y.p.Capabilities() }

func (y yieldUpdater) Update(ctx context.Context, fn func(map[string]string) error) error {
	y.s.Yield(y.id)
	return y.u.Update(ctx, fn)
}
