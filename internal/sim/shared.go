package sim

import (
	"context"
	"sync"
)

// Shared holds values that product packages build once and then share
// across every call made with a context carrying it (NewContext), such as
// a cache of decoded files keyed by their exact bytes. Each package keeps
// its values under keys of its own unexported type, as with context keys,
// so packages never see each other's values. It is safe for concurrent
// use. The zero value is an empty Shared, ready to use.
type Shared struct {
	mu     sync.Mutex  // guards values
	values map[any]any // key -> the value built for it; never removed; nil until the first
}

// NewShared returns an empty Shared.
func NewShared() *Shared { return &Shared{} }

// Value returns the value under key of the Shared ctx carries, built by
// mk on the first call for key (under the Shared's lock: mk must not call
// Value), or the zero V when ctx carries no Shared. A value found under
// key that is not a V is replaced by a fresh mk().
func Value[V any](ctx context.Context, key any, mk func() V) V {
	s := FromContext(ctx)
	if s == nil {
		var zero V
		return zero
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.values[key].(V); ok {
		return v
	}
	if s.values == nil {
		s.values = map[any]any{}
	}
	v := mk()
	s.values[key] = v
	return v
}

// sharedKey is the context key of a *Shared.
type sharedKey struct{}

// NewContext returns ctx carrying s.
func NewContext(ctx context.Context, s *Shared) context.Context {
	return context.WithValue(ctx, sharedKey{}, s)
}

// FromContext returns the Shared ctx carries, or nil.
func FromContext(ctx context.Context) *Shared {
	s, _ := ctx.Value(sharedKey{}).(*Shared)
	return s
}
