package dirstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

func validName(name string) error {
	if name == "" {
		return fmt.Errorf("dirstore: %w: empty name", secrets.ErrInvalidName)
	}
	return nil
}

// locked runs fn under s.mu and the directory lock (created when create
// is set); fn gets exists=false for a missing directory (an empty store).
func (s *Store) locked(ctx context.Context, create bool, fn func(exists bool) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	release, exists, err := s.lock(ctx, create)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	if err := fn(exists); err != nil {
		return err
	}
	return release()
}

// GetSecret implements secrets.Provider. A missing key wraps
// secrets.ErrNotFound.
func (s *Store) GetSecret(ctx context.Context, name string) (string, error) {
	if err := validName(name); err != nil {
		return "", err
	}
	var v string
	err := s.locked(ctx, false, func(exists bool) error {
		if !exists {
			return fmt.Errorf("dirstore: get %q: %w", name, secrets.ErrNotFound)
		}
		got, val, err := s.readFile(s.codec.fileName(name))
		if err != nil {
			return fmt.Errorf("dirstore: get %q: %w", name, err)
		}
		if got != name {
			return fmt.Errorf("dirstore: get %q: %w: file holds another name", name, ErrCorrupt)
		}
		v = val
		return nil
	})
	return v, err
}

// SetSecret implements secrets.Provider: one atomic, durable replace of
// the key's file (created with the directory if missing).
//
// Crash contract: the file holds the old or the new secret, never a mix;
// a leftover temp file is never listed and is removed by the next Open.
// After an error the outcome is either; retrying is safe. Other keys are
// never touched.
func (s *Store) SetSecret(ctx context.Context, name, value string) error {
	if err := validName(name); err != nil {
		return err
	}
	return s.locked(ctx, true, func(bool) error {
		base := s.codec.fileName(name)
		data, err := s.codec.seal(base, name, value, s.random)
		if err != nil {
			return fmt.Errorf("dirstore: set %q: %w", name, err)
		}
		if err := atomicfile.Write(s.fsys, filepath.Join(s.dir, base), data, filePerm); err != nil {
			return fmt.Errorf("dirstore: set %q: %w", name, err)
		}
		return nil
	})
}

// DeleteSecret implements secrets.Provider: remove the key's file, then
// sync the directory. A missing key fails with secrets.ErrNotFound and
// writes nothing.
//
// Crash contract: the key is present or absent; a nil return means the
// delete survives power loss. Retry safe (a retry may report not found).
func (s *Store) DeleteSecret(ctx context.Context, name string) error {
	if err := validName(name); err != nil {
		return err
	}
	return s.locked(ctx, false, func(exists bool) error {
		base := s.codec.fileName(name)
		if exists {
			_, err := s.fsys.Stat(filepath.Join(s.dir, base))
			if err == nil {
				return s.apply([]change{{base: base}})
			}
			if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("dirstore: delete %q: %w", name, err)
			}
		}
		return fmt.Errorf("dirstore: delete %q: %w", name, secrets.ErrNotFound)
	})
}

// ListSecrets implements secrets.Provider: every secret, sorted by name.
// Temp files, the journal and foreign files are never listed; a secret
// file that does not decrypt fails the listing.
func (s *Store) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	var out []secrets.SecretDescription
	err := s.locked(ctx, false, func(bool) error {
		bases, err := s.secretFiles()
		if err != nil {
			return err
		}
		out = make([]secrets.SecretDescription, 0, len(bases))
		for _, b := range bases {
			name, _, err := s.readFile(b)
			if errors.Is(err, secrets.ErrNotFound) {
				continue
			}
			if err != nil {
				return fmt.Errorf("dirstore: list: %w", err)
			}
			out = append(out, secrets.SecretDescription{Key: name})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b secrets.SecretDescription) int {
		switch {
		case a.Key < b.Key:
			return -1
		case a.Key > b.Key:
			return 1
		}
		return 0
	})
	return out, nil
}

// DeleteSecrets implements secrets.Provider: missing keys are ignored; the
// present ones are deleted all-or-nothing (one transaction, see commit).
// Crash contract: all or none of the present keys are deleted once the
// store is next opened or locked; retry safe.
func (s *Store) DeleteSecrets(ctx context.Context, names []string) error {
	for _, n := range names {
		if err := validName(n); err != nil {
			return err
		}
	}
	return s.locked(ctx, false, func(exists bool) error {
		if !exists {
			return nil
		}
		var changes []change
		for _, n := range names {
			b := s.codec.fileName(n)
			if _, err := s.fsys.Stat(filepath.Join(s.dir, b)); err == nil && !slices.ContainsFunc(changes, func(c change) bool { return c.base == b }) {
				changes = append(changes, change{base: b})
			}
		}
		return s.commit(changes)
	})
}

// Cleanup removes every secret, all-or-nothing (crash contract as
// DeleteSecrets). Foreign files in the directory are left alone.
func (s *Store) Cleanup() error {
	return s.locked(context.Background(), false, func(exists bool) error {
		if !exists {
			return nil
		}
		bases, err := s.secretFiles()
		if err != nil {
			return err
		}
		changes := make([]change, len(bases))
		for i, b := range bases {
			changes[i] = change{base: b}
		}
		return s.commit(changes)
	})
}

// Capabilities implements secrets.Provider: everything.
func (*Store) Capabilities() secrets.Capabilities {
	return secrets.Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}
}
