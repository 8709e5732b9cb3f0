package secrets

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ScopedProvider confines a caller to one scope: every key is stored as
// <prefix><scope>_<name>. GetSecret falls back to the bare key <name> only
// when the scoped key is not found (the migration window); any other error
// from either read is returned, never masked.
//
// Two deliberate differences from ToolHive v0.47.0's ScopedProvider (listed
// in docs/toolhive-differences.md):
//
//   - The fallback never applies to a reserved name (one that starts with
//     the system prefix, "__thv_"): ToolHive's
//     ScopedProvider(workloads).GetSecret("__thv_registry_y") reads the
//     registry scope's secret through the bare-key fallback, so one scope
//     can read another's keys. Here it reads only
//     __thv_workloads___thv_registry_y and reports not-found otherwise.
//   - An empty name is refused with ErrInvalidName by every method, where
//     ToolHive accepts it and stores "__thv_<scope>_" (a key that its own
//     ListSecrets then hides, because it strips the prefix to an empty
//     name). An empty name is always a caller's bug; refusing it keeps every
//     stored scoped key listable.
type ScopedProvider struct {
	inner  Provider
	scheme Scheme
	scope  string
}

var _ Provider = (*ScopedProvider)(nil)

// NewScopedProvider returns the view of inner for scope. The scheme is
// validated; the scope must be one it declares.
func NewScopedProvider(inner Provider, scheme Scheme, scope string) (*ScopedProvider, error) {
	scheme = scheme.norm()
	if err := scheme.Validate(); err != nil {
		return nil, err
	}
	if !scheme.HasScope(scope) {
		return nil, fmt.Errorf("%w: scope %q is not declared by the scheme", ErrInvalidName, scope)
	}
	return &ScopedProvider{inner: inner, scheme: scheme, scope: scope}, nil
}

// Scope returns the scope of this view.
func (p *ScopedProvider) Scope() string { return p.scope }

func (p *ScopedProvider) key(name string) (string, error) {
	if name == "" {
		return "", fmt.Errorf("%w: empty name in scope %q", ErrInvalidName, p.scope)
	}
	return p.scheme.ScopedKey(p.scope, name), nil
}

// GetSecret reads the scoped key, then, only if it is not found and name is
// not reserved (does not start with the system prefix), the bare key. A
// reserved name never falls back: a scope must not read another scope's
// keys (scope isolation; ToolHive v0.47.0 does fall back).
func (p *ScopedProvider) GetSecret(ctx context.Context, name string) (string, error) {
	key, err := p.key(name)
	if err != nil {
		return "", err
	}
	v, err := p.inner.GetSecret(ctx, key)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return v, err
	}
	if p.scheme.IsSystem(name) {
		return "", fmt.Errorf("scope %s: %w", p.scope, err)
	}
	v, err = p.inner.GetSecret(ctx, name)
	if err != nil {
		return "", fmt.Errorf("scope %s: %w", p.scope, err)
	}
	return v, nil
}

// SetSecret writes the scoped key.
func (p *ScopedProvider) SetSecret(ctx context.Context, name, value string) error {
	key, err := p.key(name)
	if err != nil {
		return err
	}
	return p.inner.SetSecret(ctx, key, value)
}

// DeleteSecret deletes the scoped key (never the bare one).
func (p *ScopedProvider) DeleteSecret(ctx context.Context, name string) error {
	key, err := p.key(name)
	if err != nil {
		return err
	}
	return p.inner.DeleteSecret(ctx, key)
}

// ListSecrets lists this scope's keys with the prefix stripped.
func (p *ScopedProvider) ListSecrets(ctx context.Context) ([]SecretDescription, error) {
	all, err := p.inner.ListSecrets(ctx)
	if err != nil {
		return nil, err
	}
	pfx := p.scheme.ScopedKey(p.scope, "")
	out := make([]SecretDescription, 0, len(all))
	for _, d := range all {
		if name, ok := strings.CutPrefix(d.Key, pfx); ok && name != "" {
			out = append(out, SecretDescription{Key: name, Description: d.Description})
		}
	}
	return out, nil
}

// DeleteSecrets deletes the scoped keys of names; all names are validated
// before anything is deleted.
func (p *ScopedProvider) DeleteSecrets(ctx context.Context, names []string) error {
	keys := make([]string, len(names))
	for i, n := range names {
		k, err := p.key(n)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	return p.inner.DeleteSecrets(ctx, keys)
}

// Cleanup removes every key of this scope and nothing else.
func (p *ScopedProvider) Cleanup() error {
	pfx := p.scheme.ScopedKey(p.scope, "")
	return deleteMatching(p.inner, func(k string) bool { return strings.HasPrefix(k, pfx) })
}

// Capabilities are those of the inner provider.
func (p *ScopedProvider) Capabilities() Capabilities { return p.inner.Capabilities() }

// deleteMatching removes every key for which match is true: in one
// transaction when inner is an Updater, else by one DeleteSecrets call.
func deleteMatching(inner Provider, match func(string) bool) error {
	ctx := context.Background()
	if u, ok := inner.(Updater); ok {
		return u.Update(ctx, func(m map[string]string) error {
			for k := range m {
				if match(k) {
					delete(m, k)
				}
			}
			return nil
		})
	}
	all, err := inner.ListSecrets(ctx)
	if err != nil {
		return err
	}
	var keys []string
	for _, d := range all {
		if match(d.Key) {
			keys = append(keys, d.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return inner.DeleteSecrets(ctx, keys)
}
