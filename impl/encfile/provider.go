package encfile

import (
	"context"
	"fmt"

	"github.com/scopemig/scopemig/impl/secrets"
)

// GetSecret implements secrets.Provider: it rereads the file. A missing key
// wraps secrets.ErrNotFound.
func (s *Store) GetSecret(ctx context.Context, name string) (string, error) {
	if err := validName(name); err != nil {
		return "", err
	}
	var v string
	err := s.view(ctx, func(c *contents) error {
		var ok bool
		if v, ok = c.m[name]; !ok {
			return fmt.Errorf("encfile: get %q: %w", name, secrets.ErrNotFound)
		}
		return nil
	})
	return v, err
}

// SetSecret implements secrets.Provider: one locked read-modify-write and
// one atomic replace, always (as ToolHive's, even when the value is already
// stored), so a nil return means the value is durable.
//
// Crash contract: the file holds the old or the new content (never a mix);
// after an error the outcome is either; retrying is safe.
func (s *Store) SetSecret(ctx context.Context, name, value string) error {
	if err := validName(name); err != nil {
		return err
	}
	if err := validValue(value); err != nil {
		return err
	}
	return s.modify(ctx, func(m map[string]string) (bool, error) {
		m[name] = value
		return true, nil
	})
}

// DeleteSecret implements secrets.Provider. A missing key fails with an
// error wrapping secrets.ErrNotFound and writes nothing (ToolHive's
// EncryptedManager also fails: "cannot delete non-existent secret").
// Crash contract as SetSecret.
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	return s.modify(ctx, func(m map[string]string) (bool, error) {
		if _, ok := m[name]; !ok {
			return false, fmt.Errorf("encfile: delete %q: %w", name, secrets.ErrNotFound)
		}
		delete(m, name)
		return true, nil
	})
}

// ListSecrets implements secrets.Provider: every key, sorted.
func (s *Store) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	var out []secrets.SecretDescription
	err := s.view(ctx, func(c *contents) error {
		keys := c.sorted()
		out = make([]secrets.SecretDescription, 0, len(keys))
		for _, k := range keys {
			out = append(out, secrets.SecretDescription{Key: k})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// DeleteSecrets implements secrets.Provider as ToolHive does: missing keys
// are ignored and the file is rewritten in one atomic replace (always, even
// when no key matched). Crash contract as SetSecret.
func (s *Store) DeleteSecrets(ctx context.Context, names []string) error {
	return s.modify(ctx, func(m map[string]string) (bool, error) {
		for _, n := range names {
			delete(m, n)
		}
		return true, nil
	})
}

// Cleanup removes every secret, as ToolHive's EncryptedManager.Cleanup
// does: the file is replaced by an encrypted empty store (created if
// missing). Crash contract as SetSecret.
func (s *Store) Cleanup() error {
	return s.modify(context.Background(), func(m map[string]string) (bool, error) {
		clear(m)
		return true, nil
	})
}

// Capabilities implements secrets.Provider: everything.
func (*Store) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}
}
