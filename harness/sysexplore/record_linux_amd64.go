//go:build linux && amd64

package sysexplore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

const (
	atFDCWD      = -100
	atRandom     = 25 // auxv AT_RANDOM
	atRemoveDir  = 0x200
	atEmptyPath  = 0x1000
	cloneFiles   = 0x400
	cloneFS      = 0x200
	ptraceOpts   = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL
	syscallTrap  = int(syscall.SIGTRAP) | 0x80
	maxWriteKeep = 64 << 20 // bytes of one write kept for the replay
)

// task is one traced thread.
type task struct {
	files   *fdTable
	fs      *fsState
	inSys   bool
	pend    *pending
	started bool // its initial SIGSTOP was seen
	ready   bool // its tables are known (the parent's clone event was seen)
}

// pending is a syscall between its entry and exit stops.
type pending struct {
	nr   uint64
	op   Op
	keep bool // record the op at exit
	fd   int  // fd argument (close, dup, fchdir)
	fd2  int  // dup2/dup3 target
	cloe bool // the new fd is close-on-exec
}

// tracer is the state of one traced run. It lives on one locked OS thread.
type tracer struct {
	spec    runSpec
	tasks   map[int]*task
	leader  int
	nextID  int
	counted int
	res     runResult
	killed  bool
	execs   int                // programs started (for pinRandom)
	images  map[int]*procImage // tid -> its program's mappings (stack symbolisation)
}

// PtraceWorks reports whether this process may trace its children: it
// traces /bin/true. The error says why not (a seccomp or Yama policy, a
// container without CAP_SYS_PTRACE).
func PtraceWorks() error {
	t, err := exec.LookPath("true")
	if err != nil {
		return fmt.Errorf("%w: no true binary to probe ptrace with", ErrUnsupported)
	}
	_, err = record(context.Background(), runSpec{Argv: []string{t}, Root: "/nonexistent-root"})
	if err != nil {
		return fmt.Errorf("%w: ptrace not permitted here: %v", ErrUnsupported, err)
	}
	return nil
}

// record runs spec.Argv under ptrace and records every syscall that
// touches spec.Root; with spec.KillAt > 0 it SIGKILLs the whole tree on
// entry to that crash point.
func record(ctx context.Context, spec runSpec) (runResult, error) {
	type out struct {
		r   runResult
		err error
	}
	ch := make(chan out, 1)
	go func() {
		runtime.LockOSThread()
		// The thread stays locked: it is a tracer until the tree is gone,
		// and it is discarded when the goroutine ends.
		r, err := traceOnThread(ctx, spec)
		ch <- out{r, err}
	}()
	o := <-ch
	return o.r, o.err
}

func traceOnThread(ctx context.Context, spec runSpec) (runResult, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return runResult{}, err
	}
	defer func() { _ = devnull.Close() }()
	cmd := exec.Command(spec.Argv[0], spec.Argv[1:]...)
	cmd.Env, cmd.Dir = spec.Env, spec.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	if spec.Stdout != nil {
		cmd.Stdout = spec.Stdout
	}
	if spec.Stderr != nil {
		cmd.Stderr = spec.Stderr
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true, Setpgid: true}
	if err := cmd.Start(); err != nil {
		return runResult{}, fmt.Errorf("start %s: %w", spec.Argv[0], err)
	}
	pid := cmd.Process.Pid
	defer func() { _ = cmd.Process.Release() }()
	// A command that hangs (or a ctx that ends) must not hang the
	// explorer: the watchdog kills the process group; the loop then sees
	// the tracees die and ctx's error is returned.
	runCtx, cancel := context.WithCancel(ctx)
	if spec.Timeout > 0 {
		runCtx, cancel = context.WithTimeout(ctx, spec.Timeout)
	}
	defer cancel()
	stop := context.AfterFunc(runCtx, func() { _ = unix.Kill(-pid, unix.SIGKILL) })
	defer stop()
	ctx = runCtx
	cwd := spec.Dir
	if cwd == "" {
		cwd, _ = os.Getwd()
	}
	t := &tracer{spec: spec, tasks: map[int]*task{}, leader: pid}
	t.tasks[pid] = &task{files: newFDTable(), fs: &fsState{cwd: cwd}, started: true, ready: true}
	// The child stops with SIGTRAP after its execve.
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
		return runResult{}, fmt.Errorf("wait for %s: %w", spec.Argv[0], err)
	}
	if !ws.Stopped() {
		return runResult{}, fmt.Errorf("%s did not stop after exec (%v)", spec.Argv[0], ws)
	}
	t.pinRandom(pid)
	if err := unix.PtraceSetOptions(pid, ptraceOpts); err != nil {
		t.killAll()
		t.drain()
		return runResult{}, fmt.Errorf("ptrace: %w", err)
	}
	if err := unix.PtraceSyscall(pid, 0); err != nil {
		t.killAll()
		t.drain()
		return runResult{}, fmt.Errorf("ptrace: %w", err)
	}
	err = t.loop(ctx)
	return t.res, err
}

