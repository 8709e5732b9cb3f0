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

// shardCtl is a running shard's view of the others.
type shardCtl struct {
	i      int
	failed *atomic.Int64 // lowest index known to fail; n when none
	// abandoned is set when the shard returned early because stop said so.
	abandoned bool
}

// stop reports whether a shard below this one is known to fail: this
// shard's result will be cut, so it may return at once (after calling
// abandon).
func (c *shardCtl) stop() bool { return c.failed.Load() < int64(c.i) }

// abandon marks the shard's result as not a result (see stop).
func (c *shardCtl) abandon() { c.abandoned = true }

// failing announces, as soon as the shard knows, that it will return a
// failure (before minimizing it): the shards above stop early.
func (c *shardCtl) failing() {
	for {
		cur := c.failed.Load()
		if int64(c.i) >= cur || c.failed.CompareAndSwap(cur, int64(c.i)) {
			return
		}
	}
}

// runShards runs shard(i) for i in [0, n) on at most workers goroutines and
// returns the results in index order, cut after the first failing index:
// exactly the prefix a serial loop over the shards, stopping at its first
// failure, would have produced. Shards are handed out in index order; once
// shard i is known to fail, shards above i that have not started are
// skipped and running ones may stop early (their results would be cut
// anyway). A shard that was skipped or abandoned below the first failure
// (which a shard that announced a failure it did not return could cause)
// is run again here, so the prefix is exact whatever the shards announce.
// A shard must depend only on its index (its own sweeper and seed), so the
// merged figures are the same for any number of workers.
func runShards(ctx context.Context, workers, n int, shard func(c *shardCtl) shardResult) []shardResult {
	if workers < 1 {
		workers = 1
	}
	res := make([]shardResult, n)
	done := make([]bool, n) // done[i] is written only by the goroutine that ran shard i
	var next, failed atomic.Int64
	failed.Store(int64(n))
	var g errgroup.Group
	for range min(workers, n) {
		g.Go(func() error {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || int64(i) > failed.Load() || ctx.Err() != nil {
					return nil
				}
				c := &shardCtl{i: i, failed: &failed}
				res[i] = shard(c)
				done[i] = !c.abandoned
				if res[i].f != nil && done[i] {
					c.failing()
				}
			}
		})
	}
	_ = g.Wait() // shards report failures in their results, never as errors
	out := res[:0]
	for i := range res {
		if !done[i] {
			if ctx.Err() != nil {
				break
			}
			var none atomic.Int64
			none.Store(int64(n))
			res[i] = shard(&shardCtl{i: i, failed: &none})
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
