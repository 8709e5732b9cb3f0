package fifo_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/internal/fifo"
)

func put[K comparable, V any](c *fifo.Map[K, V], k K, v V) V {
	return c.Upsert(k, func(V, bool) V { return v })
}

// The oldest entry goes first; replacing a value keeps its place.
func TestEvictsOldestFirst(t *testing.T) {
	c := fifo.New[string, int](2)
	put(c, "a", 1)
	put(c, "b", 2)
	put(c, "a", 10) // a replaced, still the oldest
	put(c, "c", 3)  // evicts a
	_, ok := c.Get("a")
	require.False(t, ok)
	v, ok := c.Get("b")
	require.True(t, ok)
	require.Equal(t, 2, v)
	put(c, "d", 4) // evicts b
	_, ok = c.Get("b")
	require.False(t, ok)
	require.Equal(t, 2, c.Len())
	for k, want := range map[string]int{"c": 3, "d": 4} {
		v, ok := c.Get(k)
		require.True(t, ok, k)
		require.Equal(t, want, v, k)
	}
}

// Upsert sees the old value, and the first value can be kept.
func TestUpsertSeesOld(t *testing.T) {
	c := fifo.New[int, string](0) // capacity at least 1
	keep := func(v string) func(string, bool) string {
		return func(old string, ok bool) string {
			if ok {
				return old
			}
			return v
		}
	}
	require.Equal(t, "first", c.Upsert(1, keep("first")))
	require.Equal(t, "first", c.Upsert(1, keep("second")))
	require.Equal(t, "other", c.Upsert(2, keep("other"))) // evicts 1
	_, ok := c.Get(1)
	require.False(t, ok)
	require.Equal(t, 1, c.Len())
}

// Concurrent use stays within the bound (run under -race by make race).
func TestConcurrentBound(t *testing.T) {
	c := fifo.New[string, int](8)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				k := fmt.Sprintf("%d-%d", g, i%20)
				put(c, k, i)
				c.Get(k)
			}
		})
	}
	wg.Wait()
	require.Equal(t, 8, c.Len())
}
