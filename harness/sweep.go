package harness

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"syscall"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/model"
)

// failure is a violation found on one case, before it is turned into a
// reported Violation.
type failure struct {
	vs    []model.Violation
	s0    model.State
	sched []string     // one line per run: the injector of that run
	c     *failCase    // the case as data, when it is a store and faulty runs (replay, minimize)
	mc    *machineCase // the case as data, when it is state-machine steps (replayMachine, minimizeMachine)
	soak  []soakStep   // a soak case's resolved faulty runs (soakRunner.shrink)
	// incKind and incDetail, set when vs is empty: the case could not be
	// judged (an Inconclusive* kind and why).
	incKind, incDetail string
}

func inconclusiveFailure(kind, detail string, s0 model.State) *failure {
	return &failure{incKind: kind, incDetail: detail, s0: s0}
}

// targetFailure is the failure of a step where no fault was injected
// (seeding a store, opening it): inconclusive (a target error), except
// that an op-level store that does not hold what it was reset to violates
// I7.
func targetFailure(what string, err error, s0 model.State) *failure {
	if errors.Is(err, errNotReset) {
		return &failure{vs: []model.Violation{{ID: model.I7, Detail: what + ": " + err.Error()}}, s0: s0}
	}
	return inconclusiveFailure(inconclusiveTargetError, what+": "+err.Error(), s0)
}

func (f *failure) lines() []string {
	out := []string{describeState(f.s0)}
	for i, s := range f.sched {
		out = append(out, fmt.Sprintf("run %d: %s", i+1, s))
	}
	return out
}

// sweeper explores every crash point of a migration.
type sweeper struct {
	e      *env
	depth  int
	seed   uint64 // the seed of the crash injectors' own choices (nextSeed)
	draws  uint64 // seeds drawn so far
	modes  []faults.Mode
	states int // crash states checked
	reused int // crash states whose image's verdict came from the memo
	runs   int
	fresh  map[string][]fileEntry // file set of a fresh store, by its exact content (appendState)
	memo   memo                   // verdicts that passed, by (kind, initial state, content)
	exp    *expected              // what the last initial state is checked against
}

// expected is what the runs from one initial state are checked against.
type expected struct {
	s0    model.State // a private copy
	key   []byte      // SHA-256 of s0's exact encoding (appendState), the memo's expected-state key; nil until needed
	want  model.State // Migrate(s0)
	fresh []fileEntry // the file set of a fresh store holding want; nil until needed
	// vals is valueSet(s0, want), the values I8 scans for; nil until
	// needed (valuesOf).
	vals model.Values
	// bodyOK: idempotentBody(s0) passed (a pure function of s0; the soak
	// runs it once per store).
	bodyOK bool
}

// valuesOf returns the values I8 scans the images of runs from x.s0 for,
// computed once.
func (x *expected) valuesOf() model.Values {
	if x.vals == nil {
		x.vals = valueSet(x.s0, x.want)
	}
	return x.vals
}

// expect returns the expectations of s0, computed once for consecutive
// calls with an equal s0.
func (sw *sweeper) expect(s0 model.State) *expected {
	if x := sw.exp; x != nil && x.s0.Migrated == s0.Migrated && x.s0.Config == s0.Config && maps.Equal(x.s0.Secrets, s0.Secrets) {
		return x
	}
	sw.exp = &expected{s0: s0.Clone(), want: sw.e.model.Migrate(s0, sw.e.policy)}
	return sw.exp
}

// nextSeed returns the next seed of the sweep's injectors: output number
// draws of the PCG stream (seed, draws).
func (sw *sweeper) nextSeed() uint64 {
	sw.draws++
	return rand.NewPCG(sw.seed, sw.draws).Uint64()
}

// store sweeps one initial state in one mode; nil when every crash state
// holds.
func (sw *sweeper) store(s0 model.State, mode faults.Mode) (*failure, error) {
	d, err := sw.e.seed(s0)
	if err != nil {
		return nil, err
	}
	vals := valueSet(s0, sw.expect(s0).want)
	if f := sw.idempotentBody(s0); f != nil {
		return f, nil
	}
	return sw.sweep(s0, d, nil, sw.depth, mode, vals), nil
}

