package secrets

import (
	"context"
	"fmt"
)

// UserProvider is the view a user has: every system key is hidden from
// listing, and get, set or delete of a reserved name fails with
// ErrReservedKeyName.
type UserProvider struct {
	inner  Provider
	scheme Scheme
}

var _ Provider = (*UserProvider)(nil)

// NewUserProvider returns the user view of inner. The zero Scheme is the
// default one.
func NewUserProvider(inner Provider, scheme Scheme) *UserProvider {
	return &UserProvider{inner: inner, scheme: scheme.norm()}
}

func (p *UserProvider) check(name string) error {
	if p.scheme.IsSystem(name) {
		return fmt.Errorf("%w: %q starts with the system prefix %q", ErrReservedKeyName, name, p.scheme.Prefix)
	}
	return nil
}

// GetSecret reads a user key.
func (p *UserProvider) GetSecret(ctx context.Context, name string) (string, error) {
	if err := p.check(name); err != nil {
		return "", err
	}
	return p.inner.GetSecret(ctx, name)
}

// SetSecret writes a user key.
func (p *UserProvider) SetSecret(ctx context.Context, name, value string) error {
	if err := p.check(name); err != nil {
		return err
	}
	return p.inner.SetSecret(ctx, name, value)
}

// DeleteSecret deletes a user key.
func (p *UserProvider) DeleteSecret(ctx context.Context, name string) error {
	if err := p.check(name); err != nil {
		return err
	}
	return p.inner.DeleteSecret(ctx, name)
}

// ListSecrets lists the user keys only.
func (p *UserProvider) ListSecrets(ctx context.Context) ([]SecretDescription, error) {
	all, err := p.inner.ListSecrets(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]SecretDescription, 0, len(all))
	for _, d := range all {
		if !p.scheme.IsSystem(d.Key) {
			out = append(out, d)
		}
	}
	return out, nil
}

// DeleteSecrets is all-or-nothing on validation: if any name is reserved,
// nothing is deleted.
func (p *UserProvider) DeleteSecrets(ctx context.Context, names []string) error {
	for _, n := range names {
		if err := p.check(n); err != nil {
			return err
		}
	}
	return p.inner.DeleteSecrets(ctx, names)
}

// Cleanup removes every user key and no system key.
func (p *UserProvider) Cleanup() error {
	return deleteMatching(p.inner, func(k string) bool { return !p.scheme.IsSystem(k) })
}

// Capabilities are those of the inner provider.
func (p *UserProvider) Capabilities() Capabilities { return p.inner.Capabilities() }
