package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// execPhase is the phase name of a syscall-level exploration.
const execPhase = "syscall"

// verifyExec verifies a command target (t.Exec): one exploration of From,
// or of cfg.Stores generated stores, each failing one shrunk key by key to
// a 1-minimal store (no single key can be removed with the violation
// staying). The minimal store is kept in a directory named in the replay
// line.
func verifyExec(ctx context.Context, t Target, cfg Config, rep0 Report) (rep Report, err error) {
	rep = rep0
	x := t.Exec
	start := time.Now()
	defer func() { rep.Seconds = time.Since(start).Seconds() }()
	if len(x.Argv) == 0 {
		return rep, fmt.Errorf("%w: %q has an Exec target without a command", ErrBadTarget, t.Name)
	}
	if x.From == "" && x.Write == nil {
		return rep, fmt.Errorf("%w: %q has neither Exec.From nor Exec.Write", ErrBadTarget, t.Name)
	}
	ph := Phase{Name: execPhase}
	explore := func(from string, modes []faults.Mode) (sysexplore.Report, error) {
		sc := sysexplore.Config{
			From: from, Argv: x.Argv, Modes: modes, Policy: t.Policy, Seed: cfg.Seed,
			Dump: x.Dump, Layout: x.Layout, Password: x.Password, Plaintext: x.Plaintext, Env: x.Env,
			Replay: exploreCall,
		}
		r, err := sysexplore.Explore(ctx, sc)
		ph.Cases++
		for _, m := range r.Modes {
			ph.CrashStates += m.States
		}
		return r, err
	}
	record := func(r sysexplore.Report, store string, keys int) {
		for _, v := range r.Violations {
			rep.Violations = append(rep.Violations, Violation{
				Invariant: v.Invariant, Name: v.Name, Phase: execPhase + "-" + v.Mode.String(), Detail: v.Detail,
				Counterexample: []string{store, fmt.Sprintf("crash (%s, point %d, seed %d) at %s", v.Mode, v.Point, v.Seed, v.Syscall)},
				Replay:         v.Replay, Keys: keys, CrashPoints: []int{v.Point},
			})
			ph.Violations++
		}
		for _, s := range r.Inconclusive {
			rep.Inconclusive = append(rep.Inconclusive, Inconclusive{Kind: inconclusiveTargetError, Phase: execPhase, Detail: s, Counterexample: []string{store}})
			ph.Inconclusive++
		}
	}
	defer func() {
		rep.Phases = append(rep.Phases, ph)
		rep.Cases += ph.Cases
		rep.CrashStates += ph.CrashStates
	}()
	if x.From != "" {
		r, xerr := explore(x.From, x.Modes)
		if err = xerr; err != nil {
			return rep, fmt.Errorf("%w: %v", ErrBadTarget, err)
		}
		record(r, "store "+x.From, -1)
		return rep, nil
	}
	for i := range cfg.Stores {
		s0 := fixture.GenStore(fixture.RandChooser{R: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}, cfg.MaxKeys)
		r, dir, err := exploreState(x, s0, func(d string) (sysexplore.Report, error) { return explore(d, x.Modes) })
		if err != nil {
			return rep, err
		}
		if r.OK() {
			_ = os.RemoveAll(dir)
			continue
		}
		if len(r.Violations) == 0 { // inconclusive only
			record(r, describeState(s0), len(s0.Secrets))
			_ = os.RemoveAll(dir)
			continue
		}
		_ = os.RemoveAll(dir)
		first := r.Violations[0]
		small, minRep, minDir, err := shrinkExec(x, s0, first, explore)
		if err != nil {
			return rep, err
		}
		record(minRep, describeState(small)+" (shrunk from "+strconv.Itoa(len(s0.Secrets))+" keys; kept in "+minDir+")", len(small.Secrets))
		if cfg.StopAtFirst {
			break
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// exploreState writes s into a fresh directory and explores it there. The
// directory is returned (the caller keeps or removes it).
func exploreState(x *ExecTarget, s model.State, explore func(string) (sysexplore.Report, error)) (sysexplore.Report, string, error) {
	dir, err := os.MkdirTemp("", "scopemig-exec-store-")
	if err != nil {
		return sysexplore.Report{}, "", err
	}
	if err := x.Write(dir, s); err != nil {
		return sysexplore.Report{}, dir, fmt.Errorf("%w: Exec.Write: %v", ErrBadTarget, err)
	}
	r, err := explore(dir)
	if err != nil {
		if errors.Is(err, sysexplore.ErrUnsupported) {
			return r, dir, err
		}
		return r, dir, fmt.Errorf("%w: %v", ErrBadTarget, err)
	}
	return r, dir, nil
}

// shrinkExec removes keys of s0 one at a time while the violation v (same
// invariant, same mode) stays, until no single key can go: a 1-minimal
// store. It returns the minimal store, its exploration (in v's mode) and
// the directory that holds it.
func shrinkExec(x *ExecTarget, s0 model.State, v sysexplore.Violation, explore func(string, []faults.Mode) (sysexplore.Report, error)) (model.State, sysexplore.Report, string, error) {
	cur := s0.Clone()
	modes := []faults.Mode{v.Mode}
	var curRep sysexplore.Report
	var curDir string
	try := func(s model.State) (bool, error) {
		r, dir, err := exploreState(x, s, func(d string) (sysexplore.Report, error) { return explore(d, modes) })
		if err != nil {
			return false, err
		}
		if _, ok := r.Has(v.Invariant, v.Mode); ok {
			if curDir != "" {
				_ = os.RemoveAll(curDir)
			}
			cur, curRep, curDir = s, r, dir
			return true, nil
		}
		_ = os.RemoveAll(dir)
		return false, nil
	}
	if ok, err := try(cur); err != nil || !ok {
		if err == nil {
			err = fmt.Errorf("%w: %s in %s did not reproduce on its own store (nondeterministic command)", ErrBadTarget, v.Invariant, v.Mode)
		}
		return cur, curRep, curDir, err
	}
	for changed := true; changed; {
		changed = false
		for _, k := range slices.Clone(cur.Keys()) {
			s := cur.Clone()
			delete(s.Secrets, k)
			ok, err := try(s)
			if err != nil {
				return cur, curRep, curDir, err
			}
			changed = changed || ok
		}
	}
	return cur, curRep, curDir, nil
}

// exploreCall is the replay line of a violation of an Exec target: the
// sysexplore.Explore call that explores its crash point alone.
func exploreCall(c sysexplore.Config, v sysexplore.Violation) string {
	return fmt.Sprintf("sysexplore.Explore(ctx, sysexplore.Config{From: %q, Argv: %q, Modes: []faults.Mode{faults.%s}, Point: %d, Seed: %d, FS: []sysexplore.FSModel{%q}, ImageID: %q})",
		c.From, c.Argv, goModeName(v.Mode), v.Point, v.Seed, string(v.FS), v.Image)
}

// goModeName is the Go name of a fault mode's constant.
func goModeName(m faults.Mode) string {
	switch m {
	case faults.Process:
		return "Process"
	case faults.Power:
		return "Power"
	case faults.PowerPartial:
		return "PowerPartial"
	}
	return "Torn"
}