// sweep checks a complete run from d, then crashes the run at each of its
// operations, checks the image, and recurses on the image. crashes are
// the faulty runs that led to d.
func (sw *sweeper) sweep(s0 model.State, d *faults.MemFS, crashes []faults.CrashAt, depth int, mode faults.Mode, vals model.Values) *failure {
	sched := make([]string, len(crashes))
	for i, c := range crashes {
		sched[i] = c.String()
	}
	n, f := sw.completeOnce(s0, d, sched, true)
	if f != nil {
		f.c = &failCase{Store: s0.Clone(), Crashes: slices.Clone(crashes)}
	}
	if f != nil || depth == 0 {
		return f
	}
	// k == n crashes right after a complete run: in power modes that checks
	// that a migration that returned is durable. One tapped run takes the
	// image of every point (crashImages); a point it could not take is run
	// to its crash (crashStep), which gives the same image.
	seeds := make([]uint64, n+1)
	for k := range seeds {
		seeds[k] = sw.nextSeed()
	}
	imgs, acked := sw.crashImages(d, mode, seeds)
	for k := 0; k <= n; k++ {
		inj := faults.CrashAt{Op: k, Mode: mode, Seed: seeds[k]}
		here := append(slices.Clip(crashes), inj)
		var img *faults.MemFS
		var vs []model.Violation
		if imgs[k] != nil {
			img, vs = sw.checkCrash(s0, imgs[k], vals, k == n && acked)
			imgs[k] = nil // the sweep below may run long: let the image go once checked
		} else {
			img, vs = sw.crashStep(s0, d.Clone(), inj, vals)
		}
		if len(vs) > 0 {
			return &failure{vs: vs, s0: s0, sched: append(slices.Clip(sched), inj.String()), c: &failCase{Store: s0.Clone(), Crashes: here}}
		}
		if f := sw.sweep(s0, img, here, depth-1, mode, vals); f != nil {
			return f
		}
	}
	return nil
}

// errors sweeps injected I/O errors: the run fails at op k, the process
// lives on; the live state must satisfy I1–I3 and I7, and a retry in a new
// process must converge.
func (sw *sweeper) errors(s0 model.State, errno syscall.Errno) (*failure, error) {
	d, err := sw.e.seed(s0)
	if err != nil {
		return nil, err
	}
	n, f := sw.completeOnce(s0, d, nil, true)
	if f != nil {
		return f, nil
	}
	for k := 0; k < n; k++ {
		inj := faults.ErrorAt{Op: k, Errno: errno}
		if f := sw.errorStep(s0, d.Clone(), inj); f != nil {
			f.c = &failCase{Store: s0.Clone(), Error: &inj}
			return f, nil
		}
	}
	return nil, nil
}

// retryThenPowerLoss retries the migration to the end in a new process on
// the disk a failed run left (c, whose unsynced data may not be durable),
// then cuts the power (the backend's harshest crash: process on an
// op-level target): the data of the migration that returned must be
// durable (I6) and the flag must not vouch for data that was lost (I3).
// This is the fsync-failure case: a run after a failed sync sees the
// migrated data in the page cache and must make it durable before it sets
// the flag. The flag too: when the failed run had set it without a durable
// directory entry, a retry that finds it set says "already done", so it
// must make the flag durable (syncing writes no byte, I5) or the power
// cut takes back what it acknowledged.
func (sw *sweeper) retryThenPowerLoss(s0 model.State, c *faults.MemFS, sched []string) *failure {
	if _, f := sw.complete(s0, c, sched); f != nil {
		return f
	}
	here := append(slices.Clip(sched), "complete run", "power loss")
	img := image(c, sw.e.b.lossMode(), sw.nextSeed())
	sw.states++
	vs := sw.e.checkHygiene(img, valueSet(s0, sw.expect(s0).want))
	st, rerr := sw.e.observe(img)
	vs = append(vs, sw.checkState(s0, st, rerr)...)
	if rerr == nil {
		want := sw.expect(s0).want
		for _, d := range sw.e.model.Diff(want, st) {
			vs = append(vs, model.Violation{ID: model.I6, Detail: "a retried migration that returned did not survive power loss: " + d})
		}
	}
	if len(vs) > 0 {
		return &failure{vs: vs, s0: s0, sched: here}
	}
	return nil
}

// complete runs the migration to the end on d (no faults) and checks I4
// (exactly Migrate(s0), the file set of a fresh store) and I5 (a second run
// writes nothing). It returns the number of operations of the run.
func (sw *sweeper) complete(s0 model.State, d *faults.MemFS, sched []string) (int, *failure) {
	e := sw.e
	x := sw.expect(s0)
	want := x.want
	fail := func(id model.InvariantID, format string, a ...any) (int, *failure) {
		return 0, &failure{vs: []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}}, s0: s0, sched: append(slices.Clip(sched), "complete run")}
	}
	n, err := e.run(d, nil)
	sw.runs++
	if err != nil {
		return fail(model.I4, "the complete run failed: %v", err)
	}
	st, err := e.observe(d)
	if err != nil {
		return fail(model.I7, "after a complete run %v", err)
	}
	if vs := e.model.CheckConfig(s0.Config, st.Config); len(vs) > 0 {
		return fail(model.I9, "after a complete run: %s", vs[0].Detail)
	}
	if diff := e.model.Diff(want, st); len(diff) > 0 {
		return fail(model.I4, "the complete run did not yield Migrate(S0): %s", diff[0])
	}
	if f := sw.sameFiles(x, d); f != "" {
		return fail(model.I4, "%s", f)
	}
	pr, err := e.open(d, nil)
	if err != nil {
		return fail(model.I7, "reopen after a complete run: %v", err)
	}
	before := pr.writes()
	err = e.mig(e.ctx, pr.fs, pr.p)
	e.b.settle(e.ctx, d)
	if err != nil {
		return fail(model.I5, "a run on a migrated store failed: %v", err)
	}
	if w := pr.writes() - before; w > 0 {
		return fail(model.I5, "a run on a migrated store made %d writes, want 0", w)
	}
	return n, nil
}

