package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"

	"github.com/scopemig/scopemig/harness/internal/linearize"
	"github.com/scopemig/scopemig/harness/internal/sched"
	"github.com/scopemig/scopemig/model"
)

// shrinkBudget bounds the runs spent minimizing one failing interleaving.
const shrinkBudget = 200

// schedStream is the PCG stream of a case's random interleaving.
const schedStream = 0x5c4ed

// concurrencyFailure is a non-linearizable (or otherwise broken) concurrent
// run, minimized.
type concurrencyFailure struct {
	// Violation names the invariant (I6 for a history no sequential order
	// explains: a lost update) and carries the minimal case.
	Violation Violation
	// Schedule replays the minimal interleaving with replayConcurrency:
	// "<scenario>/seed=<n>/drop=<i,j>/script=<choices>".
	Schedule string
	// Switches is the number of context switches of the minimal schedule.
	Switches int
}

// concSchedule is a parsed replayable schedule.
type concSchedule struct {
	scenario string
	seed     uint64
	drop     []int
	script   []int
}

func (cs concSchedule) String() string {
	d := make([]string, len(cs.drop))
	for i, x := range cs.drop {
		d[i] = strconv.Itoa(x)
	}
	return fmt.Sprintf("%s/seed=%d/drop=%s/script=%s", cs.scenario, cs.seed, strings.Join(d, ","), sched.FormatScript(cs.script))
}

func parseConcSchedule(s string) (concSchedule, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return concSchedule{}, fmt.Errorf("%w: %q: want scenario/seed=N/drop=…/script=…", sched.ErrBadSchedule, s)
	}
	cs := concSchedule{scenario: parts[0]}
	field := func(p, name string) (string, error) {
		v, ok := strings.CutPrefix(p, name+"=")
		if !ok {
			return "", fmt.Errorf("%w: %q: missing %s=", sched.ErrBadSchedule, s, name)
		}
		return v, nil
	}
	v, err := field(parts[1], "seed")
	if err != nil {
		return cs, err
	}
	if cs.seed, err = strconv.ParseUint(v, 10, 64); err != nil {
		return cs, fmt.Errorf("%w: seed: %v", sched.ErrBadSchedule, err)
	}
	if v, err = field(parts[2], "drop"); err != nil {
		return cs, err
	}
	if v != "" {
		for _, x := range strings.Split(v, ",") {
			n, err := strconv.Atoi(x)
			if err != nil {
				return cs, fmt.Errorf("%w: drop: %v", sched.ErrBadSchedule, err)
			}
			cs.drop = append(cs.drop, n)
		}
	}
	if v, err = field(parts[3], "script"); err != nil {
		return cs, err
	}
	cs.script, err = sched.ParseScript(v)
	return cs, err
}

// checkConcurrency runs one concurrency case of target t: scenario (one of
// concurrencyScenarios) generated from seed, under the interleaving the
// seed picks. It returns nil when the run is linearizable, else the
// minimized failure. An error means the target is unusable
// (ErrBadTarget) or the scenario unknown (sched.ErrBadSchedule).
func checkConcurrency(ctx context.Context, t Target, scenario string, seed uint64) (*concurrencyFailure, error) {
	if err := t.validate(); err != nil {
		return nil, err
	}
	c, err := genCase(scenario, seed)
	if err != nil {
		return nil, err
	}
	e := newEnv(ctx, t)
	out, err := e.runCase(c, nil, rand.New(rand.NewPCG(seed, schedStream)))
	if err != nil || len(out.vs) == 0 {
		return nil, err
	}
	return e.shrinkCase(c, out), nil
}

// replayConcurrency reruns the interleaving a concurrencyFailure printed
// (no randomness: the schedule's choices, then the fewest switches). It
// returns nil when that run is linearizable.
func replayConcurrency(ctx context.Context, t Target, schedule string) (*concurrencyFailure, error) {
	cs, err := parseConcSchedule(schedule)
	if err != nil {
		return nil, err
	}
	c, err := genCase(cs.scenario, cs.seed)
	if err != nil {
		return nil, err
	}
	e := newEnv(ctx, t)
	out, err := e.runCase(c.without(cs.drop), cs.script, nil)
	if err != nil || len(out.vs) == 0 {
		return nil, err
	}
	out.script = cs.script
	return e.failureOf(c, cs.drop, out), nil
}

