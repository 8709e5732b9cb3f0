package encfile

import (
	"crypto/cipher"
	"sync"

	"github.com/scopemig/scopemig/impl/internal/fifo"
)

// DefaultCacheEntries is the capacity of a Cache made with a size <= 0.
const DefaultCacheEntries = 1024

// Cache remembers decoded files by their exact encrypted bytes, for many
// Store instances (WithCache): a simulator that restarts a store on a
// fresh disk image thousands of times per second decrypts and parses each
// distinct file once instead of once per Open. It also shares one
// AES-GCM instance per key.
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
// usable; use NewCache.
type Cache struct {
	mu    sync.Mutex                     // guards aeads
	aeads map[[32]byte]*cacheTable       // per key
	files *fifo.Map[fileKey, cacheEntry] // (key, encrypted bytes) -> their contents; at most the capacity
}

// cacheTable is the part of a Cache for one key (immutable).
type cacheTable struct {
	c    *Cache
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

// NewCache returns an empty cache of at most entries files
// (DefaultCacheEntries when entries <= 0).
func NewCache(entries int) *Cache {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	return &Cache{aeads: map[[32]byte]*cacheTable{}, files: fifo.New[fileKey, cacheEntry](entries)}
}

// WithCache makes the Store share c's decoded files and cipher with every
// other Store opened with c. A nil c is no cache.
func WithCache(c *Cache) Option { return func(o *options) { o.cache = c } }

// table returns the table of key, creating it (and its cipher) once.
func (c *Cache) table(key [32]byte) (*cacheTable, error) {
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
// cached keeps its entry). The oldest entry of the Cache is dropped when
// it is full.
func (t *cacheTable) put(file string, content *contents) {
	t.c.files.Upsert(fileKey{t.key, file}, func(old cacheEntry, ok bool) cacheEntry {
		if ok {
			return old
		}
		return cacheEntry{file: file, c: content}
	})
}
