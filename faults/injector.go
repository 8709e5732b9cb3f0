package faults

import (
	"fmt"
	"math/rand/v2"
	"syscall"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

// ActionKind is what an Injector decides for one operation.
type ActionKind uint8

// The decisions. The zero value lets the operation run.
const (
	Pass  ActionKind = iota // run the operation
	Crash                   // the process dies before (Torn: during) the operation
	Fail                    // the operation is not performed and returns an injected errno
)

// Action is an Injector's decision for one operation.
type Action struct {
	Kind  ActionKind
	Mode  Mode          // Crash: the crash mode
	Seed  uint64        // Crash: seeds the torn prefix and the power-partial image
	Errno syscall.Errno // Fail: the errno (0 means EIO)
}

// Injector decides, before each mutating operation of a process, whether
// it runs, crashes the process or fails. Implementations must be safe for
// concurrent use and deterministic (a function of the Op), so that a
// printed schedule replays. String prints the schedule ParseSchedule reads
// back.
type Injector interface {
	Inject(op Op) Action
	String() string
}

// None injects nothing.
type None struct{}

var (
	_ Injector = None{}
	_ Injector = CrashAt{}
	_ Injector = ErrorAt{}
	_ Injector = ErrorOn{}
	_ Injector = Randomly{}
	_ Injector = Schedule{}
)

// Inject implements Injector.
func (None) Inject(Op) Action { return Action{} }

// String returns "none".
func (None) String() string { return "none" }

// CrashAt crashes the process at operation number Op (0-based).
type CrashAt struct {
	Op   int
	Mode Mode
	Seed uint64
}

// Inject implements Injector.
func (c CrashAt) Inject(op Op) Action {
	if op.Index != c.Op {
		return Action{}
	}
	return Action{Kind: Crash, Mode: c.Mode, Seed: c.Seed}
}

// String returns e.g. "crash(op=5,mode=torn,seed=42)".
func (c CrashAt) String() string {
	return fmt.Sprintf("crash(op=%d,mode=%s,seed=%d)", c.Op, c.Mode, c.Seed)
}

// ErrorAt fails operation number Op with Errno (0 means EIO).
type ErrorAt struct {
	Op    int
	Errno syscall.Errno
}

// Inject implements Injector.
func (e ErrorAt) Inject(op Op) Action {
	if op.Index != e.Op {
		return Action{}
	}
	return Action{Kind: Fail, Errno: orEIO(e.Errno)}
}

// String returns e.g. "err(op=3,errno=ENOSPC)".
func (e ErrorAt) String() string {
	return fmt.Sprintf("err(op=%d,errno=%s)", e.Op, errnoName(orEIO(e.Errno)))
}

// ErrorOn fails every operation of one kind with Errno (0 means EIO), e.g.
// every Sync.
type ErrorOn struct {
	Kind  OpKind
	Errno syscall.Errno
}

// Inject implements Injector.
func (e ErrorOn) Inject(op Op) Action {
	if op.Kind != e.Kind {
		return Action{}
	}
	return Action{Kind: Fail, Errno: orEIO(e.Errno)}
}

// String returns e.g. "err(kind=sync,errno=EIO)".
func (e ErrorOn) String() string {
	return fmt.Sprintf("err(kind=%s,errno=%s)", e.Kind, errnoName(orEIO(e.Errno)))
}

// Randomly fails about one operation in OneIn with Errno (0 means EIO).
// Whether operation k fails is a pure function of (Seed, k). OneIn <= 0
// never fails.
type Randomly struct {
	OneIn int
	Seed  uint64
	Errno syscall.Errno
}

// Inject implements Injector.
func (r Randomly) Inject(op Op) Action {
	if r.OneIn <= 0 || rand.NewPCG(r.Seed, uint64(op.Index)).Uint64()%uint64(r.OneIn) != 0 {
		return Action{}
	}
	return Action{Kind: Fail, Errno: orEIO(r.Errno)}
}

// String returns e.g. "rand(one_in=50,seed=7,errno=EIO)".
func (r Randomly) String() string {
	return fmt.Sprintf("rand(one_in=%d,seed=%d,errno=%s)", r.OneIn, r.Seed, errnoName(orEIO(r.Errno)))
}

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
