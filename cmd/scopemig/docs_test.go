package main

// Docs that cannot drift: every Go snippet in README.md and docs/*.md is
// compiled (TestDocGoSnippetsCompile), and every shell command in them is
// checked (TestDocCommands, docs_cmds_test.go).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/harness/mutants"
)

// repoRoot is the module root, seen from this package's directory.
const repoRoot = "../.."

// docBlock is one fenced block of a Markdown file.
type docBlock struct {
	file string // relative to repoRoot
	line int    // of the opening fence
	lang string
	text string
}

// docFiles returns README.md and every docs/*.md, relative to repoRoot.
func docFiles(t *testing.T) []string {
	t.Helper()
	docs, err := filepath.Glob(filepath.Join(repoRoot, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, docs)
	files := []string{"README.md"}
	for _, d := range docs {
		rel, err := filepath.Rel(repoRoot, d)
		require.NoError(t, err)
		files = append(files, rel)
	}
	return files
}

// readDoc returns the lines of one doc file.
func readDoc(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, file))
	require.NoError(t, err)
	return strings.Split(string(b), "\n")
}

// fencedBlocks returns the fenced (```) blocks of file.
func fencedBlocks(t *testing.T, file string) []docBlock {
	t.Helper()
	var (
		out []docBlock
		cur *docBlock
		buf []string
	)
	for i, l := range readDoc(t, file) {
		if !strings.HasPrefix(l, "```") {
			if cur != nil {
				buf = append(buf, l)
			}
			continue
		}
		if cur == nil {
			cur = &docBlock{file: file, line: i + 1, lang: strings.TrimSpace(strings.TrimPrefix(l, "```"))}
			buf = nil
			continue
		}
		cur.text = strings.Join(buf, "\n")
		out = append(out, *cur)
		cur = nil
	}
	require.Nil(t, cur, "%s: unclosed fence", file)
	return out
}

// snippetImports maps the package names a doc snippet may use to their
// import paths; mystore is the stand-in for the reader's own store.
var snippetImports = map[string]string{
	"afero":    "github.com/spf13/afero",
	"config":   "github.com/scopemig/scopemig/impl/config",
	"context":  "context",
	"dirstore": "github.com/scopemig/scopemig/impl/dirstore",
	"encfile":  "github.com/scopemig/scopemig/impl/encfile",
	"errors":   "errors",
	"json":     "encoding/json",
	"faults":   "github.com/scopemig/scopemig/faults",
	"filepath": "path/filepath",
	"fmt":      "fmt",
	"harness":  "github.com/scopemig/scopemig/harness",
	"migrate":  "github.com/scopemig/scopemig/impl/migrate",
	"model":    "github.com/scopemig/scopemig/model",
	"mutants":  "github.com/scopemig/scopemig/harness/mutants",
	"os":       "os",
	"secrets":  "github.com/scopemig/scopemig/impl/secrets",
	"syscall":  "syscall",
	"testing":  "testing",
	"time":     "time",
}

// mystoreStub stands for the reader's own store package in the snippets:
// its Open takes whatever arguments the snippet passes.
const mystoreStub = `package mystore

import (
	"errors"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Open is the reader's store constructor.
func Open(...any) (secrets.Provider, error) { return nil, errors.New("your store here") }
`

var topLevelDecl = regexp.MustCompile(`^(func|type|var|const) `)

// snippetSource turns the doc snippet b into a Go file of package pkg:
// top-level declarations stay as they are; statements go into a function
// that has a *testing.T t and a context.Context ctx in scope. Imports are
// the snippetImports the snippet names. A //line directive makes the
// compiler report positions in the doc itself.
func snippetSource(pkg string, b docBlock, mystorePath string) string {
	abs, _ := filepath.Abs(filepath.Join(repoRoot, b.file))
	snippet := fmt.Sprintf("//line %s:%d\n%s", abs, b.line+1, b.text)
	body, code := snippet, b.text // code: what names the imports (not the //line path)
	if !topLevelDecl.MatchString(strings.TrimSpace(b.text)) {
		const wrap = "func snippet(t *testing.T, ctx context.Context) {\n"
		body, code = wrap+snippet+"\n}", wrap+b.text
	}
	var imports []string
	for name, path := range snippetImports {
		if regexp.MustCompile(`\b` + name + `\.`).MatchString(code) {
			imports = append(imports, fmt.Sprintf("\t%q", path))
		}
	}
	if strings.Contains(body, "mystore.") {
		imports = append(imports, fmt.Sprintf("\t%q", mystorePath))
	}
	return fmt.Sprintf("package %s\n\nimport (\n%s\n)\n\n%s\n", pkg, strings.Join(imports, "\n"), body)
}

