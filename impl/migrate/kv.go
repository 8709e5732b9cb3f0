package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopemig/scopemig/impl/secrets"
)

// mapKV is the map handed to fn by secrets.Updater.Update.
type mapKV map[string]string

var _ kv = mapKV(nil)

func (m mapKV) get(_ context.Context, key string) (string, bool, error) {
	v, ok := m[key]
	return v, ok, nil
}

func (m mapKV) set(_ context.Context, key, value string) error {
	m[key] = value
	return nil
}

func (m mapKV) del(_ context.Context, key string) error {
	delete(m, key)
	return nil
}

// providerKV runs the body directly against a provider, one operation at a
// time. A not-found on read means absent; a not-found on delete means the
// delete already happened (a previous, interrupted run).
type providerKV struct{ p secrets.Provider }

var _ kv = providerKV{}

func (s providerKV) get(ctx context.Context, key string) (string, bool, error) {
	v, err := s.p.GetSecret(ctx, key)
	switch {
	case err == nil:
		return v, true, nil
	case errors.Is(err, secrets.ErrNotFound):
		return "", false, nil
	}
	return "", false, fmt.Errorf("read %q: %w", key, err)
}

func (s providerKV) set(ctx context.Context, key, value string) error {
	if err := s.p.SetSecret(ctx, key, value); err != nil {
		return fmt.Errorf("write %q: %w", key, err)
	}
	return nil
}

func (s providerKV) del(ctx context.Context, key string) error {
	if err := s.p.DeleteSecret(ctx, key); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return fmt.Errorf("delete %q: %w", key, err)
	}
	return nil
}

// overlayKV reads through to a provider and records writes in memory
// without performing them: the dry run behind Discover.
type overlayKV struct {
	under providerKV
	// over holds planned writes; a nil pointer is a planned delete.
	over map[string]*string
}

var _ kv = (*overlayKV)(nil)

func (s *overlayKV) get(ctx context.Context, key string) (string, bool, error) {
	if v, ok := s.over[key]; ok {
		if v == nil {
			return "", false, nil
		}
		return *v, true, nil
	}
	return s.under.get(ctx, key)
}

func (s *overlayKV) set(_ context.Context, key, value string) error {
	s.over[key] = &value
	return nil
}

func (s *overlayKV) del(_ context.Context, key string) error {
	s.over[key] = nil
	return nil
}
