//go:build linux && arm64

package record

import "golang.org/x/sys/unix"

// archTable is this architecture's syscall table.
func archTable() []sysCall { return arm64Table() }

// clone3Nr is this architecture's clone3.
const clone3Nr = arm64Clone3

// auditArch is the seccomp_data.arch of this architecture's native ABI.
const auditArch = unix.AUDIT_ARCH_AARCH64

// readRegs reads tid's syscall number (x8), arguments (x0-x5) and return
// value (x0 at the exit stop).
func readRegs(tid int) (regs, error) {
	var r unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &r); err != nil {
		return regs{}, err
	}
	g := r.Regs
	return regs{nr: g[8], a: [6]uint64{g[0], g[1], g[2], g[3], g[4], g[5]}, ret: int64(g[0]), pc: r.Pc, sp: r.Sp, fp: g[29], lr: g[30]}, nil
}

// syscallInsn is the machine code of one syscall instruction (svc #0).
func syscallInsn() []byte { return []byte{0x01, 0x00, 0x00, 0xd4} }

// prctlNr and seccompNr are the syscalls the filter is installed with.
const (
	prctlNr   = unix.SYS_PRCTL
	seccompNr = unix.SYS_SECCOMP
)

// pc, sp and result read the program counter, the stack pointer and a
// syscall's return value of raw registers; setCall makes them a call of
// syscall nr with args at pc.
func pc(r *unix.PtraceRegs) uint64    { return r.Pc }
func sp(r *unix.PtraceRegs) uint64    { return r.Sp }
func result(r *unix.PtraceRegs) int64 { return int64(r.Regs[0]) }
func setCall(r *unix.PtraceRegs, at, nr uint64, a ...uint64) {
	r.Pc, r.Regs[8] = at, nr
	for i := range 6 {
		r.Regs[i] = 0
	}
	copy(r.Regs[:6], a)
}
