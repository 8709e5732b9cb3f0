package harness

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// exportedAPI is the whole exported surface of package harness: what a
// provider author needs (docs/harness.md, "The API"). Methods and fields
// are not listed. A name added to or removed from the package fails
// TestExportedAPI until this list, and the docs, say so.
func exportedAPI() []string {
	return []string{
		// a target
		"ExecTarget", "IsMigrated", "MarkMigrated", "Migrator", "Policy", "Target", "Targets",
		// verifying
		"Config", "Inconclusive", "Phase", "Report", "Run", "Verify", "Violation",
		// the soak
		"Artifact", "Replay", "Soak", "SoakConfig", "SoakReport",
		// the explorer
		"Explore", "ExploreConfig", "ExploreReport", "ModeReport",
		// errors
		"ErrBadConfig", "ErrBadTarget", "ErrRapidFlag",
	}
}

// The package exports exactly exportedAPI (top-level constants, variables,
// functions and types of its non-test files, every build).
func TestExportedAPI(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	fset := token.NewFileSet()
	var got []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					got = append(got, d.Name.Name)
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if s.Name.IsExported() {
							got = append(got, s.Name.Name)
						}
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								got = append(got, n.Name)
							}
						}
					}
				}
			}
		}
	}
	slices.Sort(got)
	want := slices.Sorted(slices.Values(exportedAPI()))
	require.Equal(t, want, got, "harness's exported names changed: update exportedAPI and docs/harness.md (\"The API\")")
	require.LessOrEqual(t, len(got), 26, "the agreed ceiling: about 25 names")
}
