package encfile

import (
	"crypto/cipher"
	"sync"

	"github.com/scopemig/scopemig/impl/internal/fifo"
)

// DefaultCacheEntries is the capacity of NewCache(0).
const DefaultCacheEntries = 64

// Cache remembers decoded files by their exact encrypted bytes, for every
// Store opened with it (WithCache), and shares one AES-GCM instance per
// key among them. A Store already remembers the last file it decoded, so
// one Store — one `scopemig migrate` — gains nothing from a Cache
// (BenchmarkMigrateCache in impl/migrate measures it); what gains is a
// process that opens the same file content again and again, such as a
// crash-state explorer restarting a store on thousands of disk images
// (the harness lends one to the built-in target's stores per run) or a
// server that opens the store per request.
//
// Only bytes a Store actually decrypted and parsed are recorded, never the
// bytes a Store wrote: a file is decoded at least once by every cache it
// is read through, so a file the encoder got wrong is rejected on the first
// read, as in a process without a Cache.
//
// It is sound because the files are authenticated: under one key, the
// same bytes always decode to the same content. Entries are per key, so a
// wrong password never finds another key's content. The cache keeps at
// most its capacity of files (the oldest is dropped first): memory is
// bounded by capacity × the largest file.
//
// It is safe for concurrent use; the cached contents are immutable and
// never handed out (Stores copy before any change). The zero value is not
// usable; use NewCache.
type Cache struct {
	mu    sync.Mutex                     // guards aeads
	aeads map[[32]byte]*cacheTable       // per key
	files *fifo.Map[fileKey, cacheEntry] // (key, encrypted bytes) -> their contents; at most the capacity
}

// cacheTable is the part of a cache for one key (immutable).
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

// NewCache returns an empty Cache of at most entries files
// (DefaultCacheEntries when entries <= 0).
func NewCache(entries int) *Cache {
	if entries <= 0 {
		entries = DefaultCacheEntries
	}
	return &Cache{aeads: map[[32]byte]*cacheTable{}, files: fifo.New[fileKey, cacheEntry](entries)}
}

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

// put records that the bytes file were decoded to content (a file already
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
