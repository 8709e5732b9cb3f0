//go:build linux && (amd64 || arm64)

package record

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// errNoFilter: the seccomp filter could not be installed in the tracee;
// the run traces every syscall instead.
var errNoFilter = errors.New("seccomp filter not installed")

// installFilter installs the recording's seccomp filter in the tracee pid,
// stopped right after its execve (before the program's first
// instruction), by making it execute prctl(PR_SET_NO_NEW_PRIVS, 1) and
// seccomp(SECCOMP_SET_MODE_FILTER, 0, prog) itself: a syscall instruction
// is written at its program counter, the filter just below its stack
// pointer, each call is run to its exit stop, then the instruction bytes
// and the registers are restored. The program then starts exactly as it
// would have, filtered.
//
// Why in the tracee and not before exec: Go's os/exec runs no code of
// ours between fork and exec, so a filter cannot be installed there; a
// launcher (re-executing the host binary as a tiny prctl+seccomp+execve
// helper) would need a hook in the main of every binary hosting the
// recorder (scopemig, every test binary, a third party's) and would add
// an exec per run. Two injected syscalls need neither. The filter is
// inherited by every thread and child the program creates and survives
// its execs. Options must include PTRACE_O_TRACESYSGOOD.
//
// On failure (a kernel without seccomp filters, a policy refusing
// no_new_privs) the tracee is restored as it was and the error wraps
// errNoFilter: the caller traces every syscall instead.
func installFilter(pid int, tab []sysCall) error {
	var orig unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &orig); err != nil {
		return fmt.Errorf("%w: registers: %v", errNoFilter, err)
	}
	at := pc(&orig)
	insn := syscallInsn()
	text, err := peek(pid, at, len(insn))
	if err != nil {
		return fmt.Errorf("%w: text: %v", errNoFilter, err)
	}
	// The filter goes below the stack pointer, past the red zone (128
	// bytes on amd64), 16-byte aligned: memory the program has not used.
	prog := filterProgram(tab, auditArch)
	progAt := (sp(&orig) - 512 - uint64(16+8*len(prog))) &^ 15
	stack, err := peek(pid, progAt, 16+8*len(prog))
	if err != nil {
		return fmt.Errorf("%w: stack: %v", errNoFilter, err)
	}
	restore := func() error {
		_, terr := unix.PtracePokeData(pid, uintptr(at), text)
		_, serr := unix.PtracePokeData(pid, uintptr(progAt), stack)
		rerr := unix.PtraceSetRegs(pid, &orig)
		return errors.Join(terr, serr, rerr)
	}
	if _, err := unix.PtracePokeData(pid, uintptr(at), insn); err != nil {
		return fmt.Errorf("%w: %v", errNoFilter, errors.Join(err, restore()))
	}
	if _, err := unix.PtracePokeData(pid, uintptr(progAt), encodeProgram(prog, progAt)); err != nil {
		return fmt.Errorf("%w: %v", errNoFilter, errors.Join(err, restore()))
	}
	calls := []struct {
		name string
		nr   uint64
		args []uint64
	}{
		{"prctl(PR_SET_NO_NEW_PRIVS)", prctlNr, []uint64{unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0}},
		{"seccomp(SECCOMP_SET_MODE_FILTER)", seccompNr, []uint64{unix.SECCOMP_SET_MODE_FILTER, 0, progAt}},
	}
	for _, c := range calls {
		ret, err := injectCall(pid, &orig, at, c.nr, c.args...)
		if err == nil && ret < 0 {
			err = unix.Errno(-ret)
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", errNoFilter, c.name, errors.Join(err, restore()))
		}
	}
	if err := restore(); err != nil {
		return fmt.Errorf("restore the tracee after installing the seccomp filter: %w", err)
	}
	return nil
}

// injectCall makes the stopped tracee run syscall nr at pc at (where a
// syscall instruction was written) and returns its result. It leaves the
// tracee at the call's exit stop.
func injectCall(pid int, base *unix.PtraceRegs, at, nr uint64, args ...uint64) (int64, error) {
	r := *base
	setCall(&r, at, nr, args...)
	if err := unix.PtraceSetRegs(pid, &r); err != nil {
		return 0, err
	}
	for range 2 { // the entry stop, then the exit stop
		if err := unix.PtraceSyscall(pid, 0); err != nil {
			return 0, err
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, waitFlags, nil); err != nil {
			return 0, err
		}
		if !ws.Stopped() || int(ws.StopSignal()) != syscallTrap {
			return 0, fmt.Errorf("unexpected stop %v", ws)
		}
	}
	var out unix.PtraceRegs
	if err := unix.PtraceGetRegs(pid, &out); err != nil {
		return 0, err
	}
	return result(&out), nil
}

// peek reads n bytes of the tracee's memory at addr.
func peek(pid int, addr uint64, n int) ([]byte, error) {
	b := make([]byte, n)
	got, err := unix.PtracePeekData(pid, uintptr(addr), b)
	if err != nil {
		return nil, err
	}
	if got != n {
		return nil, fmt.Errorf("short read at %#x", addr)
	}
	return b, nil
}
