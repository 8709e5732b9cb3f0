package faults

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/afero"
)

// locker is the method set of impl/fslock.Locker.
type locker interface {
	Lock(ctx context.Context, name string) (release func() error, err error)
}

var (
	_ afero.Fs         = (*FS)(nil)
	_ afero.Lstater    = (*FS)(nil)
	_ afero.LinkReader = (*FS)(nil)
	_ locker           = (*FS)(nil)
	_ locker           = (*MemFS)(nil)
)

// FS is one simulated process using a filesystem (usually a *MemFS disk
// shared with other processes). It numbers the process's mutating
// operations from 0 and consults its Injector before each one (see the
// package documentation); when no fault fires it behaves exactly like the
// inner filesystem. Safe for concurrent use: mutating operations of one
// process are serialized.
type FS struct {
	inner   afero.Fs
	inj     Injector
	crashed atomic.Bool // set once, under mu; read without it

	mu       sync.Mutex // held for the whole of every mutating operation; guards the fields below
	ops      int        // mutating operations numbered so far
	crash    Action     // the crash, once crashed
	log      []Op       // every numbered operation
	files    []*file    // open handles, closed by a crash (few: a slice)
	locks    []heldLock // held locks, released by a crash
	nextLock uint64     // id of the next entry of locks
}

// heldLock is a lock an FS holds on its inner filesystem: on a *MemFS its
// semaphore (received from once to release), else the inner release.
type heldLock struct {
	id      uint64
	sem     chan struct{}
	release func() error
}

// free releases the inner lock. Caller holds f.mu and drops the entry.
func (l heldLock) free() error {
	if l.sem != nil {
		<-l.sem
		return nil
	}
	return l.release()
}

// NewFS starts a process on inner with the given fault plan (nil: none).
func NewFS(inner afero.Fs, inj Injector) *FS {
	if inj == nil {
		inj = None{}
	}
	return &FS{inner: inner, inj: inj}
}

// Inner returns the wrapped filesystem.
func (f *FS) Inner() afero.Fs { return f.inner }

// Injector returns the fault plan.
func (f *FS) Injector() Injector { return f.inj }

// Ops returns how many mutating operations were numbered (attempted),
// including a crashing or failing one.
func (f *FS) Ops() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ops
}

// Crashed reports whether the process crashed.
func (f *FS) Crashed() bool { return f.crashed.Load() }

// Mode returns the mode of the crash, Process if the process did not crash.
func (f *FS) Mode() Mode {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.crash.Mode
}

// CrashAction returns the crash and true once the process crashed.
func (f *FS) CrashAction() (Action, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.crash, f.crashed.Load()
}

// Log returns a copy of every numbered operation, in order.
func (f *FS) Log() []Op {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Op(nil), f.log...)
}

// Crash kills the process now, from outside (e.g. a power cut that takes
// every process down): as if its next operation crashed in the given mode.
// Crashing a dead process does nothing.
func (f *FS) Crash(mode Mode, seed uint64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.crashed.Load() {
		f.crashLocked(Action{Kind: Crash, Mode: mode, Seed: seed})
	}
}

// Image returns the disk a restart sees: the inner *MemFS's CrashImage in
// the crash's mode, seeded by the crash's seed (Process if the process did
// not crash). It fails with ErrNotMemFS on another inner filesystem.
func (f *FS) Image() (*MemFS, error) {
	m, ok := f.inner.(*MemFS)
	if !ok {
		return nil, ErrNotMemFS
	}
	a, _ := f.CrashAction()
	return m.CrashImage(a.Mode, rand.New(rand.NewPCG(a.Seed, imageStream))), nil
}

// imageStream is the second PCG word of the rng FS.Image passes to
// CrashImage.
const imageStream = 0x5eed

// Fs returns f as a filesystem whose optional methods are those of the
// inner one: it has Lock (an fslock.Locker) only if the inner filesystem
// does. Use it when a fallback must be taken on filesystems without locks.
func (f *FS) Fs() afero.Fs {
	if _, ok := f.inner.(locker); ok {
		return f
	}
	return lockless{f}
}

// lockless hides FS.Lock.
type lockless struct{ fs *FS }