// pinRandom overwrites the 16 bytes the kernel passes a new program at
// AT_RANDOM (the seed of the Go runtime's map iteration order, select and
// scheduler choices; glibc's stack protector and pointer guard) with bytes
// derived from the run's seed and the exec's number, so that the same
// command makes the same syscalls in every run of one exploration.
// Randomness a program reads with getrandom(2) or from /dev/urandom is not
// touched (cryptographic nonces stay random).
func (t *tracer) pinRandom(pid int) {
	t.execs++
	auxv, err := os.ReadFile(fmt.Sprintf("/proc/%d/auxv", pid))
	if err != nil {
		return
	}
	for i := 0; i+16 <= len(auxv); i += 16 {
		key := *(*uint64)(unsafe.Pointer(&auxv[i]))
		val := *(*uint64)(unsafe.Pointer(&auxv[i+8]))
		if key == atRandom && val != 0 {
			sum := sha256.Sum256(fmt.Appendf(nil, "sysexplore AT_RANDOM seed=%d exec=%d", t.spec.Seed, t.execs))
			_, _ = unix.PtracePokeData(pid, uintptr(val), sum[:16])
			return
		}
	}
}

// killAll SIGKILLs the process group and every known thread.
func (t *tracer) killAll() {
	t.killed = true
	_ = unix.Kill(-t.leader, unix.SIGKILL)
	for tid := range t.tasks {
		_ = unix.Tgkill(-1, tid, unix.SIGKILL)
		_ = unix.Kill(tid, unix.SIGKILL)
	}
}

// drain reaps every tracee until none is left.
func (t *tracer) drain() {
	var ws unix.WaitStatus
	for {
		if _, err := unix.Wait4(-1, &ws, unix.WALL, nil); err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return
		}
	}
}

func (t *tracer) loop(ctx context.Context) error {
	var ws unix.WaitStatus
	for {
		if ctx.Err() != nil && !t.killed {
			t.killAll()
		}
		tid, err := unix.Wait4(-1, &ws, unix.WALL, nil)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if errors.Is(err, unix.ECHILD) {
				if t.killed {
					t.res.Trace.Exit = -1
				}
				return ctx.Err()
			}
			return err
		}
		if ws.Exited() || ws.Signaled() {
			if tid == t.leader {
				if ws.Exited() {
					t.res.Trace.Exit = ws.ExitStatus()
				} else {
					t.res.Trace.Exit = -1
				}
			}
			t.gone(tid)
			continue
		}
		if !ws.Stopped() || t.killed {
			continue
		}
		tk := t.tasks[tid]
		sig := int(ws.StopSignal())
		switch {
		case sig == syscallTrap:
			t.onSyscall(tid, tk)
			if t.killed {
				continue
			}
			_ = unix.PtraceSyscall(tid, 0)
		case sig == int(syscall.SIGTRAP) && ws.TrapCause() > 0:
			t.onEvent(tid, ws.TrapCause())
			_ = unix.PtraceSyscall(tid, 0)
		case tk == nil || !tk.started:
			// A new thread or child's first stop (SIGSTOP): resume it once
			// its parent's event gave it its tables.
			if tk == nil {
				tk = &task{}
				t.tasks[tid] = tk
			}
			tk.started = true
			if tk.ready {
				_ = unix.PtraceSyscall(tid, 0)
			}
		default:
			// Signal-delivery stop: deliver it. (Group stops are resumed
			// too: the traced command must never hang the explorer.)
			_ = unix.PtraceSyscall(tid, sig)
		}
	}
}

