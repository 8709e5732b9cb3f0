package main

import (
	"bytes"
	"context"
	"encoding"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/spf13/cobra"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/sysexplore"
	"github.com/scopemig/scopemig/internal/realsoak"
)

// jsonFieldsFile holds, per command, every field path of its --json
// output (its --report file for soak): "a.b", "a[].c" (an element of the
// array a), "m{}" (a map: its keys are data), with " ?" after a field that
// is omitted when empty. Fields are only ever added: TestJSONFieldSets
// fails when one is renamed or removed.
const jsonFieldsFile = "testdata/json-fields.txt"

// writeJSONFieldsEnv makes TestJSONFieldSets add new fields to
// jsonFieldsFile (it never removes one: a removed or renamed field still
// fails, and the line must be deleted by hand, with a reason).
const writeJSONFieldsEnv = "SCOPEMIG_WRITE_JSON_FIELDS"

// jsonCommands are the commands with a JSON output and the Go type each
// one encodes.
func jsonCommands() map[string]reflect.Type {
	return map[string]reflect.Type{
		"verify":         reflect.TypeFor[verifyOutput](),
		"soak":           reflect.TypeFor[soakOutput](),
		"explore":        reflect.TypeFor[harness.ExploreReport](),
		"explore --exec": reflect.TypeFor[sysexplore.Report](),
		"plan":           reflect.TypeFor[planReport](),
		"migrate":        reflect.TypeFor[migrateReport](),
		"legacy list":    reflect.TypeFor[legacyListReport](),
		"legacy restore": reflect.TypeFor[legacyRestoreReport](),
		"legacy drop":    reflect.TypeFor[legacyDropReport](),
		"bench":          reflect.TypeFor[benchOutput](),
	}
}

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
)

// jsonFields adds to out every field path encoding/json writes for a value
// of type t under prefix (value: optional, i.e. omitempty).
func jsonFields(t reflect.Type, prefix string, out map[string]bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t.Implements(jsonMarshaler) || t.Implements(textMarshaler) ||
		reflect.PointerTo(t).Implements(jsonMarshaler) || reflect.PointerTo(t).Implements(textMarshaler) {
		return // a leaf: encoded by its own method
	}
	switch t.Kind() {
	case reflect.Struct:
		structFields(t, prefix, out)
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return // []byte: a base64 string
		}
		out[prefix+"[]"] = out[prefix+"[]"] || false
		jsonFields(t.Elem(), prefix+"[]", out)
	case reflect.Map:
		out[prefix+"{}"] = out[prefix+"{}"] || false
		jsonFields(t.Elem(), prefix+"{}", out)
	}
}

// structFields adds the fields of struct t, flattening embedded structs
// without a JSON name as encoding/json does.
func structFields(t reflect.Type, prefix string, out map[string]bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			structFields(ft, prefix, out)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		out[path] = slices.Contains(strings.Split(opts, ","), "omitempty")
		jsonFields(f.Type, path, out)
	}
}

// fieldLines renders a field set as the lines of jsonFieldsFile.
func fieldLines(fields map[string]bool) []string {
	var lines []string
	for p, optional := range fields {
		if optional {
			p += " ?"
		}
		lines = append(lines, p)
	}
	sort.Strings(lines)
	return lines
}

// readJSONFields parses jsonFieldsFile: "## command" then one field per line.
func readJSONFields(t *testing.T) map[string]map[string]bool {
	t.Helper()
	b, err := os.ReadFile(jsonFieldsFile)
	require.NoError(t, err)
	out := map[string]map[string]bool{}
	var cur map[string]bool
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			cur = map[string]bool{}
			out[strings.TrimPrefix(line, "## ")] = cur
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			require.NotNil(t, cur, "%s: a field before the first ## command", jsonFieldsFile)
			p, optional := strings.CutSuffix(line, " ?")
			cur[p] = optional
		}
	}
	return out
}

func renderJSONFields(sets map[string]map[string]bool) string {
	var b strings.Builder
	b.WriteString("# JSON field paths of every command's --json output (soak: its --report file),\n" +
		"# held by TestJSONFieldSets (cmd/scopemig/jsonfields_test.go). \"a[].b\": field b of each\n" +
		"# element of array a; \"m{}\": a map whose keys are data; \" ?\": omitted when empty.\n" +
		"# Fields are only ever added; a renamed or removed field fails the test.\n")
	names := make([]string, 0, len(sets))
	for n := range sets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "\n## %s\n", n)
		for _, l := range fieldLines(sets[n]) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}

// TestJSONFieldSets: the JSON field set of every command, computed from the
// type it encodes, is exactly the one held in testdata/json-fields.txt: a
// field renamed, removed, or turned from always-present into omitempty
// fails; a new field fails until it is added to the file (run with
// SCOPEMIG_WRITE_JSON_FIELDS=1, which adds and never removes).
func TestJSONFieldSets(t *testing.T) {
	held := readJSONFields(t)
	got := map[string]map[string]bool{}
	for cmd, typ := range jsonCommands() {
		got[cmd] = map[string]bool{}
		jsonFields(typ, "", got[cmd])
	}
	for cmd, want := range held {
		have, ok := got[cmd]
		require.True(t, ok, "%s: command %q has no JSON output any more", jsonFieldsFile, cmd)
		for p, optional := range want {
			hopt, ok := have[p]
			require.True(t, ok, "%s --json: field %q was removed or renamed (fields are only ever added)", cmd, p)
			require.False(t, hopt && !optional, "%s --json: field %q became omitempty (scripts reading it would find it missing)", cmd, p)
		}
	}
	if os.Getenv(writeJSONFieldsEnv) != "" {
		require.NoError(t, os.WriteFile(jsonFieldsFile, []byte(renderJSONFields(got)), 0o644))
		return
	}
	for cmd, have := range got {
		require.Equal(t, fieldLines(held[cmd]), fieldLines(have),
			"%s --json: new fields must be added to %s (run with %s=1)", cmd, jsonFieldsFile, writeJSONFieldsEnv)
	}
}

