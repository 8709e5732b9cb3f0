package secrets

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
)

// Memory is an in-process provider backed by a map: a reference store for
// examples and unit tests. It is not durable. The zero value is an empty,
// ready store.
type Memory struct {
	mu sync.Mutex        // guards m
	m  map[string]string // nil until the first write
}

var (
	_ Provider = (*Memory)(nil)
	_ Updater  = (*Memory)(nil)
)

// NewMemory returns a store holding a copy of init.
func NewMemory(init map[string]string) *Memory { return &Memory{m: maps.Clone(init)} }

// Snapshot returns a copy of the content.
func (s *Memory) Snapshot() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := maps.Clone(s.m)
	if out == nil {
		out = map[string]string{}
	}
	return out
}

// GetSecret implements Provider.
func (s *Memory) GetSecret(_ context.Context, name string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return "", fmt.Errorf("get %q: %w", name, ErrNotFound)
	}
	return v, nil
}

// SetSecret implements Provider.
func (s *Memory) SetSecret(_ context.Context, name, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]string{}
	}
	s.m[name] = value
	return nil
}

// DeleteSecret implements Provider.
func (s *Memory) DeleteSecret(_ context.Context, name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; !ok {
		return fmt.Errorf("delete %q: %w", name, ErrNotFound)
	}
	delete(s.m, name)
	return nil
}

// ListSecrets implements Provider; keys are sorted.
func (s *Memory) ListSecrets(context.Context) ([]SecretDescription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := slices.Sorted(maps.Keys(s.m))
	out := make([]SecretDescription, len(keys))
	for i, k := range keys {
		out[i] = SecretDescription{Key: k}
	}
	return out, nil
}

// DeleteSecrets implements Provider: missing keys are ignored.
func (s *Memory) DeleteSecrets(_ context.Context, names []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, n := range names {
		delete(s.m, n)
	}
	return nil
}

// Cleanup removes everything.
func (s *Memory) Cleanup() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m = nil
	return nil
}

// Capabilities implements Provider: everything.
func (*Memory) Capabilities() Capabilities {
	return Capabilities{CanRead: true, CanWrite: true, CanDelete: true, CanList: true, CanCleanup: true}
}

// Update implements Updater.
func (s *Memory) Update(_ context.Context, fn func(map[string]string) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := maps.Clone(s.m)
	if next == nil {
		next = map[string]string{}
	}
	if err := fn(next); err != nil {
		return err
	}
	s.m = next
	return nil
}