// gone forgets an exited thread; when it was the last user of its fd
// table, the process's fds are closed.
func (t *tracer) gone(tid int) {
	tk := t.tasks[tid]
	delete(t.tasks, tid)
	if tk == nil || tk.files == nil {
		return
	}
	for _, o := range t.tasks {
		if o.files == tk.files {
			return
		}
	}
	for fd := range tk.files.fds {
		tk.files.close(fd)
	}
}

// onEvent handles a clone/fork/vfork/exec event stop of tid.
func (t *tracer) onEvent(tid, cause int) {
	parent := t.tasks[tid]
	switch cause {
	case unix.PTRACE_EVENT_CLONE, unix.PTRACE_EVENT_FORK, unix.PTRACE_EVENT_VFORK:
		msg, err := unix.PtraceGetEventMsg(tid)
		if err != nil || parent == nil {
			return
		}
		child := int(msg)
		var flags uint64
		if cause == unix.PTRACE_EVENT_CLONE {
			var regs unix.PtraceRegs
			if unix.PtraceGetRegs(tid, &regs) == nil {
				flags = regs.Rdi
				if regs.Orig_rax == unix.SYS_CLONE3 {
					if b, err := readMem(tid, uintptr(regs.Rdi), 8); err == nil {
						flags = *(*uint64)(unsafe.Pointer(&b[0]))
					}
				}
			}
		}
		ct := t.tasks[child]
		if ct == nil {
			ct = &task{}
			t.tasks[child] = ct
		}
		ct.files, ct.fs = parent.files, parent.fs
		if flags&cloneFiles == 0 {
			ct.files = parent.files.copy()
		}
		if flags&cloneFS == 0 {
			ct.fs = &fsState{cwd: parent.fs.cwd}
		}
		ct.ready = true
		if ct.started {
			_ = unix.PtraceSyscall(child, 0)
		}
	case unix.PTRACE_EVENT_EXEC:
		delete(t.images, tid)
		if parent != nil {
			parent.files.exec()
		}
		t.pinRandom(tid)
	}
}

// onSyscall handles a syscall entry or exit stop.
func (t *tracer) onSyscall(tid int, tk *task) {
	if tk == nil {
		return
	}
	var regs unix.PtraceRegs
	if err := unix.PtraceGetRegs(tid, &regs); err != nil {
		return
	}
	if !tk.inSys {
		tk.inSys = true
		p := t.entry(tid, tk, &regs)
		tk.pend = p
		if p != nil && p.op.Index > 0 && (t.spec.Capture || p.op.Index == t.spec.KillAt) {
			t.stack(tid, p.op.Index, regs.Rip, readWord(tid, regs.Rsp), regs.Rbp)
		}
		if p != nil && p.op.Index > 0 && p.op.Index == t.spec.KillAt {
			t.res.Killed, t.res.At = true, p.op
			t.res.At.Killed = true
			t.killAll()
		}
		return
	}
	tk.inSys = false
	p := tk.pend
	tk.pend = nil
	if p == nil {
		return
	}
	t.exit(tid, tk, p, int64(regs.Rax))
}

// resolve returns the absolute path of (dirfd, p) in tk's process.
func (t *tracer) resolve(tk *task, dirfd int, p string) string {
	if dirfd == atFDCWD || (p != "" && p[0] == '/') {
		return join(tk.fs.cwd, p)
	}
	d := tk.files.get(dirfd)
	if d == nil {
		return join("/proc/unknown-fd-"+strconv.Itoa(dirfd), p)
	}
	if p == "" {
		return d.path
	}
	return join(d.path, p)
}

// counted gives p.op the next crash point number.
func (t *tracer) count(p *pending) {
	t.counted++
	p.op.Index = t.counted
	p.keep = true
}