// sameFiles is I4's file part: d holds the file set of a fresh store
// holding x.want (not checked when the store is not on the disk). It
// returns what differs, or "".
func (sw *sweeper) sameFiles(x *expected, d *faults.MemFS) string {
	if !sw.e.b.onDisk() {
		return ""
	}
	files, err := listFiles(d, nil)
	if err != nil {
		return fmt.Sprintf("cannot list files: %v", err)
	}
	if x.fresh == nil {
		if x.fresh, err = sw.freshFiles(x.want); err != nil {
			return fmt.Sprintf("cannot build a fresh store: %v", err)
		}
	}
	if !slices.Equal(files, x.fresh) {
		return fmt.Sprintf("files on disk %v differ from a fresh store's %v", paths(files), paths(x.fresh))
	}
	return ""
}

// idempotentBody (I5): the migration run on a store that already holds
// Migrate(s0) but has no flag changes no data.
func (sw *sweeper) idempotentBody(s0 model.State) *failure {
	e := sw.e
	want := sw.expect(s0).want
	unflagged := want.Clone()
	unflagged.Migrated = false
	unflagged.Config = s0.Config // Migrate's config of an absent one holds the flag
	d, err := e.seed(unflagged)
	if err != nil {
		return &failure{vs: []model.Violation{{ID: model.I5, Detail: err.Error()}}, s0: s0}
	}
	_, err = e.run(d, nil)
	sw.runs++
	st, rerr := e.observe(d)
	if err != nil || rerr != nil {
		return &failure{vs: []model.Violation{{ID: model.I5, Detail: fmt.Sprintf("re-run on Migrate(S0): %v %v", err, rerr)}}, s0: s0, sched: []string{"seed Migrate(S0) without the flag", "complete run"}}
	}
	if vs := e.model.CheckConfig(unflagged.Config, st.Config); len(vs) > 0 {
		return &failure{vs: vs, s0: s0, sched: []string{"seed Migrate(S0) without the flag", "complete run"}}
	}
	if diff := e.model.Diff(want, st); len(diff) > 0 {
		return &failure{vs: []model.Violation{{ID: model.I5, Detail: "re-running the migration on Migrate(S0) changed it: " + diff[0]}}, s0: s0, sched: []string{"seed Migrate(S0) without the flag", "complete run"}}
	}
	return nil
}

// freshFiles returns the file set of a fresh store seeded with want.
func (sw *sweeper) freshFiles(want model.State) ([]fileEntry, error) {
	key := string(appendState(nil, want, &sw.memo.keys)) // exact, and cheaper than describeState's hashes
	if f, ok := sw.fresh[key]; ok {
		return f, nil
	}
	d, err := sw.e.seed(want)
	if err != nil {
		return nil, err
	}
	f, err := listFiles(d, nil)
	if err != nil {
		return nil, err
	}
	if sw.fresh == nil {
		sw.fresh = map[string][]fileEntry{}
	}
	sw.fresh[key] = f
	return f, nil
}

func paths(fs []fileEntry) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.Path
	}
	return out
}

// shrinkStore removes keys from a failing store while a sweep of the
// smaller store still fails with the same invariant, then makes the
// failing case 1-minimal (minimize), and returns it.
func (sw *sweeper) shrinkStore(f *failure, mode faults.Mode, errno syscall.Errno) *failure {
	if len(f.vs) == 0 {
		return f
	}
	id := f.vs[0].ID
	best := f
	for changed := true; changed; {
		changed = false
		for _, k := range best.s0.Keys() {
			smaller := best.s0.Clone()
			delete(smaller.Secrets, k)
			var g *failure
			if errno != 0 {
				g, _ = sw.errors(smaller, errno)
			} else {
				g, _ = sw.store(smaller, mode)
			}
			if g != nil && len(g.vs) > 0 && g.vs[0].ID == id {
				best, changed = g, true
				break
			}
		}
	}
	return sw.minimize(best)
}
