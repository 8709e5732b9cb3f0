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
// Update) from 0 and asks its Injector before each one whether to run
// it, crash the process before it (the call is not made), crash after it
// (the call is made, its result lost) or fail it (not made; the error wraps
// faults.ErrInjected). The crashing call and every later call fail with an error
// wrapping faults.ErrCrashed. Capabilities, which cannot fail, reports no
// capability when it crashes or fails. Values never appear in errors or in
// the log. Safe for concurrent use; calls are not serialized, so a call in
// flight when another one crashes the process still completes.
type Provider struct {
	inner   secrets.Provider
	inj     Injector
	crashed atomic.Bool // set once, under mu

	mu    sync.Mutex // guards calls and log
	calls int        // calls numbered so far
	log   []Call     // every numbered call
}

// NewProvider wraps p with the fault plan inj (nil: none).
func NewProvider(p secrets.Provider, inj Injector) *Provider {
	if inj == nil {
		inj = None{}
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
func (w *Provider) Log() []Call {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]Call(nil), w.log...)
}

// Crash kills the simulated process from outside.
func (w *Provider) Crash() { w.crashed.Store(true) }

// before numbers a call and returns the injector's decision; a non-nil
// error means do not make the call.
func (w *Provider) before(m Method, key string) (CallAction, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.crashed.Load() {
		return CallAction{}, fmt.Errorf("%s: %w", m, faults.ErrCrashed)
	}
	c := Call{Index: w.calls, Method: m, Key: key}
	w.calls++
	w.log = append(w.log, c)
	a := w.inj.InjectCall(c)
	switch {
	case a.Kind == faults.Fail:
		return a, fmt.Errorf("%s (call %d): %w", m, c.Index, faults.ErrInjected)
	case a.Kind == faults.Crash && a.When == Before:
		w.crashed.Store(true)
		return a, fmt.Errorf("%s (call %d, crash before): %w", m, c.Index, faults.ErrCrashed)
	}
	return a, nil
}

// after applies a crash-after decision to the call's error.
func (w *Provider) after(a CallAction, m Method, err error) error {
	if a.Kind == faults.Crash && a.When == After {
		w.crashed.Store(true)
		return fmt.Errorf("%s (crash after): %w", m, faults.ErrCrashed)
	}
	return err
}

// GetSecret implements secrets.Provider.
func (w *Provider) GetSecret(ctx context.Context, name string) (string, error) {
	a, err := w.before(MethodGetSecret, name)
	if err != nil {
		return "", err
	}
	v, err := w.inner.GetSecret(ctx, name)
	if err = w.after(a, MethodGetSecret, err); err != nil {
		return "", err
	}
	return v, nil
}

// SetSecret implements secrets.Provider.
func (w *Provider) SetSecret(ctx context.Context, name, value string) error {
	a, err := w.before(MethodSetSecret, name)
	if err != nil {
		return err
	}
	return w.after(a, MethodSetSecret, w.inner.SetSecret(ctx, name, value))
}

// DeleteSecret implements secrets.Provider.
func (w *Provider) DeleteSecret(ctx context.Context, name string) error {
	a, err := w.before(MethodDeleteSecret, name)
	if err != nil {
		return err
	}
	return w.after(a, MethodDeleteSecret, w.inner.DeleteSecret(ctx, name))
}

// ListSecrets implements secrets.Provider.
func (w *Provider) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	a, err := w.before(MethodListSecrets, "")
	if err != nil {
		return nil, err
	}
	list, err := w.inner.ListSecrets(ctx)
	if err = w.after(a, MethodListSecrets, err); err != nil {
		return nil, err
	}
	return list, nil
}

// DeleteSecrets implements secrets.Provider.
func (w *Provider) DeleteSecrets(ctx context.Context, names []string) error {
	a, err := w.before(MethodDeleteSecrets, "")
	if err != nil {
		return err
	}
	return w.after(a, MethodDeleteSecrets, w.inner.DeleteSecrets(ctx, names))
}

// Cleanup implements secrets.Provider.
func (w *Provider) Cleanup() error {
	a, err := w.before(MethodCleanup, "")
	if err != nil {
		return err
	}
	return w.after(a, MethodCleanup, w.inner.Cleanup())
}

// Capabilities implements secrets.Provider. A crash or an injected failure
// at this call yields the zero Capabilities, as does any call after the
// crash.
func (w *Provider) Capabilities() secrets.Capabilities {
	a, err := w.before(MethodCapabilities, "")
	if err != nil {
		return secrets.Capabilities{}
	}
	c := w.inner.Capabilities()
	if w.after(a, MethodCapabilities, nil) != nil {
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
	a, err := w.before(MethodUpdate, "")
	if err != nil {
		return err
	}
	return w.after(a, MethodUpdate, u.Update(ctx, fn))
}
