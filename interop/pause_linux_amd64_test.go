//go:build linux && amd64

package interop

import (
	"bufio"
	"bytes"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// pausePoint stops a traced process on entry to its first system call
// that matches (after the previous point was passed).
type pausePoint struct {
	what   string
	match  func(tid int, r *unix.PtraceRegs) bool
	paused chan struct{} // closed when the process stops there
	resume chan struct{} // closed by the test to let it go on
}

// onSyscall pauses on entry to syscall nr (any arguments).
func onSyscall(what string, nr uint64) *pausePoint {
	return &pausePoint{what: what, paused: make(chan struct{}), resume: make(chan struct{}),
		match: func(_ int, r *unix.PtraceRegs) bool { return r.Orig_rax == nr }}
}

// onFileWrite pauses on entry to a write(2) to a descriptor other than
// stdin, stdout and stderr.
func onFileWrite(what string) *pausePoint {
	return &pausePoint{what: what, paused: make(chan struct{}), resume: make(chan struct{}),
		match: func(_ int, r *unix.PtraceRegs) bool { return r.Orig_rax == unix.SYS_WRITE && r.Rdi > 2 }}
}

// onUnlinkOf pauses on entry to unlinkat(…, path, …) (os.Remove).
func onUnlinkOf(path string) *pausePoint {
	return &pausePoint{what: "unlink " + path, paused: make(chan struct{}), resume: make(chan struct{}),
		match: func(tid int, r *unix.PtraceRegs) bool {
			return r.Orig_rax == unix.SYS_UNLINKAT && peekString(tid, uintptr(r.Rsi), len(path)+1) == path
		}}
}

// peekString reads a NUL-terminated string of at most n bytes at addr in
// the tracee tid.
func peekString(tid int, addr uintptr, n int) string {
	buf := make([]byte, n)
	got, err := unix.PtracePeekData(tid, addr, buf)
	if err != nil {
		return ""
	}
	buf = buf[:got]
	if i := bytes.IndexByte(buf, 0); i >= 0 {
		return string(buf[:i])
	}
	return string(buf)
}

// driver is one real writer process of a lock-race test.
type driver struct {
	name  string
	stdin *os.File
	lines chan string   // its stdout lines
	done  chan struct{} // closed when it has exited
	exit  int           // valid after done
	errb  *bytes.Buffer // its stderr (valid after done)
}

// waitLine waits for the next stdout line of d.
func (d *driver) waitLine(t *testing.T, want string) {
	t.Helper()
	select {
	case l, ok := <-d.lines:
		if !ok {
			<-d.done
			t.Fatalf("%s exited (%d) before printing %q: %s", d.name, d.exit, want, d.errb)
		}
		if l != want {
			t.Fatalf("%s printed %q, want %q", d.name, l, want)
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s never printed %q", d.name, want)
	}
}

// release sends the line that lets a gated driver go on.
func (d *driver) release(t *testing.T) {
	t.Helper()
	_, err := d.stdin.WriteString("go\n")
	if err != nil {
		t.Fatalf("%s: %v", d.name, err)
	}
}

// finish waits for d to exit and returns its exit code.
func (d *driver) finish(t *testing.T) int {
	t.Helper()
	select {
	case <-d.done:
	case <-time.After(time.Minute):
		t.Fatalf("%s never exited", d.name)
	}
	return d.exit
}

func pipes(t *testing.T) (childIn, stdin, stdout, childOut, childErr, stderr *os.File) {
	t.Helper()
	var err error
	childIn, stdin, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, childOut, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, childErr, err = os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	return childIn, stdin, stdout, childOut, childErr, stderr
}

func (d *driver) readOutput(stdout, stderr *os.File) chan struct{} {
	d.lines = make(chan string, 16)
	d.errb = &bytes.Buffer{}
	copied := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			d.lines <- sc.Text()
		}
		close(d.lines)
		_ = stdout.Close()
	}()
	go func() {
		_, _ = d.errb.ReadFrom(stderr)
		_ = stderr.Close()
		close(copied)
	}()
	return copied
}