// entry classifies a syscall at its entry stop. It returns nil for a
// syscall that does not concern the explored tree.
func (t *tracer) entry(tid int, tk *task, r *unix.PtraceRegs) *pending {
	a := [6]uint64{r.Rdi, r.Rsi, r.Rdx, r.R10, r.R8, r.R9}
	str := func(i int) string { s, _ := readString(tid, uintptr(a[i])); return s }
	in := func(p string) bool { return under(t.spec.Root, p) }
	p := &pending{nr: r.Orig_rax, op: Op{PID: tid}}
	op := &p.op
	pathOp := func(name string, k Kind, path string) *pending {
		op.Name, op.Kind, op.Path = name, k, path
		if !in(path) {
			return nil
		}
		t.count(p)
		return p
	}
	fdOp := func(name string, k Kind, fd int) (*desc, *pending) {
		d := tk.files.get(fd)
		op.Name, op.Kind = name, k
		if d == nil || !d.root {
			return d, nil
		}
		op.Path, op.Desc = d.path, d.id
		return d, p
	}
	switch r.Orig_rax {
	case unix.SYS_OPEN, unix.SYS_OPENAT, unix.SYS_CREAT, unix.SYS_OPENAT2:
		var path string
		var flags int
		var mode uint32
		switch r.Orig_rax {
		case unix.SYS_OPEN:
			path, flags, mode = t.resolve(tk, atFDCWD, str(0)), int(a[1]), uint32(a[2])
		case unix.SYS_CREAT:
			path, flags, mode = t.resolve(tk, atFDCWD, str(0)), os.O_CREATE|os.O_WRONLY|os.O_TRUNC, uint32(a[1])
		case unix.SYS_OPENAT:
			path, flags, mode = t.resolve(tk, int(int32(a[0])), str(1)), int(a[2]), uint32(a[3])
		default:
			path = t.resolve(tk, int(int32(a[0])), str(1))
			if b, err := readMem(tid, uintptr(a[2]), 16); err == nil {
				flags = int(*(*uint64)(unsafe.Pointer(&b[0])))
				mode = uint32(*(*uint64)(unsafe.Pointer(&b[8])))
			}
		}
		op.Name, op.Kind, op.Path, op.Flags, op.Mode = sysName(r.Orig_rax), KOpen, path, flags, mode&0o7777
		p.cloe = flags&unix.O_CLOEXEC != 0
		if writable(flags) && in(path) {
			t.count(p)
		}
		// Every open is followed to its fd (read-only ones too: a
		// directory fsync goes through one).
		return p
	case unix.SYS_WRITE, unix.SYS_PWRITE64, unix.SYS_WRITEV, unix.SYS_PWRITEV, unix.SYS_PWRITEV2:
		fd := int(int32(a[0]))
		d, q := fdOp(sysName(r.Orig_rax), KWrite, fd)
		if q == nil {
			return nil
		}
		t.count(p)
		op.Append = d.flags&unix.O_APPEND != 0
		switch r.Orig_rax {
		case unix.SYS_WRITE:
			op.Count = int(a[2])
			op.Off = filePos(tid, fd)
			if t.spec.Capture {
				op.Data, _ = readMem(tid, uintptr(a[1]), min(op.Count, maxWriteKeep))
			}
		case unix.SYS_PWRITE64:
			op.Count, op.Off = int(a[2]), int64(a[3])
			if t.spec.Capture {
				op.Data, _ = readMem(tid, uintptr(a[1]), min(op.Count, maxWriteKeep))
			}
		default:
			op.Off = filePos(tid, fd)
			if r.Orig_rax != unix.SYS_WRITEV && int64(a[3]) != -1 {
				op.Off = int64(a[3])
			}
			op.Data = readIovecs(tid, uintptr(a[1]), int(a[2]), t.spec.Capture)
			op.Count = len(op.Data)
			if !t.spec.Capture {
				op.Data = nil
			}
		}
		return p
	case unix.SYS_FTRUNCATE:
		_, q := fdOp("ftruncate", KTruncate, int(int32(a[0])))
		if q == nil {
			return nil
		}
		op.Off = int64(a[1])
		t.count(p)
		return p
	case unix.SYS_TRUNCATE:
		op.Off = int64(a[1])
		return pathOp("truncate", KTruncate, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_FSYNC, unix.SYS_FDATASYNC:
		_, q := fdOp(sysName(r.Orig_rax), KSync, int(int32(a[0])))
		if q == nil {
			return nil
		}
		t.count(p)
		return p
	case unix.SYS_SYNC:
		op.Name, op.Kind = "sync", KSyncAll
		t.count(p)
		return p
	case unix.SYS_SYNCFS:
		_, q := fdOp("syncfs", KSyncAll, int(int32(a[0])))
		if q == nil {
			return nil
		}
		t.count(p)
		return p
	case unix.SYS_RENAME, unix.SYS_RENAMEAT, unix.SYS_RENAMEAT2:
		var from, to string
		if r.Orig_rax == unix.SYS_RENAME {
			from, to = t.resolve(tk, atFDCWD, str(0)), t.resolve(tk, atFDCWD, str(1))
		} else {
			from, to = t.resolve(tk, int(int32(a[0])), str(1)), t.resolve(tk, int(int32(a[2])), str(3))
			if r.Orig_rax == unix.SYS_RENAMEAT2 {
				op.Flags = int(a[4])
			}
		}
		op.Name, op.Kind, op.Path, op.Path2 = sysName(r.Orig_rax), KRename, from, to
		if !in(from) && !in(to) {
			return nil
		}
		t.count(p)
		return p
	case unix.SYS_UNLINK:
		return pathOp("unlink", KUnlink, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_RMDIR:
		return pathOp("rmdir", KRmdir, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_UNLINKAT:
		k := KUnlink
		if int(a[2])&atRemoveDir != 0 {
			k = KRmdir
		}
		op.Flags = int(a[2])
		return pathOp("unlinkat", k, t.resolve(tk, int(int32(a[0])), str(1)))
	case unix.SYS_MKDIR:
		op.Mode = uint32(a[1]) & 0o7777
		return pathOp("mkdir", KMkdir, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_MKDIRAT:
		op.Mode = uint32(a[2]) & 0o7777
		return pathOp("mkdirat", KMkdir, t.resolve(tk, int(int32(a[0])), str(1)))
	case unix.SYS_LINK, unix.SYS_LINKAT:
		if r.Orig_rax == unix.SYS_LINK {
			op.Path2 = t.resolve(tk, atFDCWD, str(1))
			return pathOp("link", KLink, t.resolve(tk, atFDCWD, str(0)))
		}
		op.Path2 = t.resolve(tk, int(int32(a[2])), str(3))
		return pathOp("linkat", KLink, t.resolve(tk, int(int32(a[0])), str(1)))
	case unix.SYS_SYMLINK, unix.SYS_SYMLINKAT:
		// Path is the new link, Path2 the (unresolved) target text.
		if r.Orig_rax == unix.SYS_SYMLINK {
			op.Path2 = str(0)
			return pathOp("symlink", KSymlink, t.resolve(tk, atFDCWD, str(1)))
		}
		op.Path2 = str(0)
		return pathOp("symlinkat", KSymlink, t.resolve(tk, int(int32(a[1])), str(2)))
	case unix.SYS_CHMOD:
		op.Mode = uint32(a[1]) & 0o7777
		return pathOp("chmod", KChmod, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_FCHMODAT, unix.SYS_FCHMODAT2:
		op.Mode = uint32(a[2]) & 0o7777
		return pathOp(sysName(r.Orig_rax), KChmod, t.resolve(tk, int(int32(a[0])), str(1)))
	case unix.SYS_FCHMOD:
		_, q := fdOp("fchmod", KChmod, int(int32(a[0])))
		if q == nil {
			return nil
		}
		op.Mode = uint32(a[1]) & 0o7777
		t.count(p)
		return p
	case unix.SYS_CHOWN, unix.SYS_LCHOWN:
		return pathOp(sysName(r.Orig_rax), KChown, t.resolve(tk, atFDCWD, str(0)))
	case unix.SYS_FCHOWNAT:
		path := t.resolve(tk, int(int32(a[0])), str(1))
		if str(1) == "" && int(a[4])&atEmptyPath != 0 {
			path = t.resolve(tk, int(int32(a[0])), "")
		}
		return pathOp("fchownat", KChown, path)
	case unix.SYS_FCHOWN:
		_, q := fdOp("fchown", KChown, int(int32(a[0])))
		if q == nil {
			return nil
		}
		t.count(p)
		return p
	case unix.SYS_CLOSE:
		p.fd = int(int32(a[0]))
		d := tk.files.get(p.fd)
		op.Name, op.Kind = "close", KClose
		if d == nil {
			return nil
		}
		if d.root {
			op.Path, op.Desc, op.Last = d.path, d.id, d.refs == 1
			// Only the close that releases the description is a crash
			// point (closes of dup'ed or inherited fds change nothing).
			if writable(d.flags) && d.refs == 1 {
				t.count(p)
			}
		}
		return p
	case unix.SYS_CLOSE_RANGE:
		p.fd, p.fd2 = int(int32(a[0])), int(int32(a[1]))
		op.Name, op.Kind = "close_range", KOther
		return p
	case unix.SYS_DUP, unix.SYS_DUP2, unix.SYS_DUP3:
		p.fd = int(int32(a[0]))
		p.fd2 = int(int32(a[1]))
		p.cloe = r.Orig_rax == unix.SYS_DUP3 && int(a[2])&unix.O_CLOEXEC != 0
		op.Name, op.Kind = sysName(r.Orig_rax), KDup
		return p
	case unix.SYS_FCNTL:
		p.fd = int(int32(a[0]))
		switch int(a[1]) {
		case unix.F_DUPFD, unix.F_DUPFD_CLOEXEC:
			p.cloe = int(a[1]) == unix.F_DUPFD_CLOEXEC
			op.Name, op.Kind = "fcntl", KDup
			return p
		case unix.F_SETFD:
			p.fd2 = int(a[2])
			op.Name, op.Kind = "fcntl", KOther
			return p
		}
		return nil
	case unix.SYS_CHDIR:
		op.Name, op.Path = "chdir", t.resolve(tk, atFDCWD, str(0))
		return p
	case unix.SYS_FCHDIR:
		p.fd = int(int32(a[0]))
		op.Name = "fchdir"
		return p
	}
	return nil
}

// exit completes a syscall at its exit stop: it updates the fd tables and
// records the op.
func (t *tracer) exit(tid int, tk *task, p *pending, ret int64) {
	op := p.op
	op.Ret = ret
	if op.Kind == KWrite && ret >= 0 && int(ret) < len(op.Data) {
		op.Data = op.Data[:ret]
	}
	switch p.nr {
	case unix.SYS_OPEN, unix.SYS_OPENAT, unix.SYS_CREAT, unix.SYS_OPENAT2:
		if ret >= 0 {
			t.nextID++
			d := &desc{id: t.nextID, path: op.Path, flags: op.Flags, root: under(t.spec.Root, op.Path)}
			tk.files.set(int(ret), d, p.cloe)
			op.Desc = d.id
		}
		p.keep = p.keep || under(t.spec.Root, op.Path)
	case unix.SYS_CLOSE:
		tk.files.close(p.fd)
	case unix.SYS_CLOSE_RANGE:
		if ret == 0 {
			for fd := range tk.files.fds {
				if fd >= p.fd && uint(fd) <= uint(uint32(p.fd2)) {
					tk.files.close(fd)
				}
			}
		}
		return
	case unix.SYS_DUP, unix.SYS_DUP2, unix.SYS_DUP3, unix.SYS_FCNTL:
		if op.Kind == KDup {
			if d := tk.files.get(p.fd); d != nil && ret >= 0 {
				tk.files.set(int(ret), d, p.cloe)
			}
		} else if ret == 0 {
			if e, ok := tk.files.fds[p.fd]; ok {
				e.cloexec = p.fd2&unix.FD_CLOEXEC != 0
				tk.files.fds[p.fd] = e
			}
		}
		return
	case unix.SYS_CHDIR:
		if ret == 0 {
			tk.fs.cwd = op.Path
		}
		return
	case unix.SYS_FCHDIR:
		if d := tk.files.get(p.fd); d != nil && ret == 0 {
			tk.fs.cwd = d.path
		}
		return
	}
	if p.keep {
		t.res.Trace.Ops = append(t.res.Trace.Ops, op)
	}
}

// readMem reads n bytes of tid's memory at addr.
func readMem(tid int, addr uintptr, n int) ([]byte, error) {
	if n <= 0 {
		return []byte{}, nil
	}
	buf := make([]byte, n)
	got, err := unix.ProcessVMReadv(tid, []unix.Iovec{{Base: &buf[0], Len: uint64(n)}}, []unix.RemoteIovec{{Base: addr, Len: n}}, 0)
	if err != nil {
		return nil, err
	}
	return buf[:got], nil
}

// readString reads a NUL-terminated string (at most 4096 bytes), page by
// page so that an unmapped page after it does not fail the read.
func readString(tid int, addr uintptr) (string, error) {
	if addr == 0 {
		return "", nil
	}
	var out []byte
	for len(out) < 4096 {
		chunk := 4096 - int(addr%4096)
		b, err := readMem(tid, addr, chunk)
		if err != nil {
			return string(out), err
		}
		if i := bytes.IndexByte(b, 0); i >= 0 {
			return string(append(out, b[:i]...)), nil
		}
		out = append(out, b...)
		addr += uintptr(len(b))
		if len(b) == 0 {
			break
		}
	}
	return string(out), nil
}

// readIovecs gathers the bytes of an iovec array (only their count when
// keep is false).
func readIovecs(tid int, addr uintptr, n int, keep bool) []byte {
	if n <= 0 || n > 1024 {
		return nil
	}
	raw, err := readMem(tid, addr, 16*n)
	if err != nil || len(raw) < 16*n {
		return nil
	}
	var out []byte
	for i := range n {
		base := *(*uint64)(unsafe.Pointer(&raw[16*i]))
		l := int(*(*uint64)(unsafe.Pointer(&raw[16*i+8])))
		if !keep {
			out = append(out, make([]byte, l)...)
			continue
		}
		b, _ := readMem(tid, uintptr(base), min(l, maxWriteKeep))
		out = append(out, b...)
	}
	return out
}

// filePos reads the current offset of fd in tid's process.
func filePos(tid, fd int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/fdinfo/%d", tid, fd))
	if err != nil {
		return 0
	}
	rest, ok := bytes.CutPrefix(b, []byte("pos:"))
	if !ok {
		return 0
	}
	rest = bytes.TrimLeft(rest, " \t")
	end := bytes.IndexByte(rest, '\n')
	if end < 0 {
		end = len(rest)
	}
	n, _ := strconv.ParseInt(string(rest[:end]), 10, 64)
	return n
}

// sysName names a syscall number of linux/amd64.
func sysName(nr uint64) string {
	switch nr {
	case unix.SYS_OPEN:
		return "open"
	case unix.SYS_OPENAT:
		return "openat"
	case unix.SYS_CREAT:
		return "creat"
	case unix.SYS_OPENAT2:
		return "openat2"
	case unix.SYS_WRITE:
		return "write"
	case unix.SYS_PWRITE64:
		return "pwrite64"
	case unix.SYS_WRITEV:
		return "writev"
	case unix.SYS_PWRITEV:
		return "pwritev"
	case unix.SYS_PWRITEV2:
		return "pwritev2"
	case unix.SYS_FSYNC:
		return "fsync"
	case unix.SYS_FDATASYNC:
		return "fdatasync"
	case unix.SYS_RENAME:
		return "rename"
	case unix.SYS_RENAMEAT:
		return "renameat"
	case unix.SYS_RENAMEAT2:
		return "renameat2"
	case unix.SYS_FCHMODAT:
		return "fchmodat"
	case unix.SYS_FCHMODAT2:
		return "fchmodat2"
	case unix.SYS_CHOWN:
		return "chown"
	case unix.SYS_LCHOWN:
		return "lchown"
	case unix.SYS_DUP:
		return "dup"
	case unix.SYS_DUP2:
		return "dup2"
	case unix.SYS_DUP3:
		return "dup3"
	}
	return "syscall" + strconv.FormatUint(nr, 10)
}
