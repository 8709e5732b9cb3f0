package interop

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	simconfig "github.com/scopemig/scopemig/internal/thconfig"
)

// TestThconfigMirrorsToolHiveConfig is the drift check of issue 21.3: the
// harness's simulated ToolHive config writer (internal/thconfig) decodes
// and encodes through a mirror of ToolHive v0.47.0's Config struct, and
// this test compares the mirror with the real struct by reflection, all
// the way down: the exported fields in order, their yaml names and
// options (omitempty, …), their shapes (kind, pointer, slice, map key and
// element), struct-valued fields recursively, and every type outside
// ToolHive (time.Time) by identity. A type with its own YAML behaviour
// (yaml.Marshaler, yaml.Unmarshaler, IsZero) must have it on both sides.
// A field ToolHive adds, drops, renames, retypes or retags fails it.
func TestThconfigMirrorsToolHiveConfig(t *testing.T) {
	diffs := mirrorDiffs(reflect.TypeFor[thconfig.Config](), reflect.TypeFor[simconfig.Config](), "Config")
	require.Empty(t, diffs, "internal/thconfig no longer mirrors ToolHive's Config:\n%s", strings.Join(diffs, "\n"))
}

// TestThconfigDriftCheckCatches shows the drift check failing on mirrors
// that differ from ToolHive's struct in each way it compares.
func TestThconfigDriftCheckCatches(t *testing.T) {
	type realish struct {
		A string            `yaml:"a"`
		B bool              `yaml:"b,omitempty"`
		C map[string]string `yaml:"c,omitempty"`
		D *struct {
			E []int `yaml:"e"`
		} `yaml:"d"`
	}
	same := struct {
		A string            `yaml:"a"`
		B bool              `yaml:"b,omitempty"`
		C map[string]string `yaml:"c,omitempty"`
		D *struct {
			E []int `yaml:"e"`
		} `yaml:"d"`
	}{}
	require.Empty(t, mirrorDiffs(reflect.TypeFor[realish](), reflect.TypeOf(same), "T"))
	for name, mirror := range map[string]any{
		"field dropped (an unknown-to-us field would be dropped)": struct {
			A string            `yaml:"a"`
			B bool              `yaml:"b,omitempty"`
			C map[string]string `yaml:"c,omitempty"`
		}{},
		"omitempty lost": struct {
			A string            `yaml:"a"`
			B bool              `yaml:"b"`
			C map[string]string `yaml:"c,omitempty"`
			D *struct {
				E []int `yaml:"e"`
			} `yaml:"d"`
		}{},
		"renamed": struct {
			A string            `yaml:"a"`
			B bool              `yaml:"bee,omitempty"`
			C map[string]string `yaml:"c,omitempty"`
			D *struct {
				E []int `yaml:"e"`
			} `yaml:"d"`
		}{},
		"nested element retyped": struct {
			A string            `yaml:"a"`
			B bool              `yaml:"b,omitempty"`
			C map[string]string `yaml:"c,omitempty"`
			D *struct {
				E []string `yaml:"e"`
			} `yaml:"d"`
		}{},
		"map value retyped": struct {
			A string         `yaml:"a"`
			B bool           `yaml:"b,omitempty"`
			C map[string]int `yaml:"c,omitempty"`
			D *struct {
				E []int `yaml:"e"`
			} `yaml:"d"`
		}{},
		"order changed": struct {
			B bool              `yaml:"b,omitempty"`
			A string            `yaml:"a"`
			C map[string]string `yaml:"c,omitempty"`
			D *struct {
				E []int `yaml:"e"`
			} `yaml:"d"`
		}{},
	} {
		require.NotEmpty(t, mirrorDiffs(reflect.TypeFor[realish](), reflect.TypeOf(mirror), "T"), name)
	}
	// A real field added after the mirror was written.
	mirrorOfOld := struct {
		A string `yaml:"a"`
	}{}
	newer := struct {
		A string `yaml:"a"`
		Z string `yaml:"z,omitempty"`
	}{}
	require.NotEmpty(t, mirrorDiffs(reflect.TypeOf(newer), reflect.TypeOf(mirrorOfOld), "T"))
}

// yamlOwnedMarker names this package: its types (the check's own tests)
// are compared field by field like ToolHive's.
type yamlOwnedMarker struct{}

var (
	yamlMarshaler   = reflect.TypeFor[yaml.Marshaler]()
	yamlUnmarshaler = reflect.TypeFor[yaml.Unmarshaler]()
	yamlIsZeroer    = reflect.TypeFor[yaml.IsZeroer]()
)

// mirrorDiffs lists how mirror differs from real as YAML sees it, each
// line naming the path of the field.
func mirrorDiffs(real, mirror reflect.Type, at string) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, at+": "+fmt.Sprintf(format, args...)) }
	for _, iface := range []reflect.Type{yamlMarshaler, yamlUnmarshaler, yamlIsZeroer} {
		r := real.Implements(iface) || reflect.PointerTo(real).Implements(iface)
		m := mirror.Implements(iface) || reflect.PointerTo(mirror).Implements(iface)
		if r != m {
			add("implements %s: ToolHive %v, mirror %v", iface, r, m)
		}
	}
	if real.Kind() != mirror.Kind() {
		add("kind: ToolHive %s, mirror %s", real.Kind(), mirror.Kind())
		return out
	}
	if p := real.PkgPath(); p != "" && !strings.HasPrefix(p, "github.com/stacklok/") && p != reflect.TypeFor[yamlOwnedMarker]().PkgPath() {
		if real != mirror { // a library type (time.Time): the very same type
			add("type: ToolHive %s, mirror %s", real, mirror)
		}
		return out
	}
	switch real.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array:
		out = append(out, mirrorDiffs(real.Elem(), mirror.Elem(), at+"[]")...)
	case reflect.Map:
		out = append(out, mirrorDiffs(real.Key(), mirror.Key(), at+"{key}")...)
		out = append(out, mirrorDiffs(real.Elem(), mirror.Elem(), at+"{}")...)
	case reflect.Struct:
		rf, mf := yamlFields(real), yamlFields(mirror)
		for i := range max(len(rf), len(mf)) {
			switch {
			case i >= len(rf):
				add("mirror has extra field %s `yaml:%q`", mf[i].Name, mf[i].Tag.Get("yaml"))
			case i >= len(mf):
				add("mirror lacks field %s `yaml:%q`", rf[i].Name, rf[i].Tag.Get("yaml"))
			case rf[i].Name != mf[i].Name || rf[i].Tag.Get("yaml") != mf[i].Tag.Get("yaml") || rf[i].Anonymous != mf[i].Anonymous:
				add("field %d: ToolHive %s `yaml:%q`, mirror %s `yaml:%q`", i, rf[i].Name, rf[i].Tag.Get("yaml"), mf[i].Name, mf[i].Tag.Get("yaml"))
			default:
				out = append(out, mirrorDiffs(rf[i].Type, mf[i].Type, at+"."+rf[i].Name)...)
			}
		}
	}
	return out
}

// yamlFields are the fields yaml.v3 sees: the exported ones not tagged "-".
func yamlFields(t reflect.Type) []reflect.StructField {
	var out []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() || f.Tag.Get("yaml") == "-" {
			continue
		}
		out = append(out, f)
	}
	return out
}
