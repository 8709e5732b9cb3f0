package model

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

// ConfigFlag is the config field that records a completed migration.
const ConfigFlag = "secret_scope_migration"

// Config is the config file (ToolHive's config.yaml) of a state: whether
// it exists, and its bytes. The model's content of the config is its
// document minus the flag (ParseConfig); the flag itself is
// State.Migrated. Text is kept whole (comments, anchors, order) so that a
// harness can seed the exact file; comparisons (Equal, Diff, I9) look at
// the parsed fields only. The zero value is "no config file".
type Config struct {
	Exists bool   `json:"exists"`
	Text   string `json:"text,omitempty"`
}

// ConfigDoc is a parsed config: every top-level field other than the
// flag, each rendered as canonical YAML of its decoded value (aliases and
// merge keys resolved, comments and layout dropped), and the flag.
type ConfigDoc struct {
	Exists bool
	// Blank: the file holds no YAML node at all (empty, or whitespace and
	// comments only).
	Blank  bool
	Fields map[string]string
	// HasFlag: the flag field is present; Flag is its value.
	HasFlag bool
	Flag    bool
}

// errConfig marks a config that does not parse.
var errConfig = errors.New("config does not parse")

// ParseConfig parses c: a YAML mapping (or an empty or null document)
// whose flag, when present once, is a boolean as ToolHive's decoder reads
// it. A missing file is an empty document. Pure: it reads only c.
func ParseConfig(c Config) (ConfigDoc, error) {
	d := ConfigDoc{Exists: c.Exists, Fields: map[string]string{}}
	if !c.Exists {
		d.Blank = true
		return d, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(c.Text), &doc); err != nil {
		return d, fmt.Errorf("%w: %v", errConfig, err)
	}
	if doc.Kind == 0 {
		d.Blank = true
		return d, nil
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return d, fmt.Errorf("%w: not one YAML document", errConfig)
	}
	root := doc.Content[0]
	if root.Kind == yaml.ScalarNode && root.ShortTag() == "!!null" {
		return d, nil
	}
	if root.Kind != yaml.MappingNode {
		return d, fmt.Errorf("%w: top level is not a mapping", errConfig)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		key, err := canonical(k)
		if err != nil {
			return d, err
		}
		if k.Kind == yaml.ScalarNode && k.Value == ConfigFlag {
			if d.HasFlag {
				return d, fmt.Errorf("%w: %s defined twice", errConfig, ConfigFlag)
			}
			if err := v.Decode(&d.Flag); err != nil {
				return d, fmt.Errorf("%w: %s is not a boolean (line %d)", errConfig, ConfigFlag, v.Line)
			}
			d.HasFlag = true
			continue
		}
		val, err := canonical(v)
		if err != nil {
			return d, err
		}
		if _, dup := d.Fields[key]; dup {
			return d, fmt.Errorf("%w: field %q defined twice", errConfig, key)
		}
		d.Fields[key] = val
	}
	return d, nil
}

// canonical renders a node's decoded value as YAML (so equal values, NaN
// included, compare equal whatever their layout, anchors or comments).
func canonical(n *yaml.Node) (string, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return "", fmt.Errorf("%w: line %d: %v", errConfig, n.Line, err)
	}
	b, err := yaml.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("%w: line %d: %v", errConfig, n.Line, err)
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// ConfigEqual reports whether a and b are the same config for the model:
// both absent, or both present with the same fields other than the flag
// (their flags are compared as State.Migrated). A config that does not
// parse equals only the same bytes.
func ConfigEqual(a, b Config) bool {
	if a == b {
		return true
	}
	if a.Exists != b.Exists {
		return false
	}
	da, erra := ParseConfig(a)
	db, errb := ParseConfig(b)
	if erra != nil || errb != nil {
		return false
	}
	return maps.Equal(da.Fields, db.Fields)
}

// configDiff describes how got's config differs from want's, by field
// name only (values are not printed).
func configDiff(want, got Config) []string {
	if ConfigEqual(want, got) {
		return nil
	}
	if want.Exists != got.Exists {
		return []string{fmt.Sprintf("config exists=%v, want %v", got.Exists, want.Exists)}
	}
	dw, errw := ParseConfig(want)
	dg, errg := ParseConfig(got)
	if errw != nil || errg != nil {
		return []string{fmt.Sprintf("config is %s, want %s", describeConfigErr(errg), describeConfigErr(errw))}
	}
	return fieldDiff(dw.Fields, dg.Fields)
}

func describeConfigErr(err error) string {
	if err != nil {
		return "unparsable"
	}
	return "valid"
}

func fieldDiff(want, got map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(unionKeys(want, got))) {
		w, wok := want[k]
		g, gok := got[k]
		switch {
		case wok && !gok:
			out = append(out, fmt.Sprintf("config field %q was lost", k))
		case !wok && gok:
			out = append(out, fmt.Sprintf("config field %q appeared", k))
		case w != g:
			out = append(out, fmt.Sprintf("config field %q changed value", k))
		}
	}
	return out
}

// CheckConfig (I9 config-preservation) checks the config after (a crash
// image, or the result of a run) against the config before it: it is
// absent only if before was absent; it parses, with a boolean flag if any;
// it is not blank unless before was blank too; and it holds exactly the
// fields of before other than the flag, each with the same value. An
// original that does not parse must be left byte for byte unchanged.
// Details name fields, never values.
func CheckConfig(before, after Config) []Violation {
	if before == after {
		return nil
	}
	db, berr := ParseConfig(before)
	if berr != nil {
		return []Violation{violation(I9, "an unparsable config was changed or removed")}
	}
	if !after.Exists {
		if before.Exists {
			return []Violation{violation(I9, "config.yaml was removed")}
		}
		return nil
	}
	da, aerr := ParseConfig(after)
	if aerr != nil {
		return []Violation{violation(I9, "config.yaml does not parse (truncated or torn): %v", aerr)}
	}
	if da.Blank && !db.Blank {
		return []Violation{violation(I9, "config.yaml is empty")}
	}
	if da.Blank && !before.Exists {
		return []Violation{violation(I9, "config.yaml was created empty")}
	}
	return CheckConfigDocs(db, da)
}

// CheckConfigDocs is CheckConfig's field comparison on parsed documents
// (for callers that cache ParseConfig): every field of before other than
// the flag is in after with the same value, and after has no other field.
func CheckConfigDocs(before, after ConfigDoc) []Violation {
	var out []Violation
	for _, d := range fieldDiff(before.Fields, after.Fields) {
		out = append(out, violation(I9, "%s", d))
	}
	return out
}

// CheckConfigBytes is CheckConfig over raw file contents (nil: the file
// does not exist), for drivers that read real files.
func CheckConfigBytes(before, after []byte) []Violation {
	return CheckConfig(configOf(before), configOf(after))
}

func configOf(b []byte) Config {
	if b == nil {
		return Config{}
	}
	return Config{Exists: true, Text: string(bytes.Clone(b))}
}