func (l lockless) Create(name string) (afero.File, error)       { return l.fs.Create(name) }
func (l lockless) Mkdir(name string, perm os.FileMode) error    { return l.fs.Mkdir(name, perm) }
func (l lockless) MkdirAll(path string, perm os.FileMode) error { return l.fs.MkdirAll(path, perm) }
func (l lockless) Open(name string) (afero.File, error)         { return l.fs.Open(name) }
func (l lockless) Remove(name string) error                     { return l.fs.Remove(name) }
func (l lockless) RemoveAll(path string) error                  { return l.fs.RemoveAll(path) }
func (l lockless) Rename(oldname, newname string) error         { return l.fs.Rename(oldname, newname) }
func (l lockless) Stat(name string) (os.FileInfo, error)        { return l.fs.Stat(name) }
func (l lockless) Name() string                                 { return l.fs.Name() }
func (l lockless) Chmod(name string, mode os.FileMode) error    { return l.fs.Chmod(name, mode) }
func (l lockless) Chown(name string, uid, gid int) error        { return l.fs.Chown(name, uid, gid) }
func (l lockless) Chtimes(name string, a, m time.Time) error    { return l.fs.Chtimes(name, a, m) }
func (l lockless) ReadlinkIfPossible(n string) (string, error)  { return l.fs.ReadlinkIfPossible(n) }
func (l lockless) LstatIfPossible(n string) (os.FileInfo, bool, error) {
	return l.fs.LstatIfPossible(n)
}
func (l lockless) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	return l.fs.OpenFile(name, flag, perm)
}

// crashedErr is the error of any call after the crash.
func crashedErr(op, name string) error { return pathErr(op, name, ErrCrashed) }

// begin numbers op and asks the injector. Caller holds f.mu. A nil error
// means run the operation (a is Pass; a Torn crash of a write, which the
// caller performs partially before calling crashLocked; or a crash After
// it, which the caller applies with after once the operation is done).
func (f *FS) begin(op Op) (Action, error) {
	if f.crashed.Load() {
		return Action{}, crashedErr(op.Kind.String(), op.Path)
	}
	op.Index = f.ops
	f.ops++
	if f.log == nil {
		f.log = make([]Op, 0, 8)
	}
	f.log = append(f.log, op)
	a := f.inj.Inject(op)
	switch a.Kind {
	case Fail:
		return a, pathErr(op.Kind.String(), op.Path, InjectedError{Errno: orEIO(a.Errno)})
	case Crash:
		if a.After || (a.Mode == Torn && op.Kind == OpWrite) {
			return a, nil
		}
		f.crashLocked(a)
		return a, crashedErr(op.Kind.String(), op.Path)
	}
	return a, nil
}

// crashLocked kills the process: later calls fail, handles are closed,
// locks released. Caller holds f.mu.
func (f *FS) crashLocked(a Action) {
	f.crash = a
	f.crashed.Store(true)
	for _, h := range f.files {
		_ = h.inner.Close() // the process is gone; nothing to report to
	}
	f.files = nil
	for _, l := range f.locks {
		_ = l.free() // each entry once; the disk must not stay locked
	}
	f.locks = nil
}

// after kills the process once operation op was performed when a is a
// crash After it: the caller then returns the error (the process never
// sees the operation's result). Caller holds f.mu.
func (f *FS) after(a Action, op Op) error {
	if a.Kind != Crash || !a.After {
		return nil
	}
	f.crashLocked(a)
	return crashedErr(op.Kind.String(), op.Path)
}

// mutate runs fn as mutating operation op.
func (f *FS) mutate(op Op, fn func() error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.begin(op)
	if err != nil {
		return err
	}
	err = fn()
	if cerr := f.after(a, op); cerr != nil {
		return cerr
	}
	return err
}

// open runs an open and registers the handle. Caller holds f.mu.
func (f *FS) register(h afero.File, err error, name string, write bool) (afero.File, error) {
	if err != nil {
		return nil, err
	}
	w := &file{fs: f, inner: h, name: name, write: write}
	f.files = append(f.files, w)
	return w, nil
}

// memHandle is a handle of an FS on a *MemFS: the wrapper and the disk's
// handle in one allocation.
type memHandle struct {
	file
	mem memFile
}

