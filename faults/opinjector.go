package faults

import (
	"fmt"
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

// Call describes one provider call, as shown to an OpInjector and kept in
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
	return 0, fmt.Errorf("when %q: %w", s, ErrSyntax)
}

// CallAction is an OpInjector's decision for one call; the zero value lets
// it run.
type CallAction struct {
	Kind ActionKind // Pass, Crash or Fail
	When When       // Crash: before or after the call
}

// OpInjector decides, before each provider call, whether it runs, crashes
// the simulated process (before or after the call) or fails with an error
// wrapping ErrInjected. It must be deterministic and safe for concurrent
// use; String prints what ParseOpSchedule reads back.
type OpInjector interface {
	InjectCall(c Call) CallAction
	String() string
}

var (
	_ OpInjector = OpCrashAt{}
	_ OpInjector = OpErrorAt{}
	_ OpInjector = OpSchedule{}
)

// OpCrashAt crashes at call number Call (0-based), before or after it.
type OpCrashAt struct {
	Call int
	When When
}

// InjectCall implements OpInjector.
func (c OpCrashAt) InjectCall(call Call) CallAction {
	if call.Index != c.Call {
		return CallAction{}
	}
	return CallAction{Kind: Crash, When: c.When}
}

// String returns e.g. "opcrash(call=3,when=after)".
func (c OpCrashAt) String() string {
	return fmt.Sprintf("opcrash(call=%d,when=%s)", c.Call, c.When)
}

// OpErrorAt makes call number Call fail without being made.
type OpErrorAt struct {
	Call int
}

// InjectCall implements OpInjector.
func (e OpErrorAt) InjectCall(call Call) CallAction {
	if call.Index != e.Call {
		return CallAction{}
	}
	return CallAction{Kind: Fail}
}

// String returns e.g. "operr(call=2)".
func (e OpErrorAt) String() string { return fmt.Sprintf("operr(call=%d)", e.Call) }

// OpSchedule combines op injectors: the first that does not pass decides.
// Build it with OpSeq.
type OpSchedule []OpInjector

// OpSeq combines op injectors (flattened, None and nil dropped; zero give
// None, one gives itself).
func OpSeq(injs ...OpInjector) OpInjector {
	var out OpSchedule
	for _, in := range injs {
		switch in := in.(type) {
		case nil, None:
		case OpSchedule:
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

// InjectCall implements OpInjector.
func (s OpSchedule) InjectCall(c Call) CallAction {
	for _, in := range s {
		if a := in.InjectCall(c); a.Kind != Pass {
			return a
		}
	}
	return CallAction{}
}

// String joins the parts with ";".
func (s OpSchedule) String() string { return joinSchedule(s) }
