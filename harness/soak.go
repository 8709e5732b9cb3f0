package harness

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// SoakConfig tunes Soak. The zero value runs one shard on every core with
// stores of up to 200 keys and up to 4 nested faults, until ctx ends.
type SoakConfig struct {
	// Seed is the base seed; case i uses a seed derived from (Seed, i).
	// 0 means 1.
	Seed uint64
	// Duration stops the soak after this long (0: until ctx ends or
	// MaxCases cases ran).
	Duration time.Duration
	// Workers is the number of goroutines running cases (default
	// GOMAXPROCS).
	Workers int
	// Shard and Shards partition the case indices by store group (the
	// casesPerStore = 16 consecutive indices that share a store): this run
	// takes the indices i with (i/16)%Shards == Shard (default 0 of 1).
	Shard, Shards int
	// MaxKeys bounds the generated stores (default 200).
	MaxKeys int
	// Depth bounds the number of faulty runs before the complete one
	// (default 4).
	Depth int
	// CrashAfterError lets later crashes follow an injected EIO/ENOSPC in
	// the same case (off by default: an error step ends the faulty runs
	// and the retry runs to completion, the sweeps' fault model). On, it
	// finds that a run after a failed fsync can see non-durable data and
	// set the flag over it (docs/soak.md).
	CrashAfterError bool
	// MaxCases stops after this many cases of this shard (0: no limit).
	MaxCases int
	// KeepGoing records every failing case instead of stopping at the
	// first.
	KeepGoing bool
	// Progress, when set, is called every ProgressEvery (default 1s) from
	// one goroutine, and once at the end, with the report so far.
	Progress      func(SoakReport)
	ProgressEvery time.Duration
}

func (c SoakConfig) withDefaults() SoakConfig {
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Shards <= 0 {
		c.Shards = 1
	}
	if c.MaxKeys <= 0 {
		c.MaxKeys = 200
	}
	if c.Depth <= 0 {
		c.Depth = 4
	}
	if c.ProgressEvery <= 0 {
		c.ProgressEvery = time.Second
	}
	return c
}

// SoakReport is the result of Soak.
type SoakReport struct {
	Target      string  `json:"target"`
	Seed        uint64  `json:"seed"`
	Shard       int     `json:"shard"`
	Shards      int     `json:"shards"`
	Workers     int     `json:"workers"`
	MaxKeys     int     `json:"max_keys"`
	Depth       int     `json:"depth"`
	Cases       int     `json:"cases"`
	CrashStates int     `json:"crash_states"`
	Runs        int     `json:"runs"`
	Seconds     float64 `json:"seconds"`
	// Failures holds one artifact per failing case, by case index.
	Failures []Artifact `json:"failures"`

	// DistinctImages counts the crash states whose checks ran; the others
	// reached an image already checked for the same store (the verdict
	// memo).
	DistinctImages int `json:"distinct_images"`
}

// OK reports whether no case failed.
func (r SoakReport) OK() bool { return len(r.Failures) == 0 }

// CasesPerSecond is Cases / Seconds.
func (r SoakReport) CasesPerSecond() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Cases) / r.Seconds
}

// soakCounters are the shared figures; atomics, no lock.
type soakCounters struct {
	cases, states, distinct, runs atomic.Int64
}

func (c *soakCounters) add(res caseResult) {
	c.cases.Add(1)
	c.states.Add(int64(res.states))
	c.distinct.Add(int64(res.distinct))
	c.runs.Add(int64(res.runs))
}

// stats returns head with the figures so far.
func (c *soakCounters) stats(head SoakReport, start time.Time) SoakReport {
	head.Cases, head.CrashStates, head.DistinctImages, head.Runs = int(c.cases.Load()), int(c.states.Load()), int(c.distinct.Load()), int(c.runs.Load())
	head.Seconds = time.Since(start).Seconds()
	return head
}

