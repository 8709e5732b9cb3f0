package sysexplore

import "github.com/scopemig/scopemig/faults"

// annotate names, in every violation, the program line that issued its
// crash-point syscall (Violation.Source, Stack): process mode from the
// run killed there, the power modes from the recording.
func (e *explorer) annotate() {
	e.verdicts()
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

// verdicts says, in every power-mode violation, in which of the explored
// persistence models its invariant fails in its mode.
func (e *explorer) verdicts() {
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
			e.rep.Violations[i].Verdict = verdict(e.cfg.FS, failing[key(v)])
		}
	}
}
