package harness

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopemig/scopemig/faults"
)

// schedInjector makes every mutating fs operation of a process a
// scheduling point, then lets the process's own fault plan decide.
type schedInjector struct {
	s     *sched
	id    int
	inner faults.Injector
}

var _ faults.Injector = schedInjector{}

// Inject implements faults.Injector: yield, then ask the inner plan.
func (in schedInjector) Inject(op faults.Op) faults.Action {
	in.s.yield(in.id)
	return in.inner.Inject(op)
}

// String implements faults.Injector.
func (in schedInjector) String() string { return in.inner.String() }

// schedFS is one simulated process under a sched: its faults.FS, whose
// lock attempts are scheduling points and never block while holding the
// token (a process waiting for a lock is parked until some lock is
// released).
type schedFS struct {
	*faults.FS
	s  *sched
	id int
}

// newSchedProc starts process id on disk d with fault plan inj.
func newSchedProc(s *sched, id int, d *faults.MemFS, inj faults.Injector) *schedFS {
	if inj == nil {
		inj = faults.None{}
	}
	return &schedFS{FS: faults.NewFS(d, schedInjector{s: s, id: id, inner: inj}), s: s, id: id}
}

// Lock implements fslock.Locker: try the lock at each turn; park while it
// is held by another process.
func (p *schedFS) Lock(ctx context.Context, name string) (func() error, error) {
	for {
		p.s.yield(p.id)
		try, cancel := context.WithCancel(ctx)
		cancel() // a try-lock: MemFS.Lock fails at once when the lock is held
		release, err := p.FS.Lock(try, name)
		if err == nil {
			return func() error {
				err := release()
				p.s.released()
				return err
			}, nil
		}
		if !errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return nil, fmt.Errorf("sched lock: %w", err)
		}
		p.s.block(p.id)
	}
}
