// Package fifo is the module's one cache type: a bounded map, safe for
// concurrent use, that forgets its oldest entry first. The decode caches
// of encfile (decoded files) and config (parsed config contents) are built on
// it.
package fifo

import "sync"

// Map holds at most its capacity of entries; adding one more drops the
// entry added first. The zero value is not usable; use New.
type Map[K comparable, V any] struct {
	mu   sync.Mutex // guards the fields below
	m    map[K]V
	ring []K  // insertion order, a ring of capacity slots
	next int  // next slot of ring to fill
	full bool // every slot of ring holds a live key
}

// New returns an empty Map of the given capacity (at least 1).
func New[K comparable, V any](capacity int) *Map[K, V] {
	capacity = max(capacity, 1)
	return &Map[K, V]{m: make(map[K]V, capacity), ring: make([]K, capacity)}
}

// Get returns the value stored under k.
func (c *Map[K, V]) Get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

// Upsert stores fn(old, ok) under k, atomically, where old is the value
// stored under k (ok false: none), and returns what it stored. A key
// already present keeps its place in the eviction order; a new one drops
// the oldest entry when the Map is full.
func (c *Map[K, V]) Upsert(k K, fn func(old V, ok bool) V) V {
	c.mu.Lock()
	defer c.mu.Unlock()
	old, ok := c.m[k]
	v := fn(old, ok)
	if ok {
		c.m[k] = v
		return v
	}
	if c.full {
		delete(c.m, c.ring[c.next])
	}
	c.m[k] = v
	c.ring[c.next] = k
	c.next = (c.next + 1) % len(c.ring)
	c.full = c.full || c.next == 0
	return v
}

// Len returns the number of entries.
func (c *Map[K, V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
