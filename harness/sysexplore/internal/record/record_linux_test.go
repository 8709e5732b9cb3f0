//go:build linux && (amd64 || arm64)

package record

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// needPtrace skips where this process may not trace its children.
func needPtrace(t *testing.T) {
	t.Helper()
	if err := PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted in this environment (%v); CI runs these tests as root", err)
	}
}

// realRoot returns a fresh directory with symlinks resolved.
func realRoot(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	return d
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

// counted returns the crash points of a trace, described relative to root.
func counted(tr trace.Trace, root string) []string {
	var out []string
	for _, o := range tr.Ops {
		if o.Index > 0 {
			out = append(out, o.Describe(root))
		}
	}
	return out
}

// A shell script whose mv and rm are child processes: every mutating
// syscall is recorded, children are followed, paths are resolved, and
// read-only work is not a crash point.
func TestRecordFollowsChildren(t *testing.T) {
	needPtrace(t)
	root := realRoot(t)
	require.NoError(t, os.WriteFile(filepath.Join(root, "keep"), []byte("x"), 0o600))
	script := `cd "$1" && cat keep >/dev/null && printf hello > a && mv a b && mkdir d && rm b && chmod 600 keep`
	r, err := Record(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", script, "sh", root}, Root: root, Capture: true})
	require.NoError(t, err)
	require.Equal(t, 0, r.Trace.Exit)
	got := counted(r.Trace, root)
	require.Len(t, got, 6, "%q", got)
	require.Regexp(t, `^#1 open(at)?\(\{dir\}/a, O_WRONLY\|O_CREAT\|O_TRUNC\)`, got[0])
	require.Equal(t, "#2 write({dir}/a, 5 bytes at 0) = 5", got[1])
	require.Regexp(t, `^#3 rename(at2?)?\(\{dir\}/a -> \{dir\}/b\) = 0$`, got[2])
	require.Regexp(t, `^#4 mkdir(at)?\(\{dir\}/d, 0777\) = 0$`, got[3])
	require.Regexp(t, `^#5 unlink(at)?\(\{dir\}/b\) = 0$`, got[4])
	require.Regexp(t, `^#6 (f)?chmod(at)?\(\{dir\}/keep, 0600\) = 0$`, got[5])
	w, _ := r.Trace.Point(2)
	require.Equal(t, []byte("hello"), w.Data, "the written bytes are kept for the replay")
	mv, _ := r.Trace.Point(3)
	require.NotEqual(t, w.PID, mv.PID, "mv runs in a child process")
	_, err = os.Stat(filepath.Join(root, "d"))
	require.NoError(t, err)
}

// SIGKILL on entry to crash point k: op k and everything after it never
// happen; everything before it is on the real disk.
func TestRecordKillAt(t *testing.T) {
	needPtrace(t)
	for k, want := range map[int][]string{1: {}, 2: {"a"}, 3: {"a", "b"}} {
		root := realRoot(t)
		script := `cd "$1" && : > a && : > b && : > c`
		r, err := Record(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", script, "sh", root}, Root: root, KillAt: k})
		require.NoError(t, err)
		require.True(t, r.Killed, "k=%d", k)
		require.Equal(t, -1, r.Trace.Exit)
		require.Equal(t, "{dir}/"+string(rune('a'+k-1)), strings.Fields(strings.NewReplacer("(", " ", ",", " ").Replace(r.At.Describe(root)))[2])
		ents, err := os.ReadDir(root)
		require.NoError(t, err)
		names := []string{}
		for _, e := range ents {
			names = append(names, e.Name())
		}
		require.Equal(t, want, names, "k=%d", k)
	}
}

// Threads share their fd table; fsync of a directory opened read-only is
// a crash point; the data of an unsynced write is captured.
func TestRecordThreadsAndDirSync(t *testing.T) {
	needPtrace(t)
	py := python(t)
	root := realRoot(t)
	prog := `
import os, sys, threading
d = sys.argv[1]
fd = os.open(os.path.join(d, "f"), os.O_WRONLY | os.O_CREAT, 0o600)
t = threading.Thread(target=lambda: os.pwrite(fd, b"abc", 10))
t.start(); t.join()
os.fsync(fd); os.close(fd)
dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
`
	r, err := Record(context.Background(), Spec{Argv: []string{py, "-c", prog, root}, Root: root, Capture: true})
	require.NoError(t, err)
	require.Equal(t, 0, r.Trace.Exit)
	got := counted(r.Trace, root)
	require.Len(t, got, 5, "%q", got)
	require.Equal(t, "#2 pwrite64({dir}/f, 3 bytes at 10) = 3", got[1])
	require.Equal(t, "#3 fsync({dir}/f) = 0", got[2])
	require.Equal(t, "#4 close({dir}/f) = 0", got[3])
	require.Equal(t, "#5 fsync({dir}) = 0", got[4])
	w, _ := r.Trace.Point(2)
	o, _ := r.Trace.Point(1)
	require.NotEqual(t, o.PID, w.PID, "the write came from another thread")
	require.Equal(t, o.Desc, w.Desc, "through the same description")
}

// A hanging command does not hang the explorer: the run is killed at its
// timeout and the error says so.
func TestRecordTimeout(t *testing.T) {
	needPtrace(t)
	root := realRoot(t)
	_, err := Record(context.Background(), Spec{Argv: []string{"/bin/sh", "-c", "sleep 30 & wait"}, Root: root, Timeout: 300 * time.Millisecond})
	require.ErrorIs(t, err, context.DeadlineExceeded) // (a hang would fail the test by its timeout)
}