// openMem opens name on the inner *MemFS m and registers the handle.
// Caller holds f.mu.
func (f *FS) openMem(m *MemFS, name string, flag int, perm os.FileMode, write bool) (afero.File, error) {
	var mf memFile
	if err := m.openInto(&mf, name, flag, perm); err != nil {
		return nil, err
	}
	h := &memHandle{file: file{fs: f, name: name, write: write}, mem: mf}
	h.inner = &h.mem
	f.files = append(f.files, &h.file)
	return &h.file, nil
}

// unregister forgets an open handle. Caller holds f.mu.
func (f *FS) unregister(h *file) {
	if i := slices.Index(f.files, h); i >= 0 {
		f.files = slices.Delete(f.files, i, i+1)
	}
}

// Name implements afero.Fs.
func (f *FS) Name() string { return "faults.FS" }

// Create implements afero.Fs (a mutating operation).
func (f *FS) Create(name string) (afero.File, error) {
	return f.openCounted(Op{Kind: OpCreate, Path: name}, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o666)
}

// writeFlags are the OpenFile flags that make an open mutating.
const writeFlags = os.O_WRONLY | os.O_RDWR | os.O_CREATE | os.O_TRUNC | os.O_APPEND

// OpenFile implements afero.Fs; it is a mutating operation when flag has
// O_WRONLY, O_RDWR, O_CREATE, O_TRUNC or O_APPEND.
func (f *FS) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&writeFlags == 0 {
		return f.Open(name)
	}
	return f.openCounted(Op{Kind: OpOpen, Path: name}, flag, perm)
}

// openCounted opens op.Path as mutating operation op and registers the
// handle; a crash After the open closes it again.
func (f *FS) openCounted(op Op, flag int, perm os.FileMode) (afero.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, err := f.begin(op)
	if err != nil {
		return nil, err
	}
	write := flag&(os.O_WRONLY|os.O_RDWR) != 0
	var h afero.File
	if m, ok := f.inner.(*MemFS); ok {
		h, err = f.openMem(m, op.Path, flag, perm, write)
	} else {
		h, err = f.inner.OpenFile(op.Path, flag, perm)
		h, err = f.register(h, err, op.Path, write)
	}
	if cerr := f.after(a, op); cerr != nil {
		return nil, cerr
	}
	return h, err
}

// Open implements afero.Fs (not counted).
func (f *FS) Open(name string) (afero.File, error) {
	if f.crashed.Load() {
		return nil, crashedErr("open", name)
	}
	if m, ok := f.inner.(*MemFS); ok {
		var mf memFile
		if err := m.openInto(&mf, name, os.O_RDONLY, 0); err != nil {
			return nil, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if f.crashed.Load() {
			return nil, crashedErr("open", name)
		}
		h := &memHandle{file: file{fs: f, name: name}, mem: mf}
		h.inner = &h.mem
		f.files = append(f.files, &h.file)
		return &h.file, nil
	}
	h, err := f.inner.Open(name)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed.Load() {
		_ = h.Close()
		return nil, crashedErr("open", name)
	}
	return f.register(h, nil, name, false)
}

// Mkdir implements afero.Fs (a mutating operation).
func (f *FS) Mkdir(name string, perm os.FileMode) error {
	return f.mutate(Op{Kind: OpMkdir, Path: name}, func() error { return f.inner.Mkdir(name, perm) })
}

// MkdirAll implements afero.Fs (one mutating operation, however many
// directories it creates).
func (f *FS) MkdirAll(path string, perm os.FileMode) error {
	return f.mutate(Op{Kind: OpMkdirAll, Path: path}, func() error { return f.inner.MkdirAll(path, perm) })
}

// Remove implements afero.Fs (a mutating operation).
func (f *FS) Remove(name string) error {
	return f.mutate(Op{Kind: OpRemove, Path: name}, func() error { return f.inner.Remove(name) })
}

// RemoveAll implements afero.Fs (one mutating operation).
func (f *FS) RemoveAll(path string) error {
	return f.mutate(Op{Kind: OpRemoveAll, Path: path}, func() error { return f.inner.RemoveAll(path) })
}

// Rename implements afero.Fs (a mutating operation).
func (f *FS) Rename(oldname, newname string) error {
	return f.mutate(Op{Kind: OpRename, Path: oldname, NewPath: newname}, func() error {
		return f.inner.Rename(oldname, newname)
	})
}

// Chmod implements afero.Fs (a mutating operation).
func (f *FS) Chmod(name string, mode os.FileMode) error {
	return f.mutate(Op{Kind: OpChmod, Path: name}, func() error { return f.inner.Chmod(name, mode) })
}

// Chown implements afero.Fs (a mutating operation).
func (f *FS) Chown(name string, uid, gid int) error {
	return f.mutate(Op{Kind: OpChown, Path: name}, func() error { return f.inner.Chown(name, uid, gid) })
}

// Chtimes implements afero.Fs (a mutating operation).
func (f *FS) Chtimes(name string, atime, mtime time.Time) error {
	return f.mutate(Op{Kind: OpChtimes, Path: name}, func() error { return f.inner.Chtimes(name, atime, mtime) })
}

// Stat implements afero.Fs (not counted).
func (f *FS) Stat(name string) (os.FileInfo, error) {
	if f.crashed.Load() {
		return nil, crashedErr("stat", name)
	}
	return f.inner.Stat(name)
}

// LstatIfPossible implements afero.Lstater (not counted): the inner
// filesystem's Lstat when it has one, else Stat and false.
func (f *FS) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if f.crashed.Load() {
		return nil, false, crashedErr("lstat", name)
	}
	if l, ok := f.inner.(afero.Lstater); ok {
		return l.LstatIfPossible(name)
	}
	fi, err := f.inner.Stat(name)
	return fi, false, err
}

