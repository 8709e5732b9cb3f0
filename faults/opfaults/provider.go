package opfaults

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
)

// ErrNoUpdater is returned by Provider.Update when the wrapped provider is
// not a secrets.Updater. It wraps errors.ErrUnsupported.
var ErrNoUpdater = fmt.Errorf("opfaults: wrapped provider has no Update: %w", errors.ErrUnsupported)

var (
	_ secrets.Provider = (*Provider)(nil)
	_ secrets.Updater  = (*Provider)(nil)
)

// Provider wraps a secrets.Provider as one simulated process at the level
// of whole calls: it numbers every call (the seven Provider methods and
// Update) from 0 and asks its faults.Injector before each one whether to
// run it, crash the process before it (the call is not made), crash after
// it (Action.After: the call is made, its result lost) or fail it (not
// made; the error wraps faults.ErrInjected and the action's errno). The
// crash mode and seed do not apply to a provider call. The crashing call
// and every later call fail with an error wrapping faults.ErrCrashed. Capabilities, which cannot fail, reports no
// capability when it crashes or fails. Values never appear in errors or in
// the log. Safe for concurrent use; calls are not serialized, so a call in
// flight when another one crashes the process still completes.
type Provider struct {
	inner   secrets.Provider
	inj     faults.Injector
	crashed atomic.Bool // set once, under mu

	mu    sync.Mutex  // guards calls and log
	calls int         // calls numbered so far
	log   []faults.Op // every numbered call
}

// NewProvider wraps p with the fault plan inj (nil: none).
func NewProvider(p secrets.Provider, inj faults.Injector) *Provider {
	if inj == nil {
		inj = faults.None{}
	}
	return &Provider{inner: p, inj: inj}
}

// Provider returns w as a secrets.Provider that is a secrets.Updater if
// and only if the wrapped provider is one, so that callers choosing a code
// path by type assertion see the wrapped provider's shape.
func (w *Provider) Provider() secrets.Provider {
	if _, ok := w.inner.(secrets.Updater); ok {
		return w
	}
	return noUpdate{w}
}

// noUpdate hides Provider.Update.
type noUpdate struct{ w *Provider }

func (n noUpdate) GetSecret(ctx context.Context, name string) (string, error) {
	return n.w.GetSecret(ctx, name)
}
func (n noUpdate) SetSecret(ctx context.Context, name, value string) error {
	return n.w.SetSecret(ctx, name, value)
}
func (n noUpdate) DeleteSecret(ctx context.Context, name string) error {
	return n.w.DeleteSecret(ctx, name)
}
func (n noUpdate) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	return n.w.ListSecrets(ctx)
}
func (n noUpdate) DeleteSecrets(ctx context.Context, names []string) error {
	return n.w.DeleteSecrets(ctx, names)
}
func (n noUpdate) Cleanup() error                     { return n.w.Cleanup() }
func (n noUpdate) Capabilities() secrets.Capabilities { return n.w.Capabilities() }

// Inner returns the wrapped provider.
func (w *Provider) Inner() secrets.Provider { return w.inner }

// Calls returns how many calls were numbered.
func (w *Provider) Calls() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.calls
}

// Crashed reports whether the simulated process crashed.
func (w *Provider) Crashed() bool { return w.crashed.Load() }

// Log returns a copy of every numbered call, in order.
func (w *Provider) Log() []faults.Op {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]faults.Op(nil), w.log...)
}

// Crash kills the simulated process from outside.
func (w *Provider) Crash() { w.crashed.Store(true) }

// before numbers a call and returns the injector's decision; a non-nil
// error means do not make the call.
func (w *Provider) before(m faults.OpKind, key string) (faults.Action, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.crashed.Load() {
		return faults.Action{}, fmt.Errorf("%s: %w", m, faults.ErrCrashed)
	}
	c := faults.Op{Index: w.calls, Kind: m, Path: key}
	w.calls++
	w.log = append(w.log, c)
	a := w.inj.Inject(c)
	switch {
	case a.Kind == faults.Fail:
		return a, fmt.Errorf("%s (call %d): %w", m, c.Index, faults.InjectedError{Errno: a.Errno})
	case a.Kind == faults.Crash && !a.After:
		w.crashed.Store(true)
		return a, fmt.Errorf("%s (call %d, crash before): %w", m, c.Index, faults.ErrCrashed)
	}
	return a, nil
}

// after applies a crash-after decision to the call's error.
func (w *Provider) after(a faults.Action, m faults.OpKind, err error) error {
	if a.Kind == faults.Crash && a.After {
		w.crashed.Store(true)
		return fmt.Errorf("%s (crash after): %w", m, faults.ErrCrashed)
	}
	return err
}

// GetSecret implements secrets.Provider.
func (w *Provider) GetSecret(ctx context.Context, name string) (string, error) {
	a, err := w.before(faults.OpGetSecret, name)
	if err != nil {
		return "", err
	}
	v, err := w.inner.GetSecret(ctx, name)
	if err = w.after(a, faults.OpGetSecret, err); err != nil {
		return "", err
	}
	return v, nil
}

// SetSecret implements secrets.Provider.
func (w *Provider) SetSecret(ctx context.Context, name, value string) error {
	a, err := w.before(faults.OpSetSecret, name)
	if err != nil {
		return err
	}
	return w.after(a, faults.OpSetSecret, w.inner.SetSecret(ctx, name, value))
}

// DeleteSecret implements secrets.Provider.
func (w *Provider) DeleteSecret(ctx context.Context, name string) error {
	a, err := w.before(faults.OpDeleteSecret, name)
	if err != nil {
		return err
	}
	return w.after(a, faults.OpDeleteSecret, w.inner.DeleteSecret(ctx, name))
}

// ListSecrets implements secrets.Provider.
func (w *Provider) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	a, err := w.before(faults.OpListSecrets, "")
	if err != nil {
		return nil, err
	}
	list, err := w.inner.ListSecrets(ctx)
	if err = w.after(a, faults.OpListSecrets, err); err != nil {
		return nil, err
	}
	return list, nil
}

// DeleteSecrets implements secrets.Provider.
func (w *Provider) DeleteSecrets(ctx context.Context, names []string) error {
	a, err := w.before(faults.OpDeleteSecrets, "")
	if err != nil {
		return err
	}
	return w.after(a, faults.OpDeleteSecrets, w.inner.DeleteSecrets(ctx, names))
}

// Cleanup implements secrets.Provider.
func (w *Provider) Cleanup() error {
	a, err := w.before(faults.OpCleanup, "")
	if err != nil {
		return err
	}
	return w.after(a, faults.OpCleanup, w.inner.Cleanup())
}

// Capabilities implements secrets.Provider. A crash or an injected failure
// at this call yields the zero Capabilities, as does any call after the
// crash.
func (w *Provider) Capabilities() secrets.Capabilities {
	a, err := w.before(faults.OpCapabilities, "")
	if err != nil {
		return secrets.Capabilities{}
	}
	c := w.inner.Capabilities()
	if w.after(a, faults.OpCapabilities, nil) != nil {
		return secrets.Capabilities{}
	}
	return c
}

// Update implements secrets.Updater, as one call. It fails with
// ErrNoUpdater (not counted) when the wrapped provider is not an Updater.
func (w *Provider) Update(ctx context.Context, fn func(map[string]string) error) error {
	u, ok := w.inner.(secrets.Updater)
	if !ok {
		return ErrNoUpdater
	}
	a, err := w.before(faults.OpUpdate, "")
	if err != nil {
		return err
	}
	return w.after(a, faults.OpUpdate, u.Update(ctx, fn))
}
