package envstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Prefix is ToolHive's environment prefix (secrets.EnvVarPrefix).
const Prefix = "TOOLHIVE_SECRET_"

// ErrListUnsupported reports that the provider refuses to list secrets,
// as ToolHive's does, for security reasons. It wraps errors.ErrUnsupported.
var ErrListUnsupported = fmt.Errorf("environment provider does not list secrets: %w", errors.ErrUnsupported)

// Store reads secrets from an environment. The zero value reads an empty
// environment.
type Store struct {
	lookup func(string) (string, bool) // immutable; nil = empty environment
}

var _ secrets.Provider = (*Store)(nil)

// New returns a provider over lookup (os.LookupEnv's signature).
func New(lookup func(key string) (string, bool)) *Store { return &Store{lookup: lookup} }

// FromOS returns a provider over the process environment.
func FromOS() *Store { return New(os.LookupEnv) }

// FromMap returns a provider over a copy of env (variable → value).
func FromMap(env map[string]string) *Store {
	c := maps.Clone(env)
	return New(func(k string) (string, bool) {
		v, ok := c[k]
		return v, ok
	})
}

func checkName(name string) error {
	if name == "" {
		return fmt.Errorf("%w: empty name", secrets.ErrInvalidName)
	}
	return nil
}

// GetSecret returns TOOLHIVE_SECRET_<name>; unset or empty wraps
// secrets.ErrNotFound.
func (s *Store) GetSecret(_ context.Context, name string) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if s.lookup != nil {
		if v, ok := s.lookup(Prefix + name); ok && v != "" {
			return v, nil
		}
	}
	return "", fmt.Errorf("envstore: get %q: %w", name, secrets.ErrNotFound)
}

// SetSecret fails: an empty name with secrets.ErrInvalidName, any other
// with secrets.ErrReadOnly.
func (*Store) SetSecret(_ context.Context, name, _ string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return fmt.Errorf("envstore: set %q: %w", name, secrets.ErrReadOnly)
}

// DeleteSecret fails like SetSecret.
func (*Store) DeleteSecret(_ context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	return fmt.Errorf("envstore: delete %q: %w", name, secrets.ErrReadOnly)
}

// DeleteSecrets fails with secrets.ErrReadOnly.
func (*Store) DeleteSecrets(context.Context, []string) error {
	return fmt.Errorf("envstore: delete: %w", secrets.ErrReadOnly)
}

// ListSecrets fails with ErrListUnsupported, as ToolHive's does.
func (*Store) ListSecrets(context.Context) ([]secrets.SecretDescription, error) {
	return nil, ErrListUnsupported
}

// Cleanup is a no-op, as in ToolHive.
func (*Store) Cleanup() error { return nil }

// Capabilities: read only (no list, no cleanup), as ToolHive's.
func (*Store) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true}
}