// Every ```go block of the docs compiles, with the imports it names and
// mystore standing for the reader's own store. A snippet that stops
// compiling after an API change fails here, naming the doc and line.
func TestDocGoSnippetsCompile(t *testing.T) {
	var snippets []docBlock
	for _, f := range docFiles(t) {
		for _, b := range fencedBlocks(t, f) {
			if b.lang == "go" {
				snippets = append(snippets, b)
			}
		}
	}
	require.NotEmpty(t, snippets, "the docs show Go code")

	// The packages go under testdata (which ./... skips) inside this
	// module, so that they build against it.
	require.NoError(t, os.MkdirAll("testdata", 0o755))
	dir, err := os.MkdirTemp("testdata", "docsnippets-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	const mod = "github.com/scopemig/scopemig/cmd/scopemig/"
	mystorePath := mod + filepath.ToSlash(filepath.Join(dir, "mystore"))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "mystore"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mystore", "mystore.go"), []byte(mystoreStub), 0o644))

	pkgs := []string{"./" + filepath.ToSlash(filepath.Join(dir, "mystore"))}
	for i, b := range snippets {
		pkg := fmt.Sprintf("snippet%d", i)
		src := snippetSource(pkg, b, mystorePath)
		require.NoError(t, os.Mkdir(filepath.Join(dir, pkg), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, pkg, "snippet.go"), []byte(src), 0o644))
		pkgs = append(pkgs, "./"+filepath.ToSlash(filepath.Join(dir, pkg)))
	}
	// go vet compiles each package (and reports what vet finds).
	out, err := exec.Command("go", append([]string{"vet"}, pkgs...)...).CombinedOutput()
	require.NoError(t, err, "a Go snippet in the docs does not compile (positions are in the docs):\n%s", out)
}

// docs/harness.md names every field of harness.Target and harness.Config
// (as `Field`): a field added to either is documented, or this fails.
func TestDocHarnessFields(t *testing.T) {
	doc := strings.Join(readDoc(t, "docs/harness.md"), "\n")
	for _, typ := range []reflect.Type{reflect.TypeFor[harness.Target](), reflect.TypeFor[harness.Config]()} {
		for f := range typ.Fields() {
			if f.IsExported() && !strings.Contains(doc, "`"+f.Name+"`") {
				t.Errorf("docs/harness.md does not mention %s.%s", typ.Name(), f.Name)
			}
		}
	}
}

// mutantIDs are the invariant ids in a cell of the mutant table.
var mutantIDs = regexp.MustCompile(`\bI[0-9]+\b`)

// docs/harness.md's mutant table lists exactly mutants.Suite(), in its
// order: each mutant's name, a flaw, and in "caught by" exactly the ids it
// is expected to be caught with (Mutant.Expect). A mutant added, renamed,
// removed or given other ids fails here until the table says so.
func TestDocMutantTable(t *testing.T) {
	lines := readDoc(t, "docs/harness.md")
	const header = "| mutant | flaw | caught by |"
	start := slices.Index(lines, header)
	require.NotEqual(t, -1, start, "docs/harness.md: no mutant table (%q)", header)
	var names []string
	ids := map[string][]string{}
	for i := start + 2; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
		cells := strings.Split(strings.Trim(lines[i], "|"), " | ")
		require.Len(t, cells, 3, "docs/harness.md:%d: a mutant row has three cells", i+1)
		name := strings.TrimSpace(cells[0])
		require.NotEmpty(t, strings.TrimSpace(cells[1]), "docs/harness.md:%d: %s has no flaw", i+1, name)
		got := slices.Compact(slices.Sorted(slices.Values(mutantIDs.FindAllString(cells[2], -1))))
		names, ids[name] = append(names, name), got
	}
	var want []string
	for _, m := range mutants.Suite() {
		want = append(want, m.Name)
		var expect []string
		for _, id := range m.Expect {
			expect = append(expect, string(id))
		}
		if got, ok := ids[m.Name]; ok {
			require.Equal(t, slices.Sorted(slices.Values(expect)), got, "docs/harness.md: the ids in %s's caught-by cell are not its Expect", m.Name)
		}
	}
	require.Equal(t, want, names, "docs/harness.md: the mutant table's rows are not mutants.Suite()")
}
