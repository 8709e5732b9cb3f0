package encfile

import (
	"maps"
	"slices"
	"sync"
)

// contents is a decoded file. It is immutable once built, so a Store's
// memo and a shared cache share it with any number of Stores and goroutines; the
// sorted names are computed on first use, once.
type contents struct {
	m    map[string]string // never modified nor handed out for writing
	o    *others           // the file's other top-level members; nil: none
	once sync.Once         // guards keys
	keys []string          // m's names, sorted; set by sorted
}

// newContents takes m (never nil afterwards); the caller gives it up.
func newContents(m map[string]string) *contents {
	if m == nil {
		m = map[string]string{}
	}
	return &contents{m: m}
}

// sorted returns the names in order; the slice must not be modified.
func (c *contents) sorted() []string {
	c.once.Do(func() { c.keys = slices.Sorted(maps.Keys(c.m)) })
	return c.keys
}