// ReadlinkIfPossible implements afero.LinkReader (not counted: it reads):
// the inner filesystem's, or an error wrapping errors.ErrUnsupported when
// it has none. A process creates no links (FS has no SymlinkIfPossible):
// a test plants them on the disk itself.
func (f *FS) ReadlinkIfPossible(name string) (string, error) {
	if f.crashed.Load() {
		return "", crashedErr("readlink", name)
	}
	if r, ok := f.inner.(afero.LinkReader); ok {
		return r.ReadlinkIfPossible(name)
	}
	return "", pathErr("readlink", name, errors.ErrUnsupported)
}

// ErrNoLocker is returned by FS.Lock when the inner filesystem has no
// Lock method. It wraps errors.ErrUnsupported.
var ErrNoLocker = fmt.Errorf("faults: inner filesystem has no Lock: %w", errors.ErrUnsupported)

// Lock takes the inner filesystem's named lock for this process (the
// fslock.Locker interface; not counted). A crash of the process releases
// every lock it holds; release is idempotent and fails with ErrCrashed
// after the crash. On an inner filesystem without Lock it fails with
// ErrNoLocker (use FS.Fs to hide the method instead).
func (f *FS) Lock(ctx context.Context, name string) (func() error, error) {
	if f.crashed.Load() {
		return nil, crashedErr("lock", name)
	}
	var held heldLock
	if m, ok := f.inner.(*MemFS); ok { // the disk's semaphore, without its closure
		sem, err := m.acquire(ctx, name)
		if err != nil {
			return nil, err
		}
		held.sem = sem
	} else {
		l, ok := f.inner.(locker)
		if !ok {
			return nil, ErrNoLocker
		}
		release, err := l.Lock(ctx, name)
		if err != nil {
			return nil, err
		}
		held.release = release
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.crashed.Load() {
		_ = held.free()
		return nil, crashedErr("lock", name)
	}
	held.id = f.nextLock
	f.nextLock++
	f.locks = append(f.locks, held)
	return func() error { return f.unlock(held.id, name) }, nil
}

// unlock releases the lock id if this process still holds it: nil if it
// was released already, ErrCrashed if the crash released it.
func (f *FS) unlock(id uint64, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	i := slices.IndexFunc(f.locks, func(l heldLock) bool { return l.id == id })
	if i < 0 {
		if f.crashed.Load() {
			return crashedErr("unlock", name)
		}
		return nil
	}
	l := f.locks[i]
	f.locks = slices.Delete(f.locks, i, i+1)
	return l.free()
}
