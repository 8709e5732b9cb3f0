package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// oddNames are names every provider must store and list faithfully.
func oddNames() []string {
	return []string{"plain", "with space", "ünïcödé-ключ-✓", "dots..and/slash", "../escape", "/abs/path",
		"back\\slash", "semi;colon:=", strings.Repeat("long", 50), "tab\tname", "BEARER_TOKEN_x", "-dash"}
}

// oddValues are values every provider must round-trip byte for byte.
func oddValues() []string {
	return []string{"", " ", "line1\nline2", "\x00\x01\x1b\x7f binary-ish \u2028", "ünïcödé ✓ 🔑", strings.Repeat("0123456789abcdef", 4096)}
}

// invalidUTF8 is a value a store may refuse (ToolHive's JSON cannot hold
// it), but must never silently alter.
const invalidUTF8 = "\xfe\xff not utf-8 \xc3"

// conformance checks the provider's semantics on a fresh disk. It returns
// the first violation found (I1 for a semantic difference, I6 for a lost
// write) with the steps that led to it.
func (sw *sweeper) conformance() *failure {
	e := sw.e
	ctx := e.ctx
	var steps []string
	fail := func(id model.InvariantID, format string, a ...any) *failure {
		return &failure{vs: []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}}, sched: steps}
	}
	d, err := e.emptyDisk()
	if err != nil {
		return &failure{incKind: inconclusiveTargetError, incDetail: fmt.Sprintf("disk: %v", err)}
	}
	pr, err := e.open(d, nil)
	if err != nil { // nothing crashed: a target error, not an invariant breach
		return targetFailure("open an empty store", err, model.State{})
	}
	p := pr.p
	want := map[string]string{}
	steps = append(steps, "get missing key")
	if _, err := p.GetSecret(ctx, "missing"); !errors.Is(err, secrets.ErrNotFound) {
		return fail(model.I1, "GetSecret of a missing key: err %v, want one that wraps secrets.ErrNotFound", err)
	}
	names, values := oddNames(), oddValues()
	for i, n := range names {
		v := values[i%len(values)]
		steps = append(steps, fmt.Sprintf("set %q=%s", n, secrets.Fingerprint(v)))
		if err := p.SetSecret(ctx, n, v); err != nil {
			return fail(model.I6, "SetSecret(%q): %v", n, err)
		}
		want[n] = v
	}
	steps = append(steps, "set a value that is not UTF-8")
	if err := p.SetSecret(ctx, "raw-bytes", invalidUTF8); err == nil {
		want["raw-bytes"] = invalidUTF8
	}
	steps = append(steps, "overwrite \"plain\"")
	if err := p.SetSecret(ctx, "plain", "overwritten-value"); err != nil {
		return fail(model.I6, "overwrite: %v", err)
	}
	want["plain"] = "overwritten-value"
	if f := sw.same(p, want, steps); f != nil {
		return f
	}
	steps = append(steps, "delete \"with space\"", "delete missing key")
	if err := p.DeleteSecret(ctx, "with space"); err != nil {
		return fail(model.I6, "DeleteSecret: %v", err)
	}
	delete(want, "with space")
	if err := p.DeleteSecret(ctx, "never-there"); err != nil && !errors.Is(err, secrets.ErrNotFound) {
		return fail(model.I1, "DeleteSecret of a missing key: err %v, want nil or secrets.ErrNotFound", err)
	}
	batch := []string{names[2], names[3], names[4]}
	steps = append(steps, fmt.Sprintf("delete batch %q", batch))
	if err := p.DeleteSecrets(ctx, batch); err != nil {
		return fail(model.I6, "DeleteSecrets: %v", err)
	}
	for _, n := range batch {
		delete(want, n)
	}
	if f := sw.same(p, want, steps); f != nil {
		return f
	}
	steps = append(steps, "user provider: set, get, delete and batch-delete reserved names")
	up := secrets.NewUserProvider(p, secrets.Scheme{})
	if err := up.SetSecret(ctx, "__thv_auth_x", "v-reserved-1234"); !errors.Is(err, secrets.ErrReservedKeyName) {
		return fail(model.I1, "UserProvider.SetSecret of a reserved name: err %v", err)
	}
	if err := up.DeleteSecrets(ctx, []string{"plain", "__thv_auth_x"}); !errors.Is(err, secrets.ErrReservedKeyName) {
		return fail(model.I1, "UserProvider.DeleteSecrets with a reserved name: err %v", err)
	}
	if f := sw.same(p, want, steps); f != nil {
		return f
	}
	if f := sw.scopedDeletes(p, want, steps); f != nil {
		return f
	}
	return sw.opCrashes()
}

