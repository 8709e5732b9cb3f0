//go:build linux && amd64

package sysexplore

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/record"
	"github.com/scopemig/scopemig/model"
)

// goStore is a store program in Go whose save rewrites store.json in
// place (os.WriteFile: truncate, then write; no fsync). saveLine is the
// line of the os.WriteFile call.
const goStore = `package main

import (
	"encoding/json"
	"os"
	"path/filepath"
)

type store struct {
	Secrets  map[string]string ` + "`json:\"secrets\"`" + `
	Migrated bool              ` + "`json:\"migrated\"`" + `
}

func main() {
	cmd, dir := os.Args[1], os.Args[2]
	b, err := os.ReadFile(filepath.Join(dir, "store.json"))
	if err != nil {
		os.Exit(1)
	}
	if cmd == "dump" {
		os.Stdout.Write(b)
		return
	}
	var st store
	if err := json.Unmarshal(b, &st); err != nil {
		os.Exit(1)
	}
	if st.Migrated {
		return
	}
	st.Migrated = true
	save(dir, st)
	appendLog(dir)
}

// appendLog's f.Close is inlined: the close syscall is issued from
// os/file.go's lines inside appendLog.
//
//go:noinline
func appendLog(dir string) {
	f, err := os.OpenFile(filepath.Join(dir, "log"), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		os.Exit(1)
	}
	f.Write([]byte("migrated\n"))
	f.Close()
}

//go:noinline
func save(dir string, st store) {
	b, _ := json.Marshal(st)
	if err := os.WriteFile(filepath.Join(dir, "store.json"), b, 0o600); err != nil {
		os.Exit(1)
	}
}
`

// cStore is the same program in C: fopen "w" (truncate), fputs, no fsync.
const cStore = `#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>

static void save(const char *path) {
	const char *s = "{\"secrets\":{\"user-key\":\"v1\"},\"migrated\":true}";
	int fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0) _exit(1);
	write(fd, s, strlen(s));
	close(fd);
}

int main(int argc, char **argv) {
	char path[4096];
	snprintf(path, sizeof path, "%s/store.json", argv[2]);
	save(path);
	return 0;
}
`

// lineOf returns the 1-based line of src holding needle.
func lineOf(t *testing.T, src, needle string) int {
	t.Helper()
	for i, l := range strings.Split(src, "\n") {
		if strings.Contains(l, needle) {
			return i + 1
		}
	}
	t.Fatalf("no %q in the program", needle)
	return 0
}

// buildProgram compiles src (Go or C) into t.TempDir().
func buildProgram(t *testing.T, name, src string, cc ...string) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "prog")
	if strings.HasSuffix(name, ".go") {
		goBin, err := exec.LookPath("go")
		if err != nil {
			t.Skip("skipping: no go command")
		}
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module prog\n\ngo 1.22\n"), 0o600))
		cmd := exec.Command(goBin, "build", "-o", bin, ".")
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "%s", out)
		return bin
	}
	gcc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("skipping: no C compiler")
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600))
	out, err := exec.Command(gcc, append(cc, "-o", bin, filepath.Join(dir, name))...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// storeDir is a starting store of one user key, not migrated.
func storeDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(d, "store.json"), []byte(`{"secrets":{"user-key":"v1"},"migrated":false}`), 0o600))
	return d
}

// A Go program's violation names the line of its own code that issued
// the crash syscall (the os.WriteFile call in save), not the runtime's
// or the syscall package's frames; in process and power mode, and in the
// human report.
func TestViolationSourceGo(t *testing.T) {
	needPtrace(t)
	bin := buildProgram(t, "main.go", goStore)
	rep, err := Explore(context.Background(), Config{
		From: storeDir(t), Argv: []string{bin, "migrate", "{dir}"}, Dump: []string{bin, "dump", "{dir}"},
		Plaintext: true, WorkDir: t.TempDir(), Modes: []faults.Mode{faults.Process, faults.Power},
	})
	require.NoError(t, err)
	want := fmt.Sprintf("main.go:%d os.WriteFile", lineOf(t, goStore, "os.WriteFile("))
	v, ok := rep.Has(model.I7, faults.Process)
	require.True(t, ok, "%+v", rep.Violations)
	require.Contains(t, v.Syscall, "write({dir}/store.json")
	require.Equal(t, want, v.Source, "stack %q", v.Stack)
	require.NotEmpty(t, v.Stack)
	require.Contains(t, v.Stack[0], "Syscall", "the innermost frame is the syscall stub")
	for _, m := range []faults.Mode{faults.Process, faults.Power} {
		for _, v := range rep.Violations {
			if v.Mode == m && v.Point <= rep.Points {
				require.Equal(t, "main.go", strings.Split(v.Source, ":")[0], "%s %s at %s", v.Invariant, v.Mode, v.Syscall)
			}
		}
	}
}

