//go:build linux && (amd64 || arm64)

package record

import (
	"context"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// runBPF runs a classic BPF seccomp program on one seccomp_data (only
// the opcodes filterProgram emits).
func runBPF(t *testing.T, prog []unix.SockFilter, arch uint32, nr uint64, args [6]uint64) uint32 {
	t.Helper()
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[0:], uint32(nr))
	binary.LittleEndian.PutUint32(data[4:], arch)
	for i, a := range args {
		binary.LittleEndian.PutUint64(data[16+8*i:], a)
	}
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		in := prog[pc]
		switch in.Code {
		case bpfLdAbsW:
			acc = binary.LittleEndian.Uint32(data[in.K:])
		case bpfJeqK:
			if acc == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case bpfRetK:
			return in.K
		default:
			t.Fatalf("opcode %#x", in.Code)
		}
	}
	t.Fatal("the program fell off its end")
	return 0
}

// The filter traps exactly the table's syscalls (fcntl only for the
// commands the recorder follows) and any syscall of a foreign ABI.
func TestFilterProgram(t *testing.T) {
	tab := archTable()
	prog := filterProgram(tab, auditArch)
	for _, s := range tab {
		if s.Class == cFcntl {
			continue
		}
		require.EqualValues(t, unix.SECCOMP_RET_TRACE, runBPF(t, prog, auditArch, s.Nr, [6]uint64{}), s.Name)
	}
	in := byNumber(tab)
	for nr := uint64(0); nr < 460; nr++ {
		if _, ok := in[nr]; !ok {
			require.EqualValues(t, unix.SECCOMP_RET_ALLOW, runBPF(t, prog, auditArch, nr, [6]uint64{}), "syscall %d", nr)
		}
	}
	var fcntl uint64
	for _, s := range tab {
		if s.Class == cFcntl {
			fcntl = s.Nr
		}
	}
	for cmd, want := range map[uint64]uint32{unix.F_DUPFD: unix.SECCOMP_RET_TRACE, unix.F_DUPFD_CLOEXEC: unix.SECCOMP_RET_TRACE, unix.F_SETFD: unix.SECCOMP_RET_TRACE, unix.F_GETFL: unix.SECCOMP_RET_ALLOW, unix.F_SETLK: unix.SECCOMP_RET_ALLOW} {
		require.Equal(t, want, runBPF(t, prog, auditArch, fcntl, [6]uint64{3, cmd}), "fcntl cmd %d", cmd)
	}
	require.EqualValues(t, unix.SECCOMP_RET_TRACE, runBPF(t, prog, unix.AUDIT_ARCH_I386, 39, [6]uint64{}), "a foreign ABI is traced")
}

// describeAll describes every recorded op (counted or not) relative to
// root, with a fingerprint of its bytes.
func describeAll(tr trace.Trace, root string) []string {
	out := make([]string, 0, len(tr.Ops))
	for _, o := range tr.Ops {
		out = append(out, fmt.Sprintf("%s desc=%d flags=%#x mode=%#o last=%v data=%d", o.Describe(root), o.Desc, o.Flags, o.Mode, o.Last, len(o.Data)))
	}
	return out
}

// Recording through the seccomp filter gives the unfiltered recording op
// for op (every op, its description, flags, byte counts, the bytes
// written), and a kill at each crash point lands on the same syscall.
func TestFilteredRecordingEqualsUnfiltered(t *testing.T) {
	needPtrace(t)
	py := python(t)
	cmds := map[string]func(root string) []string{
		"shell children": func(root string) []string {
			return []string{"/bin/sh", "-c", `cd "$1" && cat keep >/dev/null && printf hello > a && mv a b && mkdir d && rm b && chmod 600 keep && exec 3>c && echo x >&3 && exec 3>&-`, "sh", root}
		},
		"python threads, dup, fsync of a directory": func(root string) []string {
			return []string{py, "-c", `
import os, sys, threading, fcntl
d = sys.argv[1]
fd = os.open(os.path.join(d, "f"), os.O_WRONLY | os.O_CREAT, 0o600)
g = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
t = threading.Thread(target=lambda: os.pwrite(g, b"abc", 10))
t.start(); t.join()
os.writev(fd, [b"x", b"yz"])
os.close(g); os.fsync(fd); os.close(fd)
os.rename(os.path.join(d, "f"), os.path.join(d, "g"))
dfd = os.open(d, os.O_RDONLY); os.fsync(dfd); os.close(dfd)
`, root}
		},
	}
	for name, argv := range cmds {
		t.Run(name, func(t *testing.T) {
			run := func(filter bool, killAt int) (Result, string) {
				root := realRoot(t)
				require.NoError(t, os.WriteFile(filepath.Join(root, "keep"), []byte("x"), 0o644))
				r, err := Record(context.Background(), Spec{Argv: argv(root), Root: root, Capture: true, Filter: filter, KillAt: killAt})
				require.NoError(t, err)
				require.Equal(t, filter, r.Filtered, "%s", r.NoFilter)
				return r, root
			}
			full, froot := run(false, 0)
			filt, sroot := run(true, 0)
			require.Equal(t, 0, full.Trace.Exit)
			require.Equal(t, 0, filt.Trace.Exit)
			require.NotZero(t, full.Trace.Points())
			require.Equal(t, describeAll(full.Trace, froot), describeAll(filt.Trace, sroot))
			for i := range full.Trace.Ops {
				require.Equal(t, full.Trace.Ops[i].Data, filt.Trace.Ops[i].Data, "op %d", i)
			}
			for k := 1; k <= full.Trace.Points(); k++ {
				a, aroot := run(false, k)
				b, broot := run(true, k)
				require.True(t, a.Killed && b.Killed, "k=%d", k)
				require.Equal(t, a.At.Describe(aroot), b.At.Describe(broot), "k=%d", k)
				require.Equal(t, describeAll(a.Trace, aroot), describeAll(b.Trace, broot), "k=%d", k)
			}
		})
	}
}
