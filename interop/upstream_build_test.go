package interop

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// upstreamDir holds the patch series for ToolHive v0.47.0
// (docs/upstream.md).
const upstreamDir = "upstream"

// thvBuild is cmd/thvdriver and cmd/thvwriter built against one ToolHive
// source: v0.47.0 as released, or a copy with patches applied.
type thvBuild struct {
	Name    string   // "v0.47.0", "patched" or "without 000N"
	Patches []string // applied, in order
	Driver  string
	Writer  string
}

// upstreamPatches returns the series' file names in apply order.
func upstreamPatches(t testing.TB) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(upstreamDir, "[0-9][0-9][0-9][0-9]-*.patch"))
	require.NoError(t, err)
	require.NotEmpty(t, m, "no patches in %s", upstreamDir)
	slices.Sort(m)
	return m
}

// buildThv builds the drivers against ToolHive v0.47.0 with patches
// applied (none: the module as released, the build of go.mod). A patch
// that does not apply cleanly (no fuzz) fails the test.
func buildThv(t testing.TB, name string, patches []string) thvBuild {
	t.Helper()
	b := thvBuild{Name: name, Patches: patches}
	out := t.TempDir()
	b.Driver, b.Writer = filepath.Join(out, "thvdriver"), filepath.Join(out, "thvwriter")
	args := []string{"build", "-o", out + "/"}
	if len(patches) > 0 {
		args = append(args, "-modfile="+patchedModule(t, patches))
	}
	cmd := exec.Command("go", append(args, "./cmd/thvdriver", "./cmd/thvwriter")...)
	o, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build (%s): %s", name, o)
	return b
}

// patchedModule copies ToolHive v0.47.0's module source to a temporary
// directory, applies patches with patch -p1 in order, and returns an
// alternate go.mod (with its go.sum beside it) that replaces ToolHive by
// that copy. Nothing is downloaded: the dependencies are v0.47.0's.
func patchedModule(t testing.TB, patches []string) string {
	t.Helper()
	o, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/stacklok/toolhive").Output()
	require.NoError(t, err)
	src := strings.TrimSpace(string(o))
	dir := t.TempDir()
	thv := filepath.Join(dir, "toolhive")
	require.NoError(t, os.CopyFS(thv, os.DirFS(src)))
	// The module cache is read-only; the copy must be writable for patch.
	require.NoError(t, filepath.WalkDir(thv, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(p, mode)
	}))
	for _, p := range patches {
		abs, err := filepath.Abs(p)
		require.NoError(t, err)
		cmd := exec.Command("patch", "-p1", "-F0", "-N", "--no-backup-if-mismatch", "-d", thv, "-i", abs)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		require.NoError(t, cmd.Run(), "patch %s: %s", p, buf.String())
		require.NotContains(t, buf.String(), "fuzz", "patch %s", p)
	}
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	mod, err := os.ReadFile("go.mod")
	require.NoError(t, err)
	repl := regexp.MustCompile(`(?m)^replace github\.com/scopemig/scopemig => \.\./\s*$`)
	require.Regexp(t, repl, string(mod))
	mod = repl.ReplaceAll(mod, []byte("replace github.com/scopemig/scopemig => "+root+"\n"))
	mod = append(mod, []byte("\nreplace github.com/stacklok/toolhive => "+thv+"\n")...)
	modfile := filepath.Join(dir, "thv.mod")
	require.NoError(t, os.WriteFile(modfile, mod, 0o600))
	sum, err := os.ReadFile("go.sum")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "thv.sum"), sum, 0o600))
	return modfile
}
