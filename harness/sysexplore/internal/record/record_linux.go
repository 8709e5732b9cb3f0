//go:build linux && (amd64 || arm64)

package record

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

const (
	atRandom    = 25 // auxv AT_RANDOM
	cloneFiles  = 0x400
	cloneFS     = 0x200
	ptraceOpts  = unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_TRACEFORK | unix.PTRACE_O_TRACEVFORK | unix.PTRACE_O_TRACEEXEC | unix.PTRACE_O_EXITKILL
	syscallTrap = int(syscall.SIGTRAP) | 0x80
	// waitFlags: every tracee (threads too), and only this tracer
	// thread's: several recordings run at once in one process (workers),
	// and the explorer's untraced restarts are other threads' children.
	waitFlags = unix.WALL | unix.WNOTHREAD
)

// regs is what a syscall stop shows: the number, the six arguments and
// (at the exit stop) the return value.
type regs struct {
	nr  uint64
	a   [6]uint64
	ret int64
	// The user stack at the stop: program counter, stack pointer, frame
	// pointer and link register (0 where the architecture has none).
	pc, sp, fp, lr uint64
}

// task is one traced thread.
type task struct {
	files   *fdTable
	fs      *fsState
	inSys   bool
	pend    *pending
	started bool // its initial SIGSTOP was seen
	ready   bool // its tables are known (the parent's clone event was seen)
}

// tracer is the state of one traced run. It lives on one locked OS thread.
type tracer struct {
	spec    Spec
	table   map[uint64]sysCall // this architecture's syscalls, by number
	tasks   map[int]*task
	leader  int
	nextID  int
	counted int
	res     Result
	killed  bool
	execs   int                // programs started (for pinRandom)
	filter  bool               // the seccomp filter is installed: only its syscalls stop
	images  map[int]*procImage // tid -> its program's mappings (stack symbolisation)
	// inflight counts the crash points entered and not yet exited (other
	// threads' syscalls running while one thread stops at its entry).
	inflight int
}

// snapshot hands the tree to spec.Snapshot at the entry of crash point
// p (the syscall has not run): the disk is exactly what a SIGKILL of the
// tree there leaves (the page cache survives a process crash), provided
// no other crash point is running at the same time; otherwise the point
// is left out (Result.Unsnapped) and must be crashed for real.
func (t *tracer) snapshot(p *pending) {
	if t.spec.Snapshot == nil {
		return
	}
	if t.inflight > 0 {
		t.res.Unsnapped = append(t.res.Unsnapped, p.op.Index)
		return
	}
	if err := t.spec.Snapshot(p.op.Index); err != nil {
		t.res.Unsnapped = append(t.res.Unsnapped, p.op.Index)
	}
}

// PtraceWorks reports whether this process may trace its children: it
// traces the true binary. The error says why not (a seccomp or Yama
// policy, a container without CAP_SYS_PTRACE).
func PtraceWorks() error {
	t, err := exec.LookPath("true")
	if err != nil {
		return fmt.Errorf("%w: no true binary to probe ptrace with", ErrUnsupported)
	}
	_, err = Record(context.Background(), Spec{Argv: []string{t}, Root: "/nonexistent-root"})
	if err != nil {
		return fmt.Errorf("%w: ptrace not permitted here: %v", ErrUnsupported, err)
	}
	return nil
}

