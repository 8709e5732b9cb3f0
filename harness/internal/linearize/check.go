package linearize

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// storeModel is the sequential specification of a store shared by
// processes, with its config file: the migration is one atomic operation
// (when the flag is unset it applies model.Migrate with the target's
// policy: the data moves, the flag is set, the config keeps its fields and
// is created when absent; when set it does nothing: one-shot), and each of
// ToolHive's config updates sets one field, keeping the others. An
// operation with an unknown outcome may or may not have taken effect.
//
// With secretsOnly the final dump is compared on the secrets alone (flag
// and config ignored): a history that is linearizable only then lost a
// config update or the flag (I9), not a secret.
func storeModel(m model.Model, p model.Policy, s0 model.State, secretsOnly bool) porcupine.Model {
	init := EncodeState(s0)
	memo := newCfgMemo()
	nm := &porcupine.NondeterministicModel{
		Init: func() []any { return []any{init} },
		Step: func(state, input, output any) []any {
			return stepStore(m, p, memo, state.(string), input.(In), output.(Out), secretsOnly)
		},
		DescribeOperation: func(input, output any) string {
			return DescribeOp(input.(In), output.(Out))
		},
		DescribeState: func(state any) string { return DescribeState(state.(string)) },
	}
	return nm.ToModel()
}

func stepStore(m model.Model, p model.Policy, memo *cfgMemo, enc string, in In, out Out, secretsOnly bool) []any {
	s, ck := decodeState(enc)
	encode := func(n model.State) string { return encodeWith(n.Migrated, ck, n.Secrets) }
	switch in.Kind {
	case Get:
		v, ok := s.Secrets[in.Key]
		if out.Unknown || (out.NotFound && !ok) || (!out.NotFound && ok && v == out.Value) {
			return []any{enc}
		}
		return nil
	case Set:
		n := s.Clone()
		n.Secrets[in.Key] = in.Value
		return maybe(out.Unknown, enc, encode(n))
	case Delete:
		_, ok := s.Secrets[in.Key]
		switch {
		case out.Unknown:
			n := s.Clone()
			delete(n.Secrets, in.Key)
			return maybe(true, enc, encode(n))
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
		return []any{encode(n)}
	case Migrate:
		if s.Migrated {
			return []any{enc}
		}
		n := m.Migrate(s, p)
		if ck == "" { // the flag writer creates the config
			ck = configText(model.Config{Exists: true})
		}
		return maybe(out.Unknown, enc, encode(n))
	case ConfigSet:
		next, ok := memo.toolhiveSet(ck, in.Key, in.Value)
		if !ok {
			return []any{enc}
		}
		ck = next
		return maybe(out.Unknown, enc, encode(s))
	case Dump:
		if memo.sameState(out.State, enc) {
			return []any{enc}
		}
		if got, _ := decodeState(out.State); secretsOnly && maps.Equal(got.Secrets, s.Secrets) {
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

func DescribeOp(in In, out Out) string {
	var res string
	switch {
	case out.Unknown:
		res = "?"
	case out.NotFound:
		res = "not-found"
	case in.Kind == Get:
		res = secrets.Fingerprint(out.Value)
	case in.Kind == Dump:
		res = DescribeState(out.State)
	default:
		res = "ok"
	}
	switch in.Kind {
	case Set:
		return fmt.Sprintf("set(%s, %s) -> %s", in.Key, secrets.Fingerprint(in.Value), res)
	case Get, Delete:
		return fmt.Sprintf("%s(%s) -> %s", in.Kind, in.Key, res)
	case ConfigSet:
		return fmt.Sprintf("config-set(%s, %s) -> %s", in.Key, secrets.Fingerprint(in.Value), res)
	}
	return fmt.Sprintf("%s -> %s", in.Kind, res)
}

// ErrCheckerTimeout reports a linearizability check that gave up: the
// case is inconclusive, neither passed nor failed.
var ErrCheckerTimeout = errors.New("linearizability check timed out")

// Check checks ops, starting from s0, for linearizability. It
// returns false with a description of the history (in call order) when no
// linearization exists, and ErrCheckerTimeout when the check gave up.
// secretsOnly leaves the config out of the model (to tell an I9 breach
// from an I6 one).
func Check(m model.Model, p model.Policy, s0 model.State, ops []porcupine.Operation, secretsOnly bool) (bool, []string, error) {
	pm := storeModel(m, p, s0, secretsOnly)
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
			DescribeOp(op.Input.(In), op.Output.(Out))))
	}
	return false, lines, nil
}