// scopedDeletes deletes system keys through ScopedProvider: the scoped key
// goes, the bare key of the same name (the reads' fallback) and the other
// scopes' keys stay; a missing one is not found (or nil), never another
// error.
func (sw *sweeper) scopedDeletes(p secrets.Provider, want map[string]string, steps []string) *failure {
	ctx := sw.e.ctx
	sch := secrets.DefaultScheme()
	fail := func(id model.InvariantID, format string, a ...any) *failure {
		return &failure{vs: []model.Violation{{ID: id, Detail: fmt.Sprintf(format, a...)}}, sched: steps}
	}
	for i, name := range []string{"tok", "x#2", "dir/../sub", "ünï"} {
		scope := sch.Scopes[i%len(sch.Scopes)]
		sp, err := secrets.NewScopedProvider(p, sch, scope)
		if err != nil {
			return fail(model.I1, "NewScopedProvider(%s): %v", scope, err)
		}
		other := sch.Scopes[(i+1)%len(sch.Scopes)]
		v := fmt.Sprintf("scoped-value-%04d", i)
		steps = append(steps, fmt.Sprintf("%s set %q=%s, bare and %s keys of that name too; %s delete %q twice", scope, name, secrets.Fingerprint(v), other, scope, name))
		for k, val := range map[string]string{sch.ScopedKey(scope, name): v, name: "bare-value-1234", sch.ScopedKey(other, name): "other-scope-1234"} {
			if err := p.SetSecret(ctx, k, val); err != nil {
				return &failure{incKind: inconclusiveTargetError, incDetail: fmt.Sprintf("SetSecret(%q): %v", k, err), sched: steps}
			}
			want[k] = val
		}
		if err := sp.DeleteSecret(ctx, name); err != nil {
			return &failure{incKind: inconclusiveTargetError, incDetail: fmt.Sprintf("%s DeleteSecret(%q): %v", scope, name, err), sched: steps}
		}
		delete(want, sch.ScopedKey(scope, name))
		if err := sp.DeleteSecret(ctx, name); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return fail(model.I1, "%s DeleteSecret of a deleted %q: err %v, want nil or secrets.ErrNotFound", scope, name, err)
		}
		if f := sw.same(p, want, steps); f != nil {
			return f
		}
	}
	return nil
}

// same compares the provider's content with want, through a restart too.
func (sw *sweeper) same(p secrets.Provider, want map[string]string, steps []string) *failure {
	got, err := dump(sw.e.ctx, p)
	if err != nil {
		return &failure{vs: []model.Violation{{ID: model.I7, Detail: err.Error()}}, sched: steps}
	}
	if !maps.Equal(got, want) {
		d := model.Diff(model.State{Secrets: want}, model.State{Secrets: got})
		return &failure{vs: []model.Violation{{ID: model.I1, Detail: "content differs: " + strings.Join(d, "; ")}}, sched: steps}
	}
	return nil
}

// singleOp is one provider operation checked for I6 and I7.
type singleOp struct {
	name  string
	apply func(ctx context.Context, p secrets.Provider) error
	after func(m map[string]string)
}

func singleOps() []singleOp {
	return []singleOp{
		{"set new key", func(ctx context.Context, p secrets.Provider) error {
			return p.SetSecret(ctx, "new-key", "new-value-1234")
		},
			func(m map[string]string) { m["new-key"] = "new-value-1234" }},
		{"overwrite key", func(ctx context.Context, p secrets.Provider) error { return p.SetSecret(ctx, "k1", "changed-value-1") },
			func(m map[string]string) { m["k1"] = "changed-value-1" }},
		{"delete key", func(ctx context.Context, p secrets.Provider) error { return p.DeleteSecret(ctx, "k2") },
			func(m map[string]string) { delete(m, "k2") }},
		{"delete batch", func(ctx context.Context, p secrets.Provider) error { return p.DeleteSecrets(ctx, []string{"k1", "k3"}) },
			func(m map[string]string) { delete(m, "k1"); delete(m, "k3") }},
	}
}

