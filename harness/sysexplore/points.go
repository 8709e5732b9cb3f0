package sysexplore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/record"
	"github.com/scopemig/scopemig/model"
)

// point is one crash state to explore: crash point k of mode m (seed: the
// power-partial draw; fsm: a power mode's persistence model).
type point struct {
	mode faults.Mode
	fsm  FSModel
	k    int
	seed uint64
}

// outcome is what exploring one point found. Points run in parallel;
// their outcomes are merged into the report in point order, so that the
// report does not depend on the number of workers.
type outcome struct {
	sys      string            // the syscall at the crash point, described
	image    string            // the image's fingerprint (what the model sees)
	hash     string            // the image's bytes ("": nothing was checked)
	vs       []model.Violation // the image's and its restart's verdict, and I6
	incon    []string
	diverged bool
	runs     int // runs of the command for this point
	checked  bool
	seconds  float64
	stack    *record.Stack // process mode: the user stack at the crash point
}

// imageMemo remembers the verdict of every image checked (image and
// restart), by its bytes: identical images are checked once, by whichever
// worker meets them first.
type imageMemo struct {
	mu sync.Mutex // guards m
	m  map[string]*imageVerdict
}

type imageVerdict struct {
	once   sync.Once
	vs     []model.Violation
	idOnce sync.Once
	id     string // the image's fingerprint (imageID)
}

// entry returns the memo entry of image h.
func (v *imageMemo) entry(h string) *imageVerdict {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil {
		v.m = map[string]*imageVerdict{}
	}
	e := v.m[h]
	if e == nil {
		e = &imageVerdict{}
		v.m[h] = e
	}
	return e
}

// id returns the fingerprint of image h, computing it with f once.
func (v *imageMemo) id(h string, f func() string) string {
	e := v.entry(h)
	e.idOnce.Do(func() { e.id = f() })
	return e.id
}

// get returns the verdict of image h, computing it with check when no
// worker has; fresh reports whether this call computed it.
func (v *imageMemo) get(h string, check func() []model.Violation) (vs []model.Violation, fresh bool) {
	e := v.entry(h)
	e.once.Do(func() { e.vs, fresh = check(), true })
	return e.vs, fresh
}

// mode explores every crash point of mode m (a power mode under the
// persistence model fsm) on cfg.Workers workers.
func (e *explorer) mode(ctx context.Context, m faults.Mode, fsm FSModel) error {
	start := time.Now()
	var pts []point
	var disk *faults.MemFS
	switch m {
	case faults.Process:
		for _, k := range e.points(false) {
			if k <= e.trace.Points() { // N+1, the complete run, is checked by prepare
				pts = append(pts, point{m, "", k, 0})
			}
		}
	case faults.Power, faults.PowerPartial:
		var err error
		if disk, err = loadDisk(e.s0Dir); err != nil {
			return err
		}
		seeds := []uint64{0}
		if m == faults.PowerPartial {
			seeds = seeds[:0]
			for i := range e.cfg.Subsets {
				seeds = append(seeds, e.cfg.Seed+uint64(i))
			}
		}
		for _, k := range e.points(true) {
			for _, seed := range seeds {
				pts = append(pts, point{m, fsm, k, seed})
			}
		}
	}
	outs := make([]outcome, len(pts))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.workers())
	for i, p := range pts {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			t0 := time.Now()
			var err error
			if dir, ok := e.snaps[p.k]; ok && p.mode == faults.Process {
				outs[i], err = e.snapshotPoint(gctx, dir, p.k)
			} else if p.mode == faults.Process {
				outs[i], err = e.processPoint(gctx, p.k)
			} else {
				outs[i], err = e.powerPoint(gctx, disk, p)
			}
			outs[i].seconds = time.Since(t0).Seconds()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	mr := ModeReport{Mode: m, FS: string(fsm), States: len(pts)}
	for i, p := range pts {
		o := outs[i]
		e.rep.Inconclusive = append(e.rep.Inconclusive, o.incon...)
		if o.diverged {
			e.rep.Diverged++
		}
		if o.stack != nil {
			if e.killed == nil {
				e.killed = map[int]record.Stack{}
			}
			e.killed[p.k] = *o.stack
		}
		if o.hash != "" {
			if !e.seen[o.hash] {
				e.seen[o.hash] = true
				mr.Images++
			}
			e.addFS(o.vs, p.mode, p.fsm, p.k, p.seed, o.sys, o.image)
		}
		mr.Runs += o.runs
		e.rep.Cost = append(e.rep.Cost, PointCost{Mode: p.mode, Point: p.k, Seed: p.seed, Seconds: o.seconds, Runs: o.runs, Checked: o.checked})
	}
	mr.Seconds = time.Since(start).Seconds()
	mr.Rate()
	e.rep.Modes = append(e.rep.Modes, mr)
	return nil
}

// workers is the number of points explored at once: cfg.Workers, or 1
// for a replay that must reach a given image (it may re-record the
// command, which the other points would read).
func (e *explorer) workers() int {
	if e.cfg.ImageID != "" {
		return 1
	}
	return e.cfg.Workers
}

