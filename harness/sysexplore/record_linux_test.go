//go:build linux && amd64

package sysexplore

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func needPtrace(t *testing.T) {
	t.Helper()
	if err := PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted in this environment: %v", err)
	}
}

func TestRecordShellScript(t *testing.T) {
	needPtrace(t)
	root, _ := filepath.EvalSymlinks(t.TempDir())
	script := `printf hello > "$1/a" && mv "$1/a" "$1/b" && mkdir "$1/d" && rm "$1/b"`
	r, err := record(context.Background(), runSpec{Argv: []string{"/bin/sh", "-c", script, "sh", root}, Root: root, Capture: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range r.Trace.Ops {
		t.Log(o.Describe(root))
	}
	if r.Trace.Exit != 0 {
		t.Fatalf("exit %d", r.Trace.Exit)
	}
	if _, err := os.Stat(filepath.Join(root, "d")); err != nil {
		t.Fatal(err)
	}
}
