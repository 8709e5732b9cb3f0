package sched

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopemig/scopemig/faults"
)

// injector makes every mutating fs operation of a process a
// scheduling point, then lets the process's own fault plan decide.
type injector struct {
	s     *Sched
	id    int
	inner faults.Injector
}

var _ faults.Injector = injector{}

// Inject implements faults.Injector: yield, then ask the inner plan.
func (in injector) Inject(op faults.Op) faults.Action {
	in.s.Yield(in.id)
	return in.inner.Inject(op)
}

// String implements faults.Injector.
func (in injector) String() string { return in.inner.String() }

// FS is one simulated process under a Sched: its faults.FS, whose
// lock attempts are scheduling points and never block while holding the
// token (a process waiting for a lock is parked until some lock is
// released).
type FS struct {
	*faults.FS
	s  *Sched
	id int
}

// NewFS starts process id on disk d with fault plan inj.
func NewFS(s *Sched, id int, d *faults.MemFS, inj faults.Injector) *FS {
	if inj == nil {
		inj = faults.None{}
	}
	return &FS{FS: faults.NewFS(d, injector{s: s, id: id, inner: inj}), s: s, id: id}
}

// Lock implements fslock.Locker: try the lock at each turn; park while it
// is held by another process.
func (p *FS) Lock(ctx context.Context, name string) (func() error, error) {
	for {
		p.s.Yield(p.id)
		try, cancel := context.WithCancel(ctx)
		cancel() // a try-lock: MemFS.Lock fails at once when the lock is held
		release, err := p.FS.Lock(try, name)
		if err == nil {
			return func() error {
				err := release()
				p.s.Released()
				return err
			}, nil
		}
		if !errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return nil, fmt.Errorf("sched lock: %w", err)
		}
		p.s.Block(p.id)
	}
}