// snapshotPoint checks the process-mode image of crash point k the
// recording left in dir (the tree as it was at the entry of syscall k,
// the command stopped there: what a SIGKILL of the tree on entry leaves).
func (e *explorer) snapshotPoint(ctx context.Context, dir string, k int) (outcome, error) {
	var o outcome
	defer func() { _ = os.RemoveAll(dir) }()
	op, _ := e.trace.Point(k)
	op.Killed = true
	o.sys = op.Describe(e.recRoot)
	if st, ok := e.stacks[k]; ok {
		o.stack = &st
	}
	e.check(ctx, dir, point{faults.Process, "", k, 0}, &o)
	return o, nil
}

// processPoint re-runs the command and SIGKILLs its tree on entry to
// crash point k: the disk the kernel leaves is the image.
func (e *explorer) processPoint(ctx context.Context, k int) (outcome, error) {
	var o outcome
	dir, err := e.fresh("proc-")
	if err != nil {
		return o, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	// Any run that reaches crash point k gives a real crash state of the
	// command. A command whose path depends on scheduling (Go's per-thread
	// runtime rand drives map order) may take another path than the
	// recording: the run's own op at k is reported, and its image's
	// fingerprint names it. A replay (ImageID set) re-runs until the run
	// leaves that very image.
	var (
		res     record.Result
		reached bool
	)
	for attempt := 1; attempt <= e.cfg.Attempts; attempt++ {
		if attempt > 1 {
			if err := os.RemoveAll(dir); err != nil {
				return o, err
			}
			if err := copyTree(e.cfg.From, dir); err != nil {
				return o, err
			}
		}
		o.runs++
		res, err = record.Record(ctx, record.Spec{Argv: e.argv(dir), Env: e.cfg.Env, Root: dir, KillAt: k, Seed: e.cfg.Seed, Timeout: e.cfg.RunTimeout, Filter: !e.cfg.FullTrace})
		if err != nil {
			return o, err
		}
		if res.Killed && (e.cfg.ImageID == "" || e.imageID(ctx, dir) == e.cfg.ImageID) {
			reached = true
			break
		}
	}
	if !reached {
		why := "no run reached crash point " + strconv.Itoa(k)
		if e.cfg.ImageID != "" {
			why = "no run left the image " + e.cfg.ImageID + " at crash point " + strconv.Itoa(k)
		}
		o.incon = append(o.incon, inconclusive(faults.Process, k, 0, fmt.Errorf("nondeterministic command, %d attempts: %s", e.cfg.Attempts, why)))
		return o, nil
	}
	o.diverged = e.diverged(res, dir, k) != ""
	if st, ok := res.Stacks[k]; ok {
		o.stack = &st
	}
	o.sys = res.At.Describe(dir)
	e.check(ctx, dir, point{faults.Process, "", k, 0}, &o)
	return o, nil
}

// powerPoint builds the power image of crash point p.k from the trace
// and checks it. A replay (ImageID set) re-records the command until the
// image at k is the one named (a command whose syscalls depend on
// scheduling records another trace each time).
func (e *explorer) powerPoint(ctx context.Context, disk *faults.MemFS, p point) (outcome, error) {
	var o outcome
	dir := filepath.Join(e.work, fmt.Sprintf("%s-%s-%d-%d", p.mode, p.fsm, p.k, p.seed))
	defer func() { _ = os.RemoveAll(dir) }()
	for attempt := 1; ; attempt++ {
		img, err := powerImageFS(disk, e.recRoot, e.trace.Before(p.k), p.mode, p.seed, p.k, p.fsm)
		if err != nil {
			o.incon = append(o.incon, inconclusive(p.mode, p.k, p.seed, err))
			return o, nil
		}
		_ = os.RemoveAll(dir)
		if err := writeDisk(img, dir); err != nil {
			return o, err
		}
		if e.cfg.ImageID == "" {
			break
		}
		if e.imageID(ctx, dir) == e.cfg.ImageID {
			break
		}
		if attempt >= e.cfg.Attempts {
			o.incon = append(o.incon, inconclusive(p.mode, p.k, p.seed, fmt.Errorf("nondeterministic command, %d recordings: none left the image %s at crash point %d", attempt, e.cfg.ImageID, p.k)))
			return o, nil
		}
		o.runs++
		if err := e.rerecord(ctx); err != nil {
			return o, err
		}
	}
	o.sys = "none (after the complete run)"
	if op, ok := e.trace.Point(p.k); ok {
		o.sys = op.Describe(e.recRoot)
	}
	e.check(ctx, dir, p, &o)
	return o, nil
}

// check checks one crash image (dir) and its restart into o; identical
// images are checked once.
func (e *explorer) check(ctx context.Context, dir string, p point, o *outcome) {
	h, err := hashTree(dir)
	if err != nil {
		o.incon = append(o.incon, inconclusive(p.mode, p.k, p.seed, err))
		return
	}
	var ack []model.Violation
	if p.mode != faults.Process && p.k == e.trace.Points()+1 {
		// The command exited 0: an acknowledgement. Nothing unsynced may
		// be needed for the migrated content (I6).
		ack = e.checkAck(ctx, dir)
	}
	o.image = e.memo.id(h, func() string { return e.imageID(ctx, dir) })
	vs, fresh := e.memo.get(h, func() []model.Violation {
		vs := e.checkImage(ctx, dir)
		return append(vs, e.restart(ctx, dir)...)
	})
	if fresh {
		o.runs++ // the restart
	}
	o.hash, o.checked = h, fresh
	o.vs = append(slices.Clone(vs), ack...)
}