// Soak runs randomized cases of target t until the deadline (Duration or
// ctx), on Workers goroutines. Case i depends only on (Seed, i, MaxKeys,
// Depth, CrashAfterError), so any case can be replayed (Replay) and the
// same seed gives the same sequence of cases. Each case: a store of up to
// MaxKeys keys, shared by the 16 consecutive cases of its store group
// (seeded, counted and checked for I5 once per worker), up to Depth nested
// faulty runs (crashes of every mode at random operations, EIO/ENOSPC
// errors), each checked on restart (a process, power or power-partial
// crash in all three of those modes), then a complete run (I4–I5 as in
// the sweeps). An image already checked for the same store passes from
// the verdict memo (SoakReport.DistinctImages counts the checks that ran).
// A failing case is shrunk to a minimal store and returned as an Artifact.
// Memory stays flat: per worker, one store and its bounded memo; nothing
// is kept per case but the counters. Workers take whole store groups;
// cases are run with a context that the deadline does not cancel (a case
// is never cut in the middle); the deadline is checked between cases. The
// error is non-nil only for a bad configuration or target (ErrBadTarget,
// ErrBadConfig).
func Soak(ctx context.Context, t Target, cfg SoakConfig) (SoakReport, error) {
	cfg = cfg.withDefaults()
	rep := SoakReport{Target: t.Name, Seed: cfg.Seed, Shard: cfg.Shard, Shards: cfg.Shards, Workers: cfg.Workers, MaxKeys: cfg.MaxKeys, Depth: cfg.Depth}
	if err := t.validate(); err != nil {
		return rep, err
	}
	if cfg.Shard < 0 || cfg.Shard >= cfg.Shards {
		return rep, fmt.Errorf("%w: shard %d/%d is outside [0, %d)", ErrBadConfig, cfg.Shard, cfg.Shards, cfg.Shards)
	}
	start := time.Now()
	runCtx := context.WithoutCancel(ctx)
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()

	var (
		cnt  soakCounters
		next atomic.Int64
		mu   sync.Mutex // guards rep.Failures
	)
	head := rep // the report's fixed fields; Progress gets them with the figures so far
	progress := func() SoakReport {
		r := cnt.stats(head, start)
		mu.Lock()
		r.Failures = slices.Clone(rep.Failures)
		mu.Unlock()
		return r
	}
	progressDone := make(chan struct{})
	var pwg sync.WaitGroup
	if cfg.Progress != nil {
		pwg.Add(1)
		go func() {
			defer pwg.Done()
			tick := time.NewTicker(cfg.ProgressEvery)
			defer tick.Stop()
			for {
				select {
				case <-progressDone:
					return
				case <-tick.C:
					cfg.Progress(progress())
				}
			}
		}()
	}
	var g errgroup.Group
	for range cfg.Workers {
		g.Go(func() error {
			r := newSoakRunner(runCtx, t, cfg)
			for ctx.Err() == nil {
				block := int(next.Add(1) - 1) // a store group: its cases share the store
				for k := block * casesPerStore; k < (block+1)*casesPerStore && ctx.Err() == nil; k++ {
					if cfg.MaxCases > 0 && k >= cfg.MaxCases {
						return nil
					}
					res, err := r.run(cfg.Seed, caseIndex(cfg.Shard, cfg.Shards, k))
					if err != nil {
						return err
					}
					cnt.add(res)
					if res.art == nil {
						continue
					}
					mu.Lock()
					rep.Failures = append(rep.Failures, *res.art)
					mu.Unlock()
					if !cfg.KeepGoing {
						stop()
					}
				}
			}
			return nil
		})
	}
	err := g.Wait()
	close(progressDone)
	pwg.Wait()
	failures := rep.Failures
	rep = cnt.stats(head, start)
	rep.Failures = failures
	sortArtifacts(rep.Failures)
	if cfg.Progress != nil {
		cfg.Progress(rep)
	}
	return rep, err
}

func newSoakRunner(ctx context.Context, t Target, cfg SoakConfig) *soakRunner {
	return &soakRunner{e: newEnv(ctx, t), maxKeys: cfg.MaxKeys, depth: cfg.Depth, crashAfterError: cfg.CrashAfterError}
}

// caseResult is the outcome of one case.
type caseResult struct {
	desc         soakCase
	states, runs int
	distinct     int // crash states whose checks ran (not from the memo)
	art          *Artifact
	f            *failure // the minimal failure art reports (nil when the case passed)
}

// run plans, runs and (on failure) shrinks case index. The error is
// non-nil only when the store cannot be seeded at all.
func (r *soakRunner) run(base uint64, index int) (caseResult, error) {
	st, steps, desc, err := r.plan(base, index)
	if err != nil {
		return caseResult{desc: desc}, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	sw := r.sw
	states, runs, reused := sw.states, sw.runs, sw.reused
	f, err := r.exec(sw, st.s0, steps, st.d0.Clone(), st.ops)
	if err != nil {
		return caseResult{desc: desc}, fmt.Errorf("%w: case %d: %v", ErrBadTarget, index, err)
	}
	if f != nil || r.describe {
		desc.Store = describeState(st.s0) // fingerprints of every value: only when reported
	}
	res := caseResult{desc: desc, states: sw.states - states, runs: sw.runs - runs}
	res.distinct = res.states - (sw.reused - reused)
	if f != nil {
		f = r.shrink(sw, f)
		a := newArtifact(r, base, desc, f)
		res.art, res.f = &a, f
	}
	return res, nil
}