// shrinkCase minimizes a failing run: fewer client calls, then a shorter
// script, then fewer context switches, then until it is 1-minimal (no
// single client call and no single context switch can be dropped and
// still fail: neighbours); every candidate is replayed deterministically
// and kept only if it still fails with the same invariant.
func (e *env) shrinkCase(c ccase, out outcome) *concurrencyFailure {
	id := out.vs[0].ID
	var drop []int
	budget := shrinkBudget
	try := func(d, script []int) bool {
		if budget <= 0 || e.ctx.Err() != nil {
			return false
		}
		budget--
		o, err := e.runCase(c.without(d), script, nil)
		if err != nil || len(o.vs) == 0 || o.vs[0].ID != id {
			return false
		}
		drop, out = d, o
		out.script = script // the given prefix replays it; the trace adds defaulted choices
		return true
	}
	// The random run's choices replay it; start the search from them.
	for i := range len(c.opIndex()) {
		try(append(slices.Clone(drop), i), out.script)
	}
	for l := 0; l < len(out.script); {
		if !try(drop, out.script[:l]) {
			l = max(l*2, l+1)
		}
	}
	for changed := true; changed; {
		changed = false
		for i := 1; i < len(out.script); i++ {
			if out.script[i] == out.script[i-1] {
				continue
			}
			cand := slices.Clone(out.script)
			cand[i] = cand[i-1]
			if try(drop, cand) {
				changed = true
			}
		}
	}
	budget = max(budget, shrinkBudget/2) // the 1-minimal pass gets a budget of its own
	for changed := true; changed; {
		changed = false
		cs := concSchedule{drop: drop, script: out.script}
		for _, n := range cs.neighbours(len(c.opIndex())) {
			if changed = try(n.drop, n.script); changed {
				break
			}
		}
	}
	return e.failureOf(c, drop, out)
}

// neighbours returns the schedules one step smaller than cs (of a case
// with n client calls): one more client call dropped, or one context
// switch removed (the choice that switched made to keep running the
// process before it).
func (cs concSchedule) neighbours(n int) []concSchedule {
	var out []concSchedule
	for i := range n {
		if slices.Contains(cs.drop, i) {
			continue
		}
		d := append(slices.Clone(cs.drop), i)
		slices.Sort(d)
		out = append(out, concSchedule{scenario: cs.scenario, seed: cs.seed, drop: d, script: slices.Clone(cs.script)})
	}
	for i := 1; i < len(cs.script); i++ {
		if cs.script[i] == cs.script[i-1] {
			continue
		}
		sc := slices.Clone(cs.script)
		sc[i] = sc[i-1]
		out = append(out, concSchedule{scenario: cs.scenario, seed: cs.seed, drop: slices.Clone(cs.drop), script: sc})
	}
	return out
}

func (e *env) failureOf(c ccase, drop []int, out outcome) *concurrencyFailure {
	cs := concSchedule{scenario: c.Scenario, seed: c.Seed, drop: drop, script: out.script}
	v := out.vs[0]
	lines := c.without(drop).describe()
	lines = append(lines, fmt.Sprintf("schedule %s (%d switches)", cs, sched.Switches(out.script)))
	for _, l := range out.hist {
		lines = append(lines, "history: "+l)
	}
	return &concurrencyFailure{
		Violation: Violation{
			Invariant: v.ID, Name: v.ID.Name(), Phase: "concurrency", Detail: v.Detail, Counterexample: lines,
			Replay: fmt.Sprintf("concurrency schedule %q on target %q (Verify reports its own replay line)", cs.String(), e.target.Name),
		},
		Schedule: cs.String(),
		Switches: sched.Switches(out.script),
	}
}

// concurrency is Verify's phase: Checks cases spread over every scenario,
// each under the interleaving its seed picks, on the verifier's workers
// (each case is a shard); the first failure (in case order) is minimized.
// The ToolHive scenario gets a double share: it has three writers (the
// migration, ToolHive's config writer and its secrets writer), so its
// interleavings are the most numerous.
func (v *verifier) concurrency() (int, *failure) {
	scs := append(concurrencyScenarios(), scenarioToolHive)
	rs := runShards(v.sw.e.ctx, v.cfg.Workers, v.cfg.Checks, func(c *shardCtl) shardResult {
		i := c.i
		seed := rand.NewPCG(v.cfg.Seed, uint64(i)).Uint64() // case i's own seed
		cf, err := checkConcurrency(v.sw.e.ctx, v.sw.e.target, scs[i%len(scs)], seed)
		if err != nil {
			kind := inconclusiveTargetError
			if errors.Is(err, linearize.ErrCheckerTimeout) {
				kind = inconclusiveTimeout
			}
			return shardResult{cases: 1, f: &failure{incKind: kind, incDetail: err.Error()}}
		}
		if cf != nil {
			f := &failure{vs: []model.Violation{{ID: cf.Violation.Invariant, Detail: cf.Violation.Detail}}}
			f.s0 = model.State{}
			f.sched = cf.Violation.Counterexample
			return shardResult{cases: 1, f: f}
		}
		return shardResult{cases: 1}
	})
	cases, f := v.sw.merge(rs)
	if f == nil {
		cases = v.cfg.Checks
	}
	return cases, f
}
