//go:build linux

package sysexplore

import (
	"os/exec"
	"strings"
	"testing"
)

// needPtrace skips where this process may not trace its children.
func needPtrace(t *testing.T) {
	t.Helper()
	if err := PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted in this environment (%v); CI runs these tests as root", err)
	}
}

// python returns the real interpreter (not a shim script, which would be
// traced too), or skips.
func python(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Skip("skipping: no python3")
	}
	return strings.TrimSpace(string(out))
}
