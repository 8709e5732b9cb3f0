package harness

import (
	"context"
	"runtime"
	"sync/atomic"

	"golang.org/x/sync/errgroup"
)

// shardResult is what one shard of a phase returns; the merge reads the
// shards in index order, never in completion order.
type shardResult struct {
	cases  int      // cases the shard ran (up to and including a failing one)
	states int      // crash states it checked
	reused int      // crash states whose verdict came from its memo
	f      *failure // the shard's first failure, or nil
}

// runShards runs shard(i) for i in [0, n) on at most workers goroutines and
// returns the results in index order, cut after the first failing index:
// exactly the prefix a serial loop over the shards, stopping at its first
// failure, would have produced. Shards are handed out in index order; once
// shard i has failed, shards above i that have not started are skipped
// (their results would be cut anyway). A shard must depend only on its
// index (its own sweeper and seed), so the merged figures are the same for
// any number of workers.
func runShards(ctx context.Context, workers, n int, shard func(i int) shardResult) []shardResult {
	if workers < 1 {
		workers = 1
	}
	res := make([]shardResult, n)
	done := make([]bool, n) // done[i] is written only by the goroutine that ran shard i
	var (
		next   atomic.Int64
		failed atomic.Int64 // lowest failing index so far; n when none
	)
	failed.Store(int64(n))
	var g errgroup.Group
	for range min(workers, n) {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || int64(i) > failed.Load() || ctx.Err() != nil {
					return nil
				}
				res[i], done[i] = shard(i), true
				if res[i].f != nil {
					for {
						cur := failed.Load()
						if int64(i) >= cur || failed.CompareAndSwap(cur, int64(i)) {
							break
						}
					}
				}
			}
		})
	}
	_ = g.Wait() // shards report failures in their results, never as errors
	out := res[:0]
	for i := range res {
		if !done[i] { // skipped after a failure below it, or ctx ended
			break
		}
		out = append(out, res[i])
		if res[i].f != nil {
			break
		}
	}
	return out
}

// merge adds the shards' figures to the sweeper's (the phase's counters)
// and returns the total cases and the first failure.
func (sw *sweeper) merge(rs []shardResult) (cases int, f *failure) {
	for _, r := range rs {
		cases += r.cases
		sw.states += r.states
		sw.reused += r.reused
		if r.f != nil {
			return cases, r.f
		}
	}
	return cases, nil
}

// defaultWorkers is Config.Workers' default.
func defaultWorkers() int { return runtime.GOMAXPROCS(0) }