// A C program with debug info: the line of the write(2) call in save,
// through libc's wrapper; built without frame pointers too (the leaf
// return address is enough for the first user frame). The call is the
// last instruction of its line: the return address is on the next line,
// so this also checks that return addresses are looked up as calls.
func TestViolationSourceC(t *testing.T) {
	needPtrace(t)
	for _, flags := range [][]string{{"-O0", "-g"}, {"-O2", "-g", "-fomit-frame-pointer"}} {
		t.Run(strings.Join(flags, " "), func(t *testing.T) {
			bin := buildProgram(t, "store.c", cStore, flags...)
			rep, err := Explore(context.Background(), Config{
				From: storeDir(t), Argv: []string{bin, "migrate", "{dir}"}, Dump: []string{"cat", "{dir}/store.json"},
				Plaintext: true, WorkDir: t.TempDir(), Modes: []faults.Mode{faults.Process},
			})
			require.NoError(t, err)
			v, ok := rep.Has(model.I7, faults.Process)
			require.True(t, ok, "%+v", rep.Violations)
			require.Equal(t, fmt.Sprintf("store.c:%d write", lineOf(t, cStore, "write(fd")), v.Source, "stack %q", v.Stack)
		})
	}
}

// An interpreter's syscalls come from its own C code: no source is
// claimed (the syscall alone is reported).
func TestViolationSourceInterpreter(t *testing.T) {
	needPtrace(t)
	py := python(t)
	cfg := pyConfig(t, py, "broken")
	cfg.Modes = []faults.Mode{faults.Process}
	rep, err := Explore(context.Background(), cfg)
	require.NoError(t, err)
	v, ok := rep.Has(model.I7, faults.Process)
	require.True(t, ok, "%+v", rep.Violations)
	require.Empty(t, v.Source, "stack %q", v.Stack)
}

// Every crash point of the Go program is named by a line of main.go:
// os.WriteFile's open, write and close in save, and appendLog's, whose
// inlined f.Close has os/file.go's line (its caller's line is named).
func TestEverySourceInProgram(t *testing.T) {
	needPtrace(t)
	bin := buildProgram(t, "main.go", goStore)
	dir := storeDir(t)
	dir, err := filepath.EvalSymlinks(dir)
	require.NoError(t, err)
	res, err := record.Record(context.Background(), record.Spec{Argv: []string{bin, "migrate", dir}, Root: dir, Capture: true})
	require.NoError(t, err)
	require.Equal(t, 0, res.Trace.Exit)
	var sym symbolizer
	seen := map[string]bool{}
	for k := 1; k <= res.Trace.Points(); k++ {
		src, stack := sym.source(res.Stacks[k])
		require.True(t, strings.HasPrefix(src, "main.go:"), "point %d: %q, stack %q", k, src, stack)
		seen[src] = true
	}
	require.True(t, seen[fmt.Sprintf("main.go:%d os.WriteFile", lineOf(t, goStore, "os.WriteFile("))], "%v", seen)
	require.True(t, seen[fmt.Sprintf("main.go:%d os.OpenFile", lineOf(t, goStore, "os.OpenFile("))], "%v", seen)
	require.True(t, seen[fmt.Sprintf("main.go:%d main.appendLog", lineOf(t, goStore, "appendLog(dir)"))], "%v", seen)
}
