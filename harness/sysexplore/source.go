package sysexplore

import "github.com/scopemig/scopemig/faults"

// annotate names, in every violation, the program line that issued its
// crash-point syscall (Violation.Source, Stack): from the recording (whose
// snapshots are the process-mode images), or from the run killed there.
func (e *explorer) annotate() {
	e.fsVerdicts()
	for i := range e.rep.Violations {
		v := &e.rep.Violations[i]
		st, ok := e.stacks[v.Point]
		if k, killed := e.killed[v.Point]; killed && v.Mode == faults.Process {
			st, ok = k, true // the run killed there (its path may differ from the recording's)
		}
		if !ok {
			continue
		}
		if src, stack := e.sym.source(st); src != "" {
			v.Source, v.Stack = src, stack // the stack only with a program line: libc or interpreter frames alone say nothing more than the syscall
		}
	}
}

// fsVerdicts says, in every power-mode violation, in which of the explored
// persistence models its invariant fails in its mode.
func (e *explorer) fsVerdicts() {
	failing := map[string]map[FSModel]bool{} // invariant/mode -> models
	key := func(v Violation) string { return string(v.Invariant) + "/" + v.Mode.String() }
	for _, v := range e.rep.Violations {
		if v.FS == "" {
			continue
		}
		if failing[key(v)] == nil {
			failing[key(v)] = map[FSModel]bool{}
		}
		failing[key(v)][v.FS] = true
	}
	for i, v := range e.rep.Violations {
		if v.FS != "" {
			e.rep.Violations[i].Verdict = fsVerdict(e.cfg.FS, failing[key(v)])
		}
	}
}
