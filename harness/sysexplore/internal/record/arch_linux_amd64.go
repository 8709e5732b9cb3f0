//go:build linux && amd64

package record

import "golang.org/x/sys/unix"

// archTable is this architecture's syscall table.
func archTable() []sysCall { return amd64Table() }

// clone3Nr is this architecture's clone3.
const clone3Nr = amd64Clone3

// auditArch is the seccomp_data.arch of this architecture's native ABI.
const auditArch = unix.AUDIT_ARCH_X86_64

// readRegs reads tid's syscall number, arguments and return value.
func readRegs(tid int) (regs, error) {
	var r unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &r); err != nil {
		return regs{}, err
	}
	return regs{nr: r.Orig_rax, a: [6]uint64{r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9}, ret: int64(r.Rax), pc: r.Rip, sp: r.Rsp, fp: r.Rbp}, nil
}

// syscallInsn is the machine code of one syscall instruction (syscall).
func syscallInsn() []byte { return []byte{0x0f, 0x05} }

// prctlNr and seccompNr are the syscalls the filter is installed with.
const (
	prctlNr   = unix.SYS_PRCTL
	seccompNr = unix.SYS_SECCOMP
)

// pc, sp and result read the program counter, the stack pointer and a
// syscall's return value of raw registers; setCall makes them a call of
// syscall nr with args at pc.
func pc(r *unix.PtraceRegs) uint64    { return r.Rip }
func sp(r *unix.PtraceRegs) uint64    { return r.Rsp }
func result(r *unix.PtraceRegs) int64 { return int64(r.Rax) }
func setCall(r *unix.PtraceRegs, at, nr uint64, a ...uint64) {
	var x [6]uint64
	copy(x[:], a)
	r.Rip, r.Rax, r.Orig_rax = at, nr, ^uint64(0)
	r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9 = x[0], x[1], x[2], x[3], x[4], x[5]
}
