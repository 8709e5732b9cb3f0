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
