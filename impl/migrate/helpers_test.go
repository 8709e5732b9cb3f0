package migrate_test

import (
	"context"
	"errors"
	"maps"
	"sync/atomic"

	"github.com/scopemig/scopemig/impl/secrets"
)

// counting wraps a Memory store and counts the writes that reach it: every
// SetSecret, DeleteSecret, DeleteSecrets and Cleanup call, and every Update
// whose fn changed the content.
type counting struct {
	*secrets.Memory
	writes atomic.Int64
}

var (
	_ secrets.Provider = (*counting)(nil)
	_ secrets.Updater  = (*counting)(nil)
)

func newCounting(init map[string]string) *counting {
	return &counting{Memory: secrets.NewMemory(init)}
}

func (c *counting) SetSecret(ctx context.Context, k, v string) error {
	c.writes.Add(1)
	return c.Memory.SetSecret(ctx, k, v)
}

func (c *counting) DeleteSecret(ctx context.Context, k string) error {
	c.writes.Add(1)
	return c.Memory.DeleteSecret(ctx, k)
}

func (c *counting) DeleteSecrets(ctx context.Context, ks []string) error {
	c.writes.Add(1)
	return c.Memory.DeleteSecrets(ctx, ks)
}

func (c *counting) Cleanup() error {
	c.writes.Add(1)
	return c.Memory.Cleanup()
}

func (c *counting) Update(ctx context.Context, fn func(map[string]string) error) error {
	return c.Memory.Update(ctx, func(m map[string]string) error {
		before := maps.Clone(m)
		if err := fn(m); err != nil {
			return err
		}
		if !maps.Equal(before, m) {
			c.writes.Add(1)
		}
		return nil
	})
}

// perKey hides the Updater of the provider it embeds, forcing Apply onto the
// per-key path.
type perKey struct{ secrets.Provider }

// readOnly reports read-only capabilities and refuses every write.
type readOnly struct{ secrets.Provider }

func (readOnly) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanList: true}
}

func (readOnly) SetSecret(context.Context, string, string) error { return secrets.ErrReadOnly }
func (readOnly) DeleteSecret(context.Context, string) error      { return secrets.ErrReadOnly }

// errInjected is the failure injected by failing.
var errInjected = errors.New("injected failure")

// failing lets the first `budget` writes through and fails every later
// operation, like a process that stopped (crashed) after that many writes.
// It hides Update, so the per-key path runs.
type failing struct {
	secrets.Provider
	budget int // writes left; guarded by single-goroutine use in tests
	dead   bool
}

func (f *failing) op(write bool) error {
	if f.dead {
		return errInjected
	}
	if write {
		if f.budget == 0 {
			f.dead = true
			return errInjected
		}
		f.budget--
	}
	return nil
}

func (f *failing) GetSecret(ctx context.Context, k string) (string, error) {
	if err := f.op(false); err != nil {
		return "", err
	}
	return f.Provider.GetSecret(ctx, k)
}

func (f *failing) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	if err := f.op(false); err != nil {
		return nil, err
	}
	return f.Provider.ListSecrets(ctx)
}

func (f *failing) SetSecret(ctx context.Context, k, v string) error {
	if err := f.op(true); err != nil {
		return err
	}
	return f.Provider.SetSecret(ctx, k, v)
}

func (f *failing) DeleteSecret(ctx context.Context, k string) error {
	if err := f.op(true); err != nil {
		return err
	}
	return f.Provider.DeleteSecret(ctx, k)
}