// outputPaths adds to out the field paths present in a decoded JSON value,
// reading a map field (held has "p{}") with data keys as "p{}"; an array
// path "p[]" is present when the array has an element.
func outputPaths(v any, prefix string, held map[string]bool, out map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if _, isMap := held[prefix+"{}"]; isMap {
			out[prefix+"{}"] = true
			for _, e := range x {
				outputPaths(e, prefix+"{}", held, out)
			}
			return
		}
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = true
			outputPaths(e, p, held, out)
		}
	case []any:
		if len(x) > 0 {
			out[prefix+"[]"] = true
		}
		for _, e := range x {
			outputPaths(e, prefix+"[]", held, out)
		}
	}
}

// parentPath is the path of the object or array element that holds p.
func parentPath(p string) string {
	i := strings.LastIndex(p, ".")
	if i < 0 {
		if strings.HasSuffix(p, "[]") || strings.HasSuffix(p, "{}") {
			return p[:len(p)-2]
		}
		return ""
	}
	return p[:i]
}

// checkOutputFields checks a real command's JSON output against the held
// field set: every field it prints is held (the command prints the type the
// set was computed from), and every held field that is not omitempty is
// printed wherever its parent is.
func checkOutputFields(t *testing.T, command string, out []byte) {
	t.Helper()
	held := readJSONFields(t)[command]
	require.NotEmpty(t, held, "%s: no field set for %q", jsonFieldsFile, command)
	var doc any
	require.NoError(t, json.Unmarshal(out, &doc), "%s: %s", command, out)
	present := map[string]bool{"": true}
	outputPaths(doc, "", held, present)
	for p := range present {
		if p == "" {
			continue
		}
		_, ok := held[p]
		require.True(t, ok, "%s --json prints %q, which %s does not hold", command, p, jsonFieldsFile)
	}
	for p, optional := range held {
		if optional || strings.HasSuffix(p, "[]") || strings.HasSuffix(p, "{}") || !present[parentPath(p)] {
			continue
		}
		require.True(t, present[p], "%s --json does not print %q", command, p)
	}
}

// TestJSONOutputsHoldTheirFields runs every command with a JSON output
// (bench aside: it runs for minutes; its type is held above; explore --exec
// in TestExploreExecJSONHoldsItsFields, Linux only) and checks
// what it prints against its held field set: every printed field is held,
// every held field that is not omitempty is printed. So a command that
// starts printing another type, or drops a field by hand, fails too.
func TestJSONOutputsHoldTheirFields(t *testing.T) {
	osfs := afero.NewOsFs()
	dir := install(t, osfs, t.TempDir())
	env := testEnv(osfs, pwEnv())
	store := filepath.Join(dir, "secrets_encrypted")
	withConfig := []string{"--secrets-file", store, "--config", filepath.Join(dir, "config.yaml"), "--json"}
	jsonOut := func(newCmd func(cliEnv) *cobra.Command, args ...string) []byte {
		t.Helper()
		out, errOut, code := run(t, newCmd, env, args...)
		require.Equal(t, 0, code, errOut)
		return []byte(out)
	}
	checkOutputFields(t, "plan", jsonOut(newPlanCmdEnv, withConfig...))
	checkOutputFields(t, "migrate", jsonOut(newMigrateCmdEnv, withConfig...))
	const q = "__thv_legacy_BEARER_TOKEN_conflict"
	checkOutputFields(t, "legacy list", jsonOut(newLegacyCmdEnv, "list", "--secrets-file", store, "--json"))
	checkOutputFields(t, "legacy restore", jsonOut(newLegacyCmdEnv, "restore", q, "--secrets-file", store, "--json"))
	checkOutputFields(t, "legacy drop", jsonOut(newLegacyCmdEnv, "drop", q+"#2", "--secrets-file", store, "--json"))

	root := func(args ...string) []byte {
		t.Helper()
		cmd := newRoot()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(args)
		require.NoError(t, cmd.ExecuteContext(context.Background()))
		return out.Bytes()
	}
	checkOutputFields(t, "explore", root("explore", "--keys", "3", "--mode", "torn", "--depth", "1", "--json"))
	checkOutputFields(t, "verify", root("verify", "--json", "--target", "encfile", "--no-mutants", "--checks", "5"))

	sdir := t.TempDir()
	var sout, serr bytes.Buffer
	require.NoError(t, runSoak(context.Background(), &sout, &serr, soakArgs(sdir), realsoak.Config{}))
	report, err := os.ReadFile(filepath.Join(sdir, "r.json"))
	require.NoError(t, err)
	checkOutputFields(t, "soak", report)
}
