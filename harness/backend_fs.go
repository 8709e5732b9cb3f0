package harness

import (
	"context"
	"fmt"
	"maps"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
)

// fsBackend runs a target whose store lives on the afero.Fs it is given:
// every process is a faults.FS on the disk, faults hit its filesystem
// operations in every crash mode, and the disk is the store.
type fsBackend struct {
	t    Target
	open func(afero.Fs) (secrets.Provider, error) // t's store, opened with the env's caches (Target.opener)
}

func (b fsBackend) start(_ context.Context, d *faults.MemFS, inj faults.Injector) (*process, error) {
	pr := &process{fs: faults.NewFS(d, inj)}
	p, err := openWith(b.t, b.open, pr.fs)
	pr.p = p
	return pr, err
}

// fill stores every key of m: one transaction when p is an Updater.
func (fsBackend) fill(ctx context.Context, p secrets.Provider, m map[string]string) error {
	if len(m) == 0 {
		return nil
	}
	if u, ok := p.(secrets.Updater); ok {
		return u.Update(ctx, func(cur map[string]string) error {
			maps.Copy(cur, m)
			return nil
		})
	}
	for _, k := range sortedKeys(m) {
		if err := p.SetSecret(ctx, k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

func (fsBackend) settle(context.Context, *faults.MemFS)         {}
func (fsBackend) seeded(*faults.MemFS, map[string]string) error { return nil }
func (fsBackend) onDisk() bool                                  { return true }
func (fsBackend) lossMode() faults.Mode                         { return faults.Power }

// openProvider opens t's provider on fsys; a nil provider is an error.
func openProvider(t Target, fsys *faults.FS) (secrets.Provider, error) {
	return openWith(t, t.Open, fsys)
}

// openWith opens t's provider on fsys with open; a nil provider is an
// error.
func openWith(t Target, open func(afero.Fs) (secrets.Provider, error), fsys *faults.FS) (secrets.Provider, error) {
	p, err := open(fsys)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, fmt.Errorf("target %q: Open returned a nil provider", t.Name)
	}
	return p, nil
}
