package harness

import (
	"errors"
	"fmt"
	"math/rand/v2"

	"golang.org/x/sync/errgroup"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/internal/linearize"
	"github.com/scopemig/scopemig/harness/internal/sched"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// migrateAttempts bounds the restarts of a crashed or failed migration
// inside one recorded migrate operation.
const migrateAttempts = 3

// outcome is the result of one run of a case under one schedule.
type outcome struct {
	script []int // the choices made (replays the run)
	vs     []model.Violation
	hist   []string // the history in call order, when not linearizable
}

// runCase runs c on a fresh simulated disk: one goroutine per process, one
// process running at a time, the interleaving chosen by script then rng.
// An error means the harness could not run the case (seeding failed, a
// target panicked).
func (e *env) runCase(c ccase, script []int, rng *rand.Rand) (outcome, error) {
	d, err := e.seed(c.S0)
	if err != nil {
		return outcome{}, err
	}
	s := sched.New(len(c.Workers), script, rng)
	h, hyg := &linearize.History{}, newHygiene(e, d, c)
	var g errgroup.Group
	for i, w := range c.Workers {
		g.Go(func() (err error) {
			s.Enter(i)
			defer s.Exit(i)
			defer func() {
				if p := recover(); p != nil {
					err = fmt.Errorf("%w: process %d (%s) panicked: %v", ErrBadTarget, i, w.Name, p)
				}
			}()
			if w.Migrator {
				e.migrateWorker(s, h, hyg, d, i, w)
				return nil
			}
			return e.clientWorker(s, h, hyg, d, i, w)
		})
	}
	s.Start()
	if err := g.Wait(); err != nil {
		return outcome{}, err
	}
	out := outcome{script: s.Choices()}
	hyg.scan() // I8 before the final restart reopens the store
	if vs := hyg.violations(); len(vs) > 0 {
		out.vs = vs
		return out, nil
	}
	final, err := e.observe(d)
	if err != nil {
		out.vs = []model.Violation{{ID: model.I7, Detail: fmt.Sprintf("after the concurrent run: %v", err)}}
		return out, nil
	}
	t := s.Tick()
	h.Add(len(c.Workers), linearize.In{Kind: linearize.Dump}, t, linearize.Out{State: linearize.EncodeState(final)}, t)
	ops := h.Operations()
	ok, lines, err := linearize.Check(e.model, e.policy, c.S0, ops, false)
	if err != nil {
		return outcome{}, err
	}
	if !ok {
		out.hist = lines
		if secretsOK, _, err := linearize.Check(e.model, e.policy, c.S0, ops, true); err == nil && secretsOK {
			out.vs = []model.Violation{{ID: model.I9, Detail: "the config of the concurrent processes is not linearizable: " +
				"a config update of ToolHive or the migration's flag was lost, or the config was replaced (" + describeConfig(final.Config) + " at the end)"}}
			return out, nil
		}
		out.vs = []model.Violation{{ID: model.I6, Detail: "the history of the concurrent processes is not linearizable: " +
			"an acknowledged write was lost or overwritten, or a read saw a value no sequential order explains"}}
	}
	return out, nil
}

// clientWorker runs w's calls one by one, recording each; it stops when
// its process crashed. A ToolHive config writer opens no provider; a
// ToolHive secrets writer opens the store the way ToolHive does when the
// target's store is ToolHive's (Target.toolHiveStore), else the target's.
func (e *env) clientWorker(s *sched.Sched, h *linearize.History, hyg *hygiene, d *faults.MemFS, id int, w worker) error {
	var inj faults.Injector = faults.None{}
	if w.CrashAt >= 0 {
		inj = faults.CrashAt{Op: w.CrashAt, Mode: faults.Process}
	}
	proc := sched.NewFS(s, id, d, inj)
	if w.ConfigWriter {
		for _, op := range w.Ops {
			s.Yield(id)
			call := s.Tick()
			var out linearize.Out
			if err := toolhiveUpdateConfig(e.ctx, proc, op.Key, op.Value); err != nil {
				out.Unknown = true
			}
			h.Add(id, linearize.In(op), call, out, s.Tick())
			if proc.Crashed() {
				return nil
			}
		}
		return nil
	}
	var (
		p   secrets.Provider
		err error
	)
	if w.ToolHive && e.target.toolHiveStore != "" {
		p, err = openToolHiveSecrets(proc, e.target.toolHiveStore)
	} else {
		p, err = e.openStore(proc)
	}
	if err != nil || p == nil {
		if proc.Crashed() {
			hyg.scan()
			return nil
		}
		return fmt.Errorf("%w: open in process %d: %v", ErrBadTarget, id, err)
	}
	for _, op := range w.Ops {
		s.Yield(id)
		call := s.Tick()
		out := e.call(p, op)
		h.Add(id, linearize.In(op), call, out, s.Tick())
		if proc.Crashed() {
			hyg.scan()
			return nil
		}
	}
	return nil
}

func (e *env) call(p secrets.Provider, op cop) linearize.Out {
	var err error
	var out linearize.Out
	switch op.Kind {
	case linearize.Get:
		out.Value, err = p.GetSecret(e.ctx, op.Key)
	case linearize.Set:
		err = p.SetSecret(e.ctx, op.Key, op.Value)
	case linearize.Delete:
		err = p.DeleteSecret(e.ctx, op.Key)
	}
	switch {
	case err == nil:
	case errors.Is(err, secrets.ErrNotFound) && op.Kind != linearize.Set:
		out.NotFound = true
	default:
		out = linearize.Out{Unknown: true}
	}
	return out
}

// migrateWorker runs the migration as one recorded operation: a crashed or
// failed attempt is retried in a new process (a restart), so the
// operation spans every attempt; it is unknown only if every attempt
// failed.
func (e *env) migrateWorker(s *sched.Sched, h *linearize.History, hyg *hygiene, d *faults.MemFS, id int, w worker) {
	s.Yield(id)
	call := s.Tick()
	done := false
	for attempt := 0; attempt < migrateAttempts && !done; attempt++ {
		var inj faults.Injector = faults.None{}
		if attempt == 0 && w.CrashAt >= 0 {
			inj = faults.CrashAt{Op: w.CrashAt, Mode: faults.Process}
		}
		proc := sched.NewFS(s, id, d, inj)
		p, err := e.openStore(proc)
		if err == nil && p != nil {
			err = e.mig(e.ctx, proc, newYieldProvider(p, s, id))
		}
		done = err == nil && p != nil && !proc.Crashed()
		if proc.Crashed() {
			hyg.scan()   // before the retry (or anyone else) reopens the store
			s.Released() // the crash dropped its locks behind the scheduler's back
		}
	}
	h.Add(id, linearize.In{Kind: linearize.Migrate}, call, linearize.Out{Unknown: !done}, s.Tick())
}
