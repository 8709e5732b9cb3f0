package harness

import (
	"errors"
	"fmt"
	"maps"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/thconfig"
	"github.com/scopemig/scopemig/model"
)

// histKind is the kind of a recorded operation.
type histKind uint8

const (
	hGet       histKind = iota // GetSecret(Key)
	hSet                       // SetSecret(Key, Value)
	hDelete                    // DeleteSecret(Key)
	hMigrate                   // a whole migration (every attempt, restarts included) as one operation
	hDump                      // the final read of the whole store, flag and config
	hConfigSet                 // ToolHive's UpdateConfigAtPath setting config field Key to Value
)

var histKindNames = [...]string{hGet: "get", hSet: "set", hDelete: "delete", hMigrate: "migrate", hDump: "dump", hConfigSet: "config-set"}

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

// encodeState renders a state for the porcupine model (the flag, the
// config's text form, then the keys sorted). Two encodings are the same
// state when sameState says so: configs compare by their parsed fields
// (configKey), not their text.
func encodeState(s model.State) string {
	return encodeWith(s.Migrated, configText(s.Config), s.Secrets)
}

// encodeWith encodes a flag, a config text form (configText) and secrets.
func encodeWith(migrated bool, cfg string, secrets map[string]string) string {
	s := model.State{Secrets: secrets}
	var b strings.Builder
	if migrated {
		b.WriteString("M")
	} else {
		b.WriteString("-")
	}
	b.WriteString(cfg)
	for _, k := range s.Keys() {
		b.WriteString("\x00")
		b.WriteString(k)
		b.WriteString("\x01")
		b.WriteString(s.Secrets[k])
	}
	return b.String()
}

// decodeState decodes enc: the state (without its config) and the
// config's text form.
func decodeState(enc string) (model.State, string) {
	parts := strings.Split(enc, "\x00")
	s := model.State{Secrets: make(map[string]string, len(parts)-1), Migrated: parts[0][0] == 'M'}
	for _, kv := range parts[1:] {
		k, v, _ := strings.Cut(kv, "\x01")
		s.Secrets[k] = v
	}
	return s, parts[0][1:]
}

// configText is the config's text form in an encoded state: "" when
// absent, else "=" and the quoted file content (no NUL can reach the
// encoding's separators). The model keeps the text, not just the fields,
// because ToolHive's config writer rewrites the whole document from it
// (toolhiveSetText).
func configText(c model.Config) string {
	if !c.Exists {
		return ""
	}
	return "=" + strconv.Quote(c.Text)
}

// textConfig decodes configText.
func textConfig(ct string) model.Config {
	q, ok := strings.CutPrefix(ct, "=")
	if !ok {
		return model.Config{}
	}
	text, err := strconv.Unquote(q)
	if err != nil {
		return model.Config{Exists: true, Text: q}
	}
	return model.Config{Exists: true, Text: text}
}

// configKey is the canonical form of a config text form (configText):
// "" when absent; "!" when it does not parse (no model state has it);
// else "=" and its fields other than the flag (model.ParseConfig), sorted,
// each "\x02<field>\x03<canonical value>". Equal keys are equal configs.
func configKey(ct string) string {
	c := textConfig(ct)
	if !c.Exists {
		return ""
	}
	d, err := model.ParseConfig(c)
	if err != nil {
		return "!"
	}
	return fieldsKey(d.Fields)
}

func fieldsKey(fields map[string]string) string {
	var b strings.Builder
	b.WriteString("=")
	for _, k := range sortedKeys(fields) {
		b.WriteString("\x02")
		b.WriteString(k)
		b.WriteString("\x03")
		b.WriteString(fields[k])
	}
	return b.String()
}

// keyFields decodes fieldsKey (an absent config has no fields).
func keyFields(key string) map[string]string {
	out := map[string]string{}
	for _, kv := range strings.Split(strings.TrimPrefix(key, "="), "\x02")[1:] {
		k, v, _ := strings.Cut(kv, "\x03")
		out[k] = v
	}
	return out
}

// cfgMemo memoizes the config computations of one model (the checker
// repeats them for every candidate linearization). Safe for concurrent use.
type cfgMemo struct {
	mu   sync.Mutex // guards keys and sets
	keys map[string]string
	sets map[[3]string]setResult
}

type setResult struct {
	ct string
	ok bool
}

func newCfgMemo() *cfgMemo {
	return &cfgMemo{keys: map[string]string{}, sets: map[[3]string]setResult{}}
}

// key is configKey(ct), memoized.
func (m *cfgMemo) key(ct string) string {
	m.mu.Lock()
	k, ok := m.keys[ct]
	m.mu.Unlock()
	if !ok {
		k = configKey(ct)
		m.mu.Lock()
		m.keys[ct] = k
		m.mu.Unlock()
	}
	return k
}

