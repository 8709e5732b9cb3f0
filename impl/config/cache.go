package config

import (
	"bytes"
	"context"

	"github.com/scopemig/scopemig/impl/internal/fifo"
	"github.com/scopemig/scopemig/internal/sim"
)

// cacheEntries is the capacity of the cache a simulation shares.
const cacheEntries = 64

// cache remembers what Flag computed from a config file, keyed by the
// file's exact bytes: whether the flag is set, and the bytes SetMigrated
// writes in its place. Both are pure functions of those bytes (a missing
// file reads as empty), so a Flag with a cache reads, validates and locks
// exactly as one without; it only skips the YAML parse and render of a
// content it has seen. Files that fail to parse are never cached (the
// error is computed again). Only a simulation, which restarts the same
// config thousands of times, has one: every Flag call made with a context
// that carries a sim.Shared uses that Shared's cache (sharedCache); a CLI
// has none.
//
// It is safe for concurrent use and bounded (the oldest entry is dropped
// first). The zero value is not usable; use newCache.
type cache struct {
	entries *fifo.Map[string, cacheEntry] // file bytes -> results
}

// cacheEntry holds the results for one content (immutable).
type cacheEntry struct {
	migrated bool
	set      []byte // the content SetMigrated writes; nil until computed
}

// newCache returns an empty cache of at most entries contents.
func newCache(entries int) *cache {
	return &cache{entries: fifo.New[string, cacheEntry](entries)}
}

// cacheKey is the sim.Shared key of the cache.
type cacheKey struct{}

// sharedCache returns the cache of the sim.Shared ctx carries, or nil.
func sharedCache(ctx context.Context) *cache {
	return sim.Value(ctx, cacheKey{}, func() *cache { return newCache(cacheEntries) })
}

// get returns the cached results of data.
func (c *cache) get(data []byte) (migrated bool, set []byte, ok bool) {
	e, ok := c.entries.Get(string(data))
	return e.migrated, e.set, ok
}

// put records the results of data (set may be nil: not computed; a set
// already recorded is kept).
func (c *cache) put(data []byte, migrated bool, set []byte) {
	c.entries.Upsert(string(data), func(old cacheEntry, ok bool) cacheEntry {
		if ok {
			if set != nil {
				old.set = bytes.Clone(set)
			}
			return old
		}
		return cacheEntry{migrated: migrated, set: bytes.Clone(set)}
	})
}
