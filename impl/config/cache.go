package config

import (
	"bytes"
	"sync"
)

// defaultCacheEntries is the capacity of a Cache made with a size <= 0.
const defaultCacheEntries = 64

// Cache remembers what Flag computed from a config file, keyed by the
// file's exact bytes: whether the flag is set, and the bytes SetMigrated
// writes in its place. Both are pure functions of those bytes (a missing
// file reads as empty), so a Flag with a Cache reads, validates and locks
// exactly as one without; it only skips the YAML parse and render of a
// content it has seen. Files that fail to parse are never cached (the
// error is computed again). A simulator that restarts the same config
// thousands of times uses one; a CLI needs none.
//
// It is safe for concurrent use and bounded (the oldest entry is dropped
// first). The zero value is not usable; use NewCache.
type Cache struct {
	mu      sync.Mutex             // guards the fields below
	entries map[string]*cacheEntry // file bytes -> results
	fifo    []string               // insertion order, a ring of max slots
	next    int                    // next slot of fifo to fill
	full    bool                   // every slot of fifo holds a live key
}

// cacheEntry holds the results for one content. Guarded by Cache.mu.
type cacheEntry struct {
	migrated bool
	set      []byte // the content SetMigrated writes; nil until computed; immutable
}

// NewCache returns an empty cache of at most entries contents (64 when
// entries <= 0).
func NewCache(entries int) *Cache {
	if entries <= 0 {
		entries = defaultCacheEntries
	}
	return &Cache{entries: map[string]*cacheEntry{}, fifo: make([]string, entries)}
}

// get returns the cached results of data.
func (c *Cache) get(data []byte) (migrated bool, set []byte, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[string(data)]
	if !ok {
		return false, nil, false
	}
	return e.migrated, e.set, true
}

// put records the results of data (set may be nil: not computed).
func (c *Cache) put(data []byte, migrated bool, set []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.entries[string(data)]; ok {
		if set != nil {
			e.set = bytes.Clone(set)
		}
		return
	}
	if c.full {
		delete(c.entries, c.fifo[c.next])
	}
	k := string(data)
	c.entries[k] = &cacheEntry{migrated: migrated, set: bytes.Clone(set)}
	c.fifo[c.next] = k
	c.next = (c.next + 1) % len(c.fifo)
	c.full = c.full || c.next == 0
}
