package sched

import (
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// run runs n processes of k steps each under s and returns the order in
// which the steps ran.
func run(s *Sched, n, k int) []int {
	var (
		mu    sync.Mutex // guards order
		order []int
		wg    sync.WaitGroup
	)
	for id := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.Enter(id)
			defer s.Exit(id)
			for range k {
				mu.Lock()
				order = append(order, id)
				mu.Unlock()
				s.Yield(id)
			}
		}()
	}
	s.Start()
	wg.Wait()
	return order
}

// A seeded run's choices, replayed as a script, give the same interleaving;
// with neither script nor rng, the current process keeps running.
func TestScriptReplaysTheInterleaving(t *testing.T) {
	s := New(3, nil, rand.New(rand.NewPCG(7, 7)))
	first := run(s, 3, 4)
	script := s.Choices()
	require.Positive(t, Switches(first), "a seeded run interleaves")

	again := New(3, script, nil)
	require.Equal(t, first, run(again, 3, 4))

	calm := New(3, nil, nil)
	require.Equal(t, []int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2}, run(calm, 3, 4))
}

func TestScriptFormat(t *testing.T) {
	for _, c := range [][]int{nil, {0}, {0, 1, 1, 2, 0}} {
		got, err := ParseScript(FormatScript(c))
		require.NoError(t, err)
		require.Equal(t, len(c), len(got))
		for i := range c {
			require.Equal(t, c[i], got[i])
		}
	}
	require.Equal(t, "-", FormatScript(nil))
	_, err := ParseScript("01x")
	require.ErrorIs(t, err, ErrBadSchedule)
	require.Equal(t, 2, Switches([]int{0, 0, 1, 1, 0}))
}