// sameState reports whether two encoded states are the same state: the
// same flag and secrets, and configs with the same configKey.
func (m *cfgMemo) sameState(a, b string) bool {
	if a == b {
		return true
	}
	sa, ca := decodeState(a)
	sb, cb := decodeState(b)
	return sa.Migrated == sb.Migrated && maps.Equal(sa.Secrets, sb.Secrets) && m.key(ca) == m.key(cb)
}

// toolhiveSet is the config text form after ToolHive's config writer
// (thconfig.Rewrite: ToolHive's own decode and encode of the document)
// sets field to value; ok is false when ToolHive's loader rejects the
// config (it then writes nothing). Memoized.
func (m *cfgMemo) toolhiveSet(ct, field, value string) (string, bool) {
	in := [3]string{ct, field, value}
	m.mu.Lock()
	r, hit := m.sets[in]
	m.mu.Unlock()
	if hit {
		return r.ct, r.ok
	}
	r = setResult{ct: ct}
	c := textConfig(ct)
	if out, err := thconfig.Rewrite(c.Exists, []byte(c.Text), thconfig.SetString(field, value)); err == nil {
		r = setResult{ct: configText(model.Config{Exists: true, Text: string(out)}), ok: true}
	}
	m.mu.Lock()
	m.sets[in] = r
	m.mu.Unlock()
	return r.ct, r.ok
}

// describeEnc renders an encoded state with fingerprints instead of values
// (config fields by name).
func describeEnc(enc string) string {
	s, ck := decodeState(enc)
	keys := s.Keys()
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + secrets.Fingerprint(s.Secrets[k])
	}
	cfg := "config absent"
	switch {
	case configKey(ck) == "!":
		cfg = "config unparsable"
	case ck != "":
		f := keyFields(configKey(ck))
		names := make([]string, 0, len(f))
		for _, k := range sortedKeys(f) {
			names = append(names, k+"="+secrets.Fingerprint(f[k]))
		}
		cfg = "config {" + strings.Join(names, " ") + "}"
	}
	return fmt.Sprintf("{%s} migrated=%v %s", strings.Join(parts, " "), s.Migrated, cfg)
}

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
func storeModel(m model.Model, p Policy, s0 model.State, secretsOnly bool) porcupine.Model {
	init := encodeState(s0)
	memo := newCfgMemo()
	nm := &porcupine.NondeterministicModel{
		Init: func() []any { return []any{init} },
		Step: func(state, input, output any) []any {
			return stepStore(m, p, memo, state.(string), input.(histIn), output.(histOut), secretsOnly)
		},
		DescribeOperation: func(input, output any) string {
			return describeOp(input.(histIn), output.(histOut))
		},
		DescribeState: func(state any) string { return describeEnc(state.(string)) },
	}
	return nm.ToModel()
}

func stepStore(m model.Model, p Policy, memo *cfgMemo, enc string, in histIn, out histOut, secretsOnly bool) []any {
	s, ck := decodeState(enc)
	encode := func(n model.State) string { return encodeWith(n.Migrated, ck, n.Secrets) }
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
		return maybe(out.Unknown, enc, encode(n))
	case hDelete:
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
	case hMigrate:
		if s.Migrated {
			return []any{enc}
		}
		n := m.Migrate(s, p)
		if ck == "" { // the flag writer creates the config
			ck = configText(model.Config{Exists: true})
		}
		return maybe(out.Unknown, enc, encode(n))
	case hConfigSet:
		next, ok := memo.toolhiveSet(ck, in.Key, in.Value)
		if !ok {
			return []any{enc}
		}
		ck = next
		return maybe(out.Unknown, enc, encode(s))
	case hDump:
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
	case hConfigSet:
		return fmt.Sprintf("config-set(%s, %s) -> %s", in.Key, secrets.Fingerprint(in.Value), res)
	}
	return fmt.Sprintf("%s -> %s", in.Kind, res)
}

// errCheckerTimeout reports a linearizability check that gave up: the
// case is inconclusive, neither passed nor failed.
var errCheckerTimeout = errors.New("linearizability check timed out")

// checkHistory checks ops, starting from s0, for linearizability. It
// returns false with a description of the history (in call order) when no
// linearization exists, and errCheckerTimeout when the check gave up.
// secretsOnly leaves the config out of the model (to tell an I9 breach
// from an I6 one).
func checkHistory(m model.Model, p Policy, s0 model.State, ops []porcupine.Operation, secretsOnly bool) (bool, []string, error) {
	pm := storeModel(m, p, s0, secretsOnly)
	switch porcupine.CheckOperationsTimeout(pm, ops, 5*time.Second) {
	case porcupine.Ok:
		return true, nil, nil
	case porcupine.Unknown:
		return false, nil, fmt.Errorf("%w after 5s (%d operations)", errCheckerTimeout, len(ops))
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
