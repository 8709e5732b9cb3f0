package opfaults

import (
	"fmt"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

// Method names a provider call counted by Provider.
type Method uint8

// The counted provider methods.
const (
	MethodGetSecret Method = iota
	MethodSetSecret
	MethodDeleteSecret
	MethodListSecrets
	MethodDeleteSecrets
	MethodCleanup
	MethodCapabilities
	MethodUpdate
	numMethods
)

var methodNames = [...]string{
	MethodGetSecret:     "GetSecret",
	MethodSetSecret:     "SetSecret",
	MethodDeleteSecret:  "DeleteSecret",
	MethodListSecrets:   "ListSecrets",
	MethodDeleteSecrets: "DeleteSecrets",
	MethodCleanup:       "Cleanup",
	MethodCapabilities:  "Capabilities",
	MethodUpdate:        "Update",
}

// String returns the Go method name.
func (m Method) String() string {
	if m < numMethods {
		return methodNames[m]
	}
	return fmt.Sprintf("method(%d)", uint8(m))
}

// Call describes one provider call, as shown to an Injector and kept in
// Provider.Log. It never holds a value.
type Call struct {
	Index  int    // 0-based number of the call on its Provider
	Method Method // which method
	Key    string // the key for GetSecret, SetSecret and DeleteSecret
}

// When places an op-level crash relative to the call.
type When uint8

// Crash points. The zero value is Before.
const (
	Before When = iota // the call is not made
	After              // the call is made and its result lost
)

// String returns "before" or "after".
func (w When) String() string {
	if w == After {
		return "after"
	}
	return "before"
}

// ParseWhen parses "before" or "after".
func ParseWhen(s string) (When, error) {
	switch s {
	case "before":
		return Before, nil
	case "after":
		return After, nil
	}
	return 0, fmt.Errorf("when %q: %w", s, faults.ErrSyntax)
}

// CallAction is an Injector's decision for one call; the zero value lets
// it run.
type CallAction struct {
	Kind faults.ActionKind // faults.Pass, faults.Crash or faults.Fail
	When When              // Crash: before or after the call
}

// Injector decides, before each provider call, whether it runs, crashes
// the simulated process (before or after the call) or fails with an error
// wrapping ErrInjected. It must be deterministic and safe for concurrent
// use; String prints what ParseSchedule reads back.
type Injector interface {
	InjectCall(c Call) CallAction
	String() string
}

// None injects nothing.
type None struct{}

// InjectCall implements Injector.
func (None) InjectCall(Call) CallAction { return CallAction{} }

// String returns "none".
func (None) String() string { return "none" }

var (
	_ Injector = None{}
	_ Injector = CrashAt{}
	_ Injector = ErrorAt{}
	_ Injector = Schedule{}
)

// CrashAt crashes at call number Call (0-based), before or after it.
type CrashAt struct {
	Call int
	When When
}

// InjectCall implements Injector.
func (c CrashAt) InjectCall(call Call) CallAction {
	if call.Index != c.Call {
		return CallAction{}
	}
	return CallAction{Kind: faults.Crash, When: c.When}
}

// String returns e.g. "opcrash(call=3,when=after)".
func (c CrashAt) String() string {
	return fmt.Sprintf("opcrash(call=%d,when=%s)", c.Call, c.When)
}

// ErrorAt makes call number Call fail without being made.
type ErrorAt struct {
	Call int
}

// InjectCall implements Injector.
func (e ErrorAt) InjectCall(call Call) CallAction {
	if call.Index != e.Call {
		return CallAction{}
	}
	return CallAction{Kind: faults.Fail}
}

// String returns e.g. "operr(call=2)".
func (e ErrorAt) String() string { return fmt.Sprintf("operr(call=%d)", e.Call) }

// Schedule combines op injectors: the first that does not pass decides.
// Build it with Seq.
type Schedule []Injector

// Seq combines op injectors (flattened, None and nil dropped; zero give
// None, one gives itself).
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

// InjectCall implements Injector.
func (s Schedule) InjectCall(c Call) CallAction {
	for _, in := range s {
		if a := in.InjectCall(c); a.Kind != faults.Pass {
			return a
		}
	}
	return CallAction{}
}

// String joins the parts with ";".
func (s Schedule) String() string { return schedterm.Join(s) }

// ParseSchedule parses a provider fault schedule, the exact inverse of
// Injector.String (errors wrap faults.ErrSyntax):
//
//	none                          no fault ("" too)
//	opcrash(call=K,when=W)        CrashAt (W: before (default) or after)
//	operr(call=K)                 ErrorAt
//	T1;T2;...                     Seq(T1, T2, ...)
func ParseSchedule(s string) (Injector, error) {
	return schedterm.ParseWith(s, parseInjector, Seq)
}

func parseInjector(t *schedterm.Term) (Injector, error) {
	if t.Name != "opcrash" && t.Name != "operr" {
		return nil, fmt.Errorf("unknown op fault %q: %w", t.Name, faults.ErrSyntax)
	}
	call, err := t.NonNegInt("call", true)
	if err != nil {
		return nil, err
	}
	var in Injector
	switch t.Name {
	case "opcrash":
		c := CrashAt{Call: call}
		if v, ok := t.Take("when"); ok {
			if c.When, err = ParseWhen(v); err != nil {
				return nil, fmt.Errorf("opcrash: %w", err)
			}
		}
		in = c
	default:
		in = ErrorAt{Call: call}
	}
	if err := t.Done(); err != nil {
		return nil, err
	}
	return in, nil
}
