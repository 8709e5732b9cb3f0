package harness

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// linkedCrash is the faults.Injector of one op-level process: it asks the plan
// inj about each provider call, records how many filesystem operations the
// process had made when the call came, and when the plan crashes the
// process it crashes the process's filesystem (the flag's disk) at the same
// moment, in process mode. An op-level provider keeps no state on that
// filesystem, so crashing it when the call is decided (rather than after a
// crash-after call returns) makes no difference to what survives.
type linkedCrash struct {
	inj  faults.Injector
	proc *faults.FS

	mu sync.Mutex // guards at
	at []int      // at[k]: filesystem operations made before call k was decided
}

var _ faults.Injector = (*linkedCrash)(nil)

// Inject implements faults.Injector.
func (l *linkedCrash) Inject(c faults.Op) faults.Action {
	l.mu.Lock()
	l.at = append(l.at, l.proc.Ops())
	l.mu.Unlock()
	a := l.inj.Inject(c)
	if a.Kind == faults.Crash {
		l.proc.Crash(faults.Process, 0)
	}
	return a
}

// String implements faults.Injector.
func (l *linkedCrash) String() string { return l.inj.String() }

// opOutcome is what one op-level run did.
type opOutcome struct {
	calls   int   // provider calls numbered
	at      []int // filesystem operations made before each call
	writes  int   // mutating provider calls plus mutating filesystem operations, Open excluded
	crashed bool  // the process crashed
	err     error // Open's or the migrator's error
}

// opRun runs the migrator in a new process on d whose provider calls go
// through opfaults.NewProvider under inj (nil: none); a crash takes the
// process's filesystem down with it. The external store persists on its
// own medium; d holds the flag.
func (e *env) opRun(d *faults.MemFS, inj faults.Injector) opOutcome {
	if inj == nil {
		inj = faults.None{}
	}
	proc, p, err := e.open(d, nil)
	if err != nil {
		return opOutcome{err: fmt.Errorf("open: %w", err)}
	}
	opened := proc.Ops()
	link := &linkedCrash{inj: inj, proc: proc}
	w := opfaults.NewProvider(p, link)
	err = e.mig(e.ctx, proc, w.Provider())
	link.mu.Lock()
	defer link.mu.Unlock()
	return opOutcome{
		calls:   w.Calls(),
		at:      slices.Clone(link.at),
		writes:  proc.Ops() - opened + writeCalls(w.Log()),
		crashed: w.Crashed(),
		err:     err,
	}
}

// writeCalls counts the mutating calls of a provider log.
func writeCalls(log []faults.Op) int {
	n := 0
	for _, c := range log {
		switch c.Kind {
		case faults.OpSetSecret, faults.OpDeleteSecret, faults.OpDeleteSecrets, faults.OpCleanup, faults.OpUpdate:
			n++
		}
	}
	return n
}

// restartImage is the flag's disk after the process on d died: an op-level
// target models process crashes only, so every completed operation stays.
func restartImage(d *faults.MemFS) *faults.MemFS { return d.CrashImage(faults.Process, nil) }

// resetExternal makes the store behind p (an op-level store, which the
// harness cannot replace by a fresh disk) hold exactly want: one Update
// when p is an Updater, else one DeleteSecrets of the keys want lacks and
// one SetSecret per missing or different value. It reads the store back
// and fails when it does not hold want.
func resetExternal(ctx context.Context, p secrets.Provider, want map[string]string) error {
	cur, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store to reset it: %w", err)
	}
	if !maps.Equal(cur, want) {
		if err := applyReset(ctx, p, cur, want); err != nil {
			return err
		}
	}
	got, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store after a reset: %w", err)
	}
	if !maps.Equal(got, want) {
		d := model.Diff(model.State{Secrets: want}, model.State{Secrets: got})
		return fmt.Errorf("the store does not hold what it was reset to: %s", d[0])
	}
	return nil
}

func applyReset(ctx context.Context, p secrets.Provider, cur, want map[string]string) error {
	if u, ok := p.(secrets.Updater); ok {
		return u.Update(ctx, func(m map[string]string) error {
			maps.DeleteFunc(m, func(k, _ string) bool { _, keep := want[k]; return !keep })
			maps.Copy(m, want)
			return nil
		})
	}
	var stale []string
	for _, k := range sortedKeys(cur) {
		if _, keep := want[k]; !keep {
			stale = append(stale, k)
		}
	}
	if len(stale) > 0 {
		if err := p.DeleteSecrets(ctx, stale); err != nil {
			return fmt.Errorf("reset: delete %d keys: %w", len(stale), err)
		}
	}
	for _, k := range sortedKeys(want) {
		if v, ok := cur[k]; ok && v == want[k] {
			continue
		}
		if err := p.SetSecret(ctx, k, want[k]); err != nil {
			return fmt.Errorf("reset: set %q: %w", k, err)
		}
	}
	return nil
}