// Record runs spec.Argv under ptrace and records every syscall that
// touches spec.Root; with spec.KillAt > 0 it SIGKILLs the whole tree on
// entry to that crash point.
func Record(ctx context.Context, spec Spec) (Result, error) {
	type out struct {
		r   Result
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

func traceOnThread(ctx context.Context, spec Spec) (Result, error) {
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return Result{}, err
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
		return Result{}, fmt.Errorf("start %s: %w", spec.Argv[0], err)
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
	t := &tracer{spec: spec, table: byNumber(archTable()), tasks: map[int]*task{}, leader: pid}
	t.tasks[pid] = &task{files: newFDTable(), fs: &fsState{cwd: cwd}, started: true, ready: true}
	// The child stops with SIGTRAP after its execve.
	var ws unix.WaitStatus
	if _, err := unix.Wait4(pid, &ws, waitFlags, nil); err != nil {
		return Result{}, fmt.Errorf("wait for %s: %w", spec.Argv[0], err)
	}
	if !ws.Stopped() {
		return Result{}, fmt.Errorf("%s did not stop after exec (%v)", spec.Argv[0], ws)
	}
	t.pinRandom(pid)
	opts := ptraceOpts
	if spec.Filter {
		opts |= unix.PTRACE_O_TRACESECCOMP
	}
	if err := unix.PtraceSetOptions(pid, opts); err != nil {
		t.killAll()
		t.drain()
		return Result{}, fmt.Errorf("ptrace: %w", err)
	}
	if spec.Filter {
		switch err := installFilter(pid, archTable()); {
		case err == nil:
			t.filter = true
		case errors.Is(err, errNoFilter):
			t.res.NoFilter = err.Error()
		default:
			t.killAll()
			t.drain()
			return Result{}, err
		}
	}
	t.res.Filtered = t.filter
	if err := t.resume(pid, t.tasks[pid], 0); err != nil {
		t.killAll()
		t.drain()
		return Result{}, fmt.Errorf("ptrace: %w", err)
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
		key := binary.LittleEndian.Uint64(auxv[i:])
		val := binary.LittleEndian.Uint64(auxv[i+8:])
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
		if _, err := unix.Wait4(-1, &ws, waitFlags, nil); err != nil {
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
		tid, err := unix.Wait4(-1, &ws, waitFlags, nil)
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
			_ = t.resume(tid, tk, 0)
		case sig == int(syscall.SIGTRAP) && ws.TrapCause() == unix.PTRACE_EVENT_SECCOMP:
			// The filter's entry stop: the exit stop is asked for.
			if tk == nil || tk.inSys {
				_ = t.resume(tid, tk, 0)
				continue
			}
			t.onSyscall(tid, tk)
			if t.killed {
				continue
			}
			_ = unix.PtraceSyscall(tid, 0)
		case sig == int(syscall.SIGTRAP) && ws.TrapCause() > 0:
			t.onEvent(tid, ws.TrapCause())
			_ = t.resume(tid, tk, 0)
		case tk == nil || !tk.started:
			// A new thread or child's first stop (SIGSTOP): resume it once
			// its parent's event gave it its tables.
			if tk == nil {
				tk = &task{}
				t.tasks[tid] = tk
			}
			tk.started = true
			if tk.ready {
				_ = t.resume(tid, tk, 0)
			}
		default:
			// Signal-delivery stop: deliver it. (Group stops are resumed
			// too: the traced command must never hang the explorer.)
			_ = t.resume(tid, tk, sig)
		}
	}
}

// resume restarts a stopped tracee (delivering sig): to its next syscall
// stop when every syscall stops (no filter) or when the tracee is inside
// a filtered syscall whose exit the recorder needs; otherwise to the next
// stop the filter or an event makes.
func (t *tracer) resume(tid int, tk *task, sig int) error {
	if t.filter && (tk == nil || !tk.inSys) {
		return unix.PtraceCont(tid, sig)
	}
	return unix.PtraceSyscall(tid, sig)
}

// gone forgets an exited thread; when it was the last user of its fd
// table, the process's fds are closed.
func (t *tracer) gone(tid int) {
	tk := t.tasks[tid]
	delete(t.tasks, tid)
	if tk != nil && tk.inSys && tk.pend != nil && tk.pend.op.Index > 0 {
		t.inflight-- // its crash point ended with the thread
	}
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
			if r, err := readRegs(tid); err == nil {
				flags = r.a[0]
				if r.nr == clone3Nr {
					if f, err := readU64(tid, uintptr(r.a[0])); err == nil {
						flags = f
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
			_ = t.resume(child, ct, 0)
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
	r, err := readRegs(tid)
	if err != nil {
		return
	}
	if !tk.inSys {
		tk.inSys = true
		p := t.entry(tid, tk, &r)
		tk.pend = p
		if p != nil && p.op.Index > 0 && (t.spec.Capture || p.op.Index == t.spec.KillAt) {
			t.stack(tid, p.op.Index, &r)
		}
		if p != nil && p.op.Index > 0 {
			if p.op.Index == t.spec.KillAt {
				t.res.Killed, t.res.At = true, p.op
				t.res.At.Killed = true
				t.killAll()
				return
			}
			t.snapshot(p)
			t.inflight++
		}
		return
	}
	tk.inSys = false
	p := tk.pend
	tk.pend = nil
	if p == nil {
		return
	}
	if p.op.Index > 0 {
		t.inflight--
	}
	t.exit(tk, p, r.ret)
}

// count gives p.op the next crash point number.
func (t *tracer) count(p *pending) {
	t.counted++
	p.op.Index = t.counted
	p.keep = true
}
