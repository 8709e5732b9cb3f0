package linearize

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/thconfig"
	"github.com/scopemig/scopemig/model"
)

// EncodeState renders a state for the porcupine model (the flag, the
// config's text form, then the keys sorted). Two encodings are the same
// state when sameState says so: configs compare by their parsed fields
// (configKey), not their text.
func EncodeState(s model.State) string {
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
	for _, k := range slices.Sorted(maps.Keys(fields)) {
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

// DescribeState renders an encoded state with fingerprints instead of values
// (config fields by name).
func DescribeState(enc string) string {
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
		for _, k := range slices.Sorted(maps.Keys(f)) {
			names = append(names, k+"="+secrets.Fingerprint(f[k]))
		}
		cfg = "config {" + strings.Join(names, " ") + "}"
	}
	return fmt.Sprintf("{%s} migrated=%v %s", strings.Join(parts, " "), s.Migrated, cfg)
}