// opCrashes crashes every single operation at each of its filesystem
// operations in every mode: the image must hold the old or the new content
// (I7); an operation that returned nil must survive power loss (I6). The
// first failure is made 1-minimal (fewest keys, earliest crash point).
func (sw *sweeper) opCrashes() *failure {
	old := model.State{Secrets: map[string]string{"k1": "value-one-1234", "k2": "value-two-1234", "k3": "value-three-12"}}
	for _, op := range singleOps() {
		base, err := sw.e.seed(old)
		if err != nil {
			return targetFailure("cannot seed the store", err, old)
		}
		for _, mode := range sw.modes {
			for k := 0; ; k++ {
				inj := faults.CrashAt{Op: k, Mode: mode, Seed: sw.nextSeed()}
				crashed, f := sw.opCrashStep(old, op, base.Clone(), inj)
				if f != nil {
					f.c = &failCase{Store: old.Clone(), Op: op.name, Crashes: []faults.CrashAt{inj}}
					return sw.minimize(f)
				}
				if !crashed {
					break
				}
			}
		}
	}
	return nil
}

// opCrashStep runs op on a store holding old (on d) in a process that
// crashes at inj, and checks the crash image: I8 before anything reopens
// it, then old or new content (I7), durable once returned (I6). crashed
// is false when the operation ended before the crash point.
func (sw *sweeper) opCrashStep(old model.State, op singleOp, d *faults.MemFS, inj faults.CrashAt) (crashed bool, f *failure) {
	e := sw.e
	neu := maps.Clone(old.Secrets)
	op.after(neu)
	fail := func(vs []model.Violation) *failure {
		return &failure{vs: vs, s0: old, sched: []string{op.name + " under " + inj.String()}}
	}
	pr, err := e.open(d, inj)
	if err == nil {
		err = op.apply(e.ctx, pr.p)
	}
	crashed = pr.crashed()
	e.b.settle(e.ctx, d) // the process is over
	img := image(d, inj.Mode, inj.Seed)
	sw.states++
	// I8 first: observe reopens the image, and a store that cleans
	// leftovers on open would destroy the evidence.
	if vs := e.checkHygiene(img, valueSet(old, model.State{Secrets: neu})); len(vs) > 0 {
		return crashed, fail(vs)
	}
	st, rerr := e.observe(img)
	if rerr != nil {
		return crashed, fail([]model.Violation{{ID: model.I7, Detail: "after the crash: " + rerr.Error()}})
	}
	if !crashed && err == nil && !maps.Equal(st.Secrets, neu) {
		return crashed, fail([]model.Violation{{ID: model.I6, Detail: op.name + " returned nil but its effect was lost: " + strings.Join(model.Diff(model.State{Secrets: neu}, st), "; ")}})
	}
	if !maps.Equal(st.Secrets, old.Secrets) && !maps.Equal(st.Secrets, neu) {
		return crashed, fail([]model.Violation{{ID: model.I7, Detail: op.name + " left a third state: " + strings.Join(model.Diff(model.State{Secrets: neu}, st), "; ")}})
	}
	return crashed, nil
}

// replayOp reruns a single-operation case (Case.Op).
func (sw *sweeper) replayOp(c failCase) *failure {
	i := slices.IndexFunc(singleOps(), func(o singleOp) bool { return o.name == c.Op })
	if i < 0 || len(c.Crashes) != 1 {
		return inconclusiveFailure(inconclusiveTargetError, fmt.Sprintf("no single operation %q with one crash", c.Op), c.Store)
	}
	d, err := sw.e.seed(c.Store)
	if err != nil {
		return targetFailure("cannot seed the store", err, c.Store)
	}
	_, f := sw.opCrashStep(c.Store, singleOps()[i], d, c.Crashes[0])
	if f != nil {
		f.c = ptr(c.clone())
	}
	return f
}
