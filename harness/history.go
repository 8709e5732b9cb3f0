package harness

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// histKind is the kind of a recorded operation.
type histKind uint8

const (
	hGet     histKind = iota // GetSecret(Key)
	hSet                     // SetSecret(Key, Value)
	hDelete                  // DeleteSecret(Key)
	hMigrate                 // a whole migration (every attempt, restarts included) as one operation
	hDump                    // the final read of the whole store and flag
)

var histKindNames = [...]string{hGet: "get", hSet: "set", hDelete: "delete", hMigrate: "migrate", hDump: "dump"}

func (k histKind) String() string { return histKindNames[k] }

// histIn is the input of a recorded operation.
type histIn struct {
	Kind  histKind
	Key   string
	Value string
}

// histOut is the outcome of a recorded operation. Unknown: the call failed
// (crash, injected or unexpected error) and may or may not have taken
// effect.
type histOut struct {
	Unknown  bool
	NotFound bool
	Value    string // get: the value read
	State    string // dump: the encoded state read
}

// history records the operations of concurrent processes. Safe for
// concurrent use.
type history struct {
	mu  sync.Mutex // guards ops
	ops []porcupine.Operation
	hyg *hygiene // I8 scans of the run's disk (nil: none)
}

func (h *history) add(proc int, in histIn, call int64, out histOut, ret int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ops = append(h.ops, porcupine.Operation{ClientId: proc, Input: in, Call: call, Output: out, Return: ret})
}

func (h *history) operations() []porcupine.Operation {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]porcupine.Operation(nil), h.ops...)
}

// encodeState renders a state canonically (sorted keys), the porcupine
// model's comparable state.
func encodeState(s model.State) string {
	var b strings.Builder
	if s.Migrated {
		b.WriteString("M")
	} else {
		b.WriteString("-")
	}
	for _, k := range s.Keys() {
		b.WriteString("\x00")
		b.WriteString(k)
		b.WriteString("\x01")
		b.WriteString(s.Secrets[k])
	}
	return b.String()
}

func decodeState(enc string) model.State {
	parts := strings.Split(enc, "\x00")
	s := model.State{Secrets: make(map[string]string, len(parts)-1), Migrated: parts[0] == "M"}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "\x01")
		s.Secrets[k] = v
	}
	return s
}

// describeEnc renders an encoded state with fingerprints instead of values.
func describeEnc(enc string) string {
	s := decodeState(enc)
	keys := s.Keys()
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + secrets.Fingerprint(s.Secrets[k])
	}
	return fmt.Sprintf("{%s} migrated=%v", strings.Join(parts, " "), s.Migrated)
}

// storeModel is the sequential specification of a store shared by
// processes, with the migration as one atomic operation: when the flag is
// unset it applies model.MigrateBody with the target's policy and sets the
// flag; when set it does nothing (the migration is one-shot). An operation
// with an unknown outcome may or may not have taken effect.
func storeModel(m model.Model, p Policy, s0 model.State) porcupine.Model {
	init := encodeState(s0)
	nm := &porcupine.NondeterministicModel{
		Init: func() []any { return []any{init} },
		Step: func(state, input, output any) []any {
			return stepStore(m, p, state.(string), input.(histIn), output.(histOut))
		},
		DescribeOperation: func(input, output any) string {
			return describeOp(input.(histIn), output.(histOut))
		},
		DescribeState: func(state any) string { return describeEnc(state.(string)) },
	}
	return nm.ToModel()
}

func stepStore(m model.Model, p Policy, enc string, in histIn, out histOut) []any {
	s := decodeState(enc)
	switch in.Kind {
	case hGet:
		v, ok := s.Secrets[in.Key]
		if out.Unknown || (out.NotFound && !ok) || (!out.NotFound && ok && v == out.Value) {
			return []any{enc}
		}
		return nil
	case hSet:
		n := s.Clone()
		n.Secrets[in.Key] = in.Value
		return maybe(out.Unknown, enc, encodeState(n))
	case hDelete:
		_, ok := s.Secrets[in.Key]
		switch {
		case out.Unknown:
			n := s.Clone()
			delete(n.Secrets, in.Key)
			return maybe(true, enc, encodeState(n))
		case out.NotFound:
			if ok {
				return nil
			}
			return []any{enc}
		case !ok:
			return nil
		}
		n := s.Clone()
		delete(n.Secrets, in.Key)
		return []any{encodeState(n)}
	case hMigrate:
		n := s
		if !s.Migrated {
			n = m.Migrate(s, p)
		}
		return maybe(out.Unknown, enc, encodeState(n))
	case hDump:
		if out.State == enc {
			return []any{enc}
		}
		return nil
	}
	return nil
}

func maybe(unknown bool, old, next string) []any {
	if !unknown || old == next {
		return []any{next}
	}
	return []any{old, next}
}

func describeOp(in histIn, out histOut) string {
	var res string
	switch {
	case out.Unknown:
		res = "?"
	case out.NotFound:
		res = "not-found"
	case in.Kind == hGet:
		res = secrets.Fingerprint(out.Value)
	case in.Kind == hDump:
		res = describeEnc(out.State)
	default:
		res = "ok"
	}
	switch in.Kind {
	case hSet:
		return fmt.Sprintf("set(%s, %s) -> %s", in.Key, secrets.Fingerprint(in.Value), res)
	case hGet, hDelete:
		return fmt.Sprintf("%s(%s) -> %s", in.Kind, in.Key, res)
	}
	return fmt.Sprintf("%s -> %s", in.Kind, res)
}

// ErrCheckerTimeout reports a linearizability check that gave up: the
// case is inconclusive, neither passed nor failed.
var ErrCheckerTimeout = errors.New("linearizability check timed out")

// checkHistory checks ops, starting from s0, for linearizability. It
// returns false with a description of the history (in call order) when no
// linearization exists, and ErrCheckerTimeout when the check gave up.
func checkHistory(m model.Model, p Policy, s0 model.State, ops []porcupine.Operation) (bool, []string, error) {
	pm := storeModel(m, p, s0)
	switch porcupine.CheckOperationsTimeout(pm, ops, 5*time.Second) {
	case porcupine.Ok:
		return true, nil, nil
	case porcupine.Unknown:
		return false, nil, fmt.Errorf("%w after 5s (%d operations)", ErrCheckerTimeout, len(ops))
	}
	sorted := append([]porcupine.Operation(nil), ops...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Call < sorted[j].Call })
	lines := make([]string, 0, len(sorted))
	for _, op := range sorted {
		lines = append(lines, fmt.Sprintf("p%d [%d,%d] %s", op.ClientId, op.Call, op.Return,
			describeOp(op.Input.(histIn), op.Output.(histOut))))
	}
	return false, lines, nil
}
