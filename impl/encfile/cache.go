package encfile

import (
	"context"
	"crypto/cipher"
	"sync"

	"github.com/scopemig/scopemig/impl/internal/fifo"
	"github.com/scopemig/scopemig/internal/sim"
)

// cacheEntries is the capacity of the cache a simulation shares.
const cacheEntries = 64

// cache remembers decoded files by their exact encrypted bytes, for many
// Store instances: a simulator that restarts a store on a fresh disk image
// thousands of times per second decrypts and parses each distinct file
// once instead of once per Open. It also shares one AES-GCM instance per
// key. Only a simulation has one: the Stores opened with a context that
// carries a sim.Shared share its cache (sharedCache); other Stores have
// none.
//
// It is sound because the files are authenticated: under one key, the
// same bytes always decode to the same content, and a Store that encrypts
// a content records the bytes it wrote with that content (decode(encode(m))
// is m: names and values are checked to be valid UTF-8 before a write, and
// JSON round-trips such strings exactly). Entries are per key, so a wrong
// password never finds another key's content. The cache keeps at most its
// capacity of files (the oldest is dropped first): memory is bounded.
//
// It is safe for concurrent use; the cached contents are immutable and
// never handed out (Stores copy before any change). The zero value is not
// usable; use newCache.
type cache struct {
	mu    sync.Mutex                     // guards aeads
	aeads map[[32]byte]*cacheTable       // per key
	files *fifo.Map[fileKey, cacheEntry] // (key, encrypted bytes) -> their contents; at most the capacity
}

// cacheTable is the part of a cache for one key (immutable).
type cacheTable struct {
	c    *cache
	key  [32]byte
	aead cipher.AEAD // safe for concurrent use
}

// fileKey names one cached file: the key it is encrypted under and its
// bytes.
type fileKey struct {
	key  [32]byte
	file string
}

// cacheEntry is one cached file: its bytes (kept so that a memo can share
// the cache's copy) and their contents.
type cacheEntry struct {
	file string
	c    *contents
}

// newCache returns an empty cache of at most entries files.
func newCache(entries int) *cache {
	return &cache{aeads: map[[32]byte]*cacheTable{}, files: fifo.New[fileKey, cacheEntry](entries)}
}

// cacheKey is the sim.Shared key of the cache.
type cacheKey struct{}

// sharedCache returns the cache of the sim.Shared ctx carries, or nil.
func sharedCache(ctx context.Context) *cache {
	return sim.Value(ctx, cacheKey{}, func() *cache { return newCache(cacheEntries) })
}

// table returns the table of key, creating it (and its cipher) once.
func (c *cache) table(key [32]byte) (*cacheTable, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t, ok := c.aeads[key]; ok {
		return t, nil
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	t := &cacheTable{c: c, key: key, aead: aead}
	c.aeads[key] = t
	return t, nil
}

// get returns the contents of the exact bytes file, if cached, with the
// cache's own (immutable) copy of the bytes.
func (t *cacheTable) get(file []byte) (string, *contents, bool) {
	e, ok := t.c.files.Get(fileKey{t.key, string(file)})
	return e.file, e.c, ok
}

// put records that the bytes file decode to content (a file already
// cached keeps its entry). The oldest entry of the cache is dropped when
// it is full.
func (t *cacheTable) put(file string, content *contents) {
	t.c.files.Upsert(fileKey{t.key, file}, func(old cacheEntry, ok bool) cacheEntry {
		if ok {
			return old
		}
		return cacheEntry{file: file, c: content}
	})
}
