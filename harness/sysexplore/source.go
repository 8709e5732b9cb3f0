package sysexplore

import "github.com/scopemig/scopemig/faults"

// annotate names, in every violation, the program line that issued its
// crash-point syscall (Violation.Source, Stack): process mode from the
// run killed there, the power modes from the recording.
func (e *explorer) annotate() {
	for i := range e.rep.Violations {
		v := &e.rep.Violations[i]
		st, ok := e.stacks[v.Point]
		if v.Mode == faults.Process {
			st, ok = e.killed[v.Point]
		}
		if !ok {
			continue
		}
		v.Source, v.Stack = e.sym.source(st)
	}
}
