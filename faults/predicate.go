package faults

import (
	"fmt"
	"math/rand/v2"
	"path"
	"strings"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

// Predicate picks the operations an injector acts on (see On). Like an
// Injector it must be a pure function of the Op, and String prints it as
// a schedule argument that ParseSchedule reads back: op=K, kind=K,
// path=GLOB, rand(one_in=N,seed=S), any(...) or all(...).
type Predicate interface {
	Match(op Op) bool
	String() string
}

var (
	_ Predicate = OpIndex(0)
	_ Predicate = OfKind(0)
	_ Predicate = PathGlob("")
	_ Predicate = OneIn{}
	_ Predicate = anyOf(nil)
	_ Predicate = allOf(nil)
)

// OpIndex matches operation number K (0-based) of the process.
type OpIndex int

// Match implements Predicate.
func (k OpIndex) Match(op Op) bool { return op.Index == int(k) }

// String returns e.g. "op=5".
func (k OpIndex) String() string { return fmt.Sprintf("op=%d", int(k)) }

// OfKind matches the operations of one kind (every sync, every provider
// SetSecret, ...).
type OfKind OpKind

// Match implements Predicate.
func (k OfKind) Match(op Op) bool { return op.Kind == OpKind(k) }

// String returns e.g. "kind=sync".
func (k OfKind) String() string { return "kind=" + OpKind(k).String() }

// PathGlob matches the operations whose Path (for a provider call, the
// key) matches the pattern, in the syntax of path.Match; a malformed
// pattern matches nothing.
type PathGlob string

// Match implements Predicate.
func (g PathGlob) Match(op Op) bool {
	ok, err := path.Match(string(g), op.Path)
	return ok && err == nil
}

// String returns e.g. `path=/d/*.tmp` (quoted when the pattern holds
// spaces or punctuation).
func (g PathGlob) String() string { return "path=" + schedterm.Value(string(g)) }

// OneIn matches about one operation in N: whether operation k matches is a
// pure function of (Seed, k). N <= 0 matches nothing.
type OneIn struct {
	N    int
	Seed uint64
}

// Match implements Predicate.
func (r OneIn) Match(op Op) bool {
	return r.N > 0 && rand.NewPCG(r.Seed, uint64(op.Index)).Uint64()%uint64(r.N) == 0
}

// String returns e.g. "rand(one_in=50,seed=7)".
func (r OneIn) String() string { return fmt.Sprintf("rand(one_in=%d,seed=%d)", r.N, r.Seed) }

// Any matches the operations that at least one of ps matches (none when
// ps is empty). Nested Any are flattened and one predicate gives itself.
func Any(ps ...Predicate) Predicate { return combine[anyOf](ps) }

// All matches the operations that every one of ps matches (every
// operation when ps is empty). Nested All are flattened and one predicate
// gives itself.
func All(ps ...Predicate) Predicate { return combine[allOf](ps) }

// combine is Any or All: ps flattened into one T.
func combine[T interface {
	~[]Predicate
	Predicate
}](ps []Predicate) Predicate {
	var out T
	for _, p := range ps {
		if same, ok := p.(T); ok {
			out = append(out, same...)
		} else {
			out = append(out, p)
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

type anyOf []Predicate

func (a anyOf) Match(op Op) bool {
	for _, p := range a {
		if p.Match(op) {
			return true
		}
	}
	return false
}

func (a anyOf) String() string { return "any(" + joinArgs(a) + ")" }

type allOf []Predicate

func (a allOf) Match(op Op) bool {
	for _, p := range a {
		if !p.Match(op) {
			return false
		}
	}
	return true
}

func (a allOf) String() string { return "all(" + joinArgs(a) + ")" }

// joinArgs prints predicates as a comma-separated argument list.
func joinArgs(ps []Predicate) string {
	parts := make([]string, len(ps))
	for i, p := range ps {
		parts[i] = p.String()
	}
	return strings.Join(parts, ",")
}

// predicateArgs prints the predicate of a rule as its leading arguments:
// the conjuncts of an All one by one (an empty All as "all()"), else the
// predicate itself.
func predicateArgs(p Predicate) string {
	if a, ok := p.(allOf); ok && len(a) > 0 {
		return joinArgs(a)
	}
	return p.String()
}
