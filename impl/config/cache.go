package config

import (
	"bytes"

	"github.com/scopemig/scopemig/impl/internal/fifo"
)

// DefaultCacheEntries is the capacity of NewCache(0).
const DefaultCacheEntries = 64

// Cache remembers what a Flag computed from a config file it parsed, keyed
// by the file's exact bytes: whether the flag is set, and the bytes
// SetMigrated writes in its place. Both are pure functions of those bytes
// (a missing file reads as empty), so a Flag with a Cache (Flag.Cache)
// reads, validates and locks exactly as one without; it only skips the
// YAML parse and render of a content it has parsed before. Files that fail
// to parse are never cached (the error is computed again), and bytes a
// Flag wrote are not recorded until a Flag parses them.
//
// What it saves: one `scopemig migrate` parses its config a few times
// (the flag check, then SetMigrated before and under the lock), so a
// Cache saves it a parse and a render of a content it already parsed
// (BenchmarkMigrateCache in impl/migrate measures the effect on a whole
// migration); a process that reads the same configs again and again, such
// as a crash-state explorer restarting on thousands of disk images
// (the harness shares one per run), saves nearly all of them.
//
// It is safe for concurrent use and bounded (the oldest entry is dropped
// first). The zero value is not usable; use NewCache.
type Cache struct {
	entries *fifo.Map[string, cacheEntry] // file bytes -> results
}

// cacheEntry holds the results for one content (immutable).
type cacheEntry struct {
	migrated bool
	set      []byte // the content SetMigrated writes; nil until computed
}

// NewCache returns an empty Cache of at most entries contents
// (DefaultCacheEntries when entries <= 0).
func NewCache(entries int) *Cache {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	return &Cache{entries: fifo.New[string, cacheEntry](entries)}
}

// get returns the cached results of data.
func (c *Cache) get(data []byte) (migrated bool, set []byte, ok bool) {
	e, ok := c.entries.Get(string(data))
	return e.migrated, e.set, ok
}

// put records the results of data (set may be nil: not computed; a set
// already recorded is kept).
func (c *Cache) put(data []byte, migrated bool, set []byte) {
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
