package faults

import (
	"fmt"
	"syscall"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

// ActionKind is what an Injector decides for one operation.
type ActionKind uint8

// The decisions. The zero value lets the operation run.
const (
	Pass  ActionKind = iota // run the operation
	Crash                   // the process dies before (Torn: during; After: after) the operation
	Fail                    // the operation is not performed and returns an injected errno
)

// Action is an Injector's decision for one operation.
type Action struct {
	Kind  ActionKind
	Mode  Mode          // Crash: the crash mode
	Seed  uint64        // Crash: seeds the torn prefix and the power-partial image
	After bool          // Crash: the operation is performed, then the process dies
	Errno syscall.Errno // Fail: the errno (0 means EIO)
}

// canonical is a with the fields its kind does not use cleared and a
// zero errno made EIO, so that equal decisions are equal values.
func (a Action) canonical() Action {
	switch a.Kind {
	case Crash:
		return Action{Kind: Crash, Mode: a.Mode, Seed: a.Seed, After: a.After}
	case Fail:
		return Action{Kind: Fail, Errno: orEIO(a.Errno)}
	}
	return Action{}
}

// args prints the action's arguments of a schedule term.
func (a Action) args() string {
	if a.Kind == Fail {
		return "errno=" + errnoName(orEIO(a.Errno))
	}
	s := fmt.Sprintf("mode=%s,seed=%d", a.Mode, a.Seed)
	if a.After {
		s += ",when=after"
	}
	return s
}

// verb is the term name of the action: crash or err.
func (a Action) verb() string {
	if a.Kind == Fail {
		return "err"
	}
	return "crash"
}

// Injector decides, before each operation of a process (a mutating
// filesystem operation of an FS, a provider call of
// faults/opfaults.Provider), whether it runs, crashes the process or
// fails. Implementations must be safe for concurrent use and deterministic
// (a function of the Op), so that a printed schedule replays. String
// prints the schedule ParseSchedule reads back.
type Injector interface {
	Inject(op Op) Action
	String() string
}

var (
	_ Injector = None{}
	_ Injector = CrashAt{}
	_ Injector = ErrorAt{}
	_ Injector = rule{}
	_ Injector = Schedule{}
)

// None injects nothing.
type None struct{}

// Inject implements Injector.
func (None) Inject(Op) Action { return Action{} }

// String returns "none".
func (None) String() string { return "none" }

// On returns the injector that takes action a on every operation p
// matches and lets the others run: the composition of a predicate (by
// index, kind, path, any/all, OneIn) and an action, as in Pebble's
// errorfs. Its String prints "crash(PREDICATE,mode=M,seed=S)" or
// "err(PREDICATE,errno=E)". The result is canonical, so that a printed
// schedule parses back to an equal injector: a Pass action gives None, and
// a predicate that is one operation index gives CrashAt or ErrorAt.
func On(p Predicate, a Action) Injector {
	a = a.canonical()
	if p == nil {
		p = All()
	}
	if k, ok := p.(OpIndex); ok {
		switch a.Kind {
		case Crash:
			return CrashAt{Op: int(k), Mode: a.Mode, Seed: a.Seed, After: a.After}
		case Fail:
			return ErrorAt{Op: int(k), Errno: a.Errno}
		}
	}
	if a.Kind == Pass {
		return None{}
	}
	return rule{when: p, do: a}
}

// rule is On's general injector.
type rule struct {
	when Predicate
	do   Action // canonical, never Pass
}

// Inject implements Injector.
func (r rule) Inject(op Op) Action {
	if r.when.Match(op) {
		return r.do
	}
	return Action{}
}

// String prints the rule as a schedule term.
func (r rule) String() string {
	return r.do.verb() + "(" + predicateArgs(r.when) + "," + r.do.args() + ")"
}

// CrashAt crashes the process at operation number Op (0-based): before it
// or, with After, once it is performed. It is On(OpIndex(Op), a crash),
// kept as a type because sweeps record and shrink their crash points.
type CrashAt struct {
	Op    int
	Mode  Mode
	Seed  uint64
	After bool
}

func (c CrashAt) rule() rule {
	return rule{when: OpIndex(c.Op), do: Action{Kind: Crash, Mode: c.Mode, Seed: c.Seed, After: c.After}}
}

// Inject implements Injector.
func (c CrashAt) Inject(op Op) Action { return c.rule().Inject(op) }

// String returns e.g. "crash(op=5,mode=torn,seed=42)" or
// "crash(op=3,mode=process,seed=0,when=after)".
func (c CrashAt) String() string { return c.rule().String() }

// ErrorAt fails operation number Op with Errno (0 means EIO): On(OpIndex(Op),
// a failure), kept as a type because sweeps record their error points.
type ErrorAt struct {
	Op    int
	Errno syscall.Errno
}

func (e ErrorAt) rule() rule {
	return rule{when: OpIndex(e.Op), do: Action{Kind: Fail, Errno: orEIO(e.Errno)}}
}

// Inject implements Injector.
func (e ErrorAt) Inject(op Op) Action { return e.rule().Inject(op) }

// String returns e.g. "err(op=3,errno=ENOSPC)".
func (e ErrorAt) String() string { return e.rule().String() }

// Schedule combines injectors: for each operation the first one that does
// not Pass decides. Build it with Seq.
type Schedule []Injector

// Seq combines injectors into one (see Schedule). Nested schedules are
// flattened and None and nil dropped; zero injectors give None, one gives
// itself.
func Seq(injs ...Injector) Injector {
	var out Schedule
	for _, in := range injs {
		switch in := in.(type) {
		case nil, None:
		case Schedule:
			out = append(out, in...)
		default:
			out = append(out, in)
		}
	}
	switch len(out) {
	case 0:
		return None{}
	case 1:
		return out[0]
	}
	return out
}

// Inject implements Injector.
func (s Schedule) Inject(op Op) Action {
	for _, in := range s {
		if a := in.Inject(op); a.Kind != Pass {
			return a
		}
	}
	return Action{}
}

// String joins the parts with ";".
func (s Schedule) String() string { return schedterm.Join(s) }

func orEIO(e syscall.Errno) syscall.Errno {
	if e == 0 {
		return syscall.EIO
	}
	return e
}