// startDriver starts argv as an ordinary child process.
func startDriver(t *testing.T, name string, argv ...string) *driver {
	t.Helper()
	childIn, stdin, stdout, childOut, childErr, stderr := pipes(t)
	d := &driver{name: name, stdin: stdin, done: make(chan struct{})}
	copied := d.readOutput(stdout, stderr)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = childIn, childOut, childErr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	_ = childIn.Close()
	_ = childOut.Close()
	_ = childErr.Close()
	go func() {
		err := cmd.Wait()
		<-copied
		d.exit = exitCode(err)
		close(d.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-d.done
		_ = stdin.Close()
	})
	return d
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// startTraced starts argv under ptrace and stops it at each of points in
// turn: the test waits on a point's paused channel, does what it needs
// while the process is frozen there, and closes its resume channel. The
// tracer runs on its own locked OS thread (ptrace requests must come from
// the thread that attached); the process is in its own process group,
// which the tracer waits on, so the test's other children are not reaped.
func startTraced(t *testing.T, name string, points []*pausePoint, argv ...string) *driver {
	t.Helper()
	childIn, stdin, stdout, childOut, childErr, stderr := pipes(t)
	d := &driver{name: name, stdin: stdin, done: make(chan struct{})}
	copied := d.readOutput(stdout, stderr)
	started := make(chan error, 1)
	pidc := make(chan int, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		cmd := exec.Command(argv[0], argv[1:]...)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = childIn, childOut, childErr
		cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true, Setpgid: true}
		err := cmd.Start()
		_ = childIn.Close()
		_ = childOut.Close()
		_ = childErr.Close()
		if err != nil {
			started <- err
			return
		}
		pid := cmd.Process.Pid
		pidc <- pid
		var ws unix.WaitStatus
		if _, err := unix.Wait4(pid, &ws, unix.WALL, nil); err != nil {
			started <- err
			return
		}
		if err := unix.PtraceSetOptions(pid, unix.PTRACE_O_TRACESYSGOOD|unix.PTRACE_O_TRACECLONE|unix.PTRACE_O_EXITKILL); err != nil {
			started <- err
			return
		}
		started <- unix.PtraceSyscall(pid, 0)
		d.exit = traceLoop(pid, points)
		<-copied
		_ = cmd.Process.Release()
		close(d.done)
	}()
	if err := <-started; err != nil {
		t.Fatalf("trace %s: %v", name, err)
	}
	pid := <-pidc
	t.Cleanup(func() {
		for _, p := range points {
			select {
			case <-p.resume:
			default:
				close(p.resume)
			}
		}
		_ = unix.Kill(-pid, unix.SIGKILL)
		<-d.done
		_ = stdin.Close()
	})
	return d
}

// traceLoop runs the traced process group pid to its end, stopping at the
// pause points, and returns the leader's exit code.
func traceLoop(pid int, points []*pausePoint) int {
	inCall := map[int]bool{} // tid → inside a system call (entry seen)
	exit := -1
	var ws unix.WaitStatus
	for {
		tid, err := unix.Wait4(-pid, &ws, unix.WALL, nil)
		if err != nil {
			if errors.Is(err, unix.EINTR) {
				continue
			}
			return exit // ECHILD: all gone
		}
		switch {
		case ws.Exited() || ws.Signaled():
			if tid == pid {
				exit = ws.ExitStatus()
			}
			delete(inCall, tid)
			continue
		case !ws.Stopped():
			continue
		}
		sig := ws.StopSignal()
		switch {
		case sig == syscall.SIGTRAP|0x80:
			entry := !inCall[tid]
			inCall[tid] = entry
			if entry && len(points) > 0 {
				var regs unix.PtraceRegs
				if unix.PtraceGetRegs(tid, &regs) == nil && points[0].match(tid, &regs) {
					close(points[0].paused)
					<-points[0].resume
					points = points[1:]
				}
			}
			_ = unix.PtraceSyscall(tid, 0)
		case sig == syscall.SIGTRAP || sig == syscall.SIGSTOP:
			_ = unix.PtraceSyscall(tid, 0) // an event stop, or a new thread's first stop
		default:
			_ = unix.PtraceSyscall(tid, int(sig))
		}
	}
}

// waitPaused waits until p's process is frozen there.
func waitPaused(t *testing.T, p *pausePoint) {
	t.Helper()
	select {
	case <-p.paused:
	case <-time.After(time.Minute):
		t.Fatalf("never reached: %s", p.what)
	}
}
