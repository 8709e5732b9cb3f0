package faults

import (
	"math/rand/v2"
	"os"

	"github.com/spf13/afero"
)

// file is a handle opened through an FS. Reads pass through (failing after
// a crash); writes, truncates, syncs and the close of a handle opened for
// writing are mutating operations of the process.
type file struct {
	fs    *FS
	inner afero.File
	name  string // as opened
	write bool   // opened for writing: Close is counted
}

var _ afero.File = (*file)(nil)

// Name implements afero.File.
func (h *file) Name() string { return h.name }

// alive fails after the crash.
func (h *file) alive(op string) error {
	if h.fs.crashed.Load() {
		return crashedErr(op, h.name)
	}
	return nil
}

// Close implements afero.File; counted when the file was opened for
// writing. An injected error leaves the handle open.
func (h *file) Close() error {
	f := h.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	var a Action
	op := Op{Kind: OpClose, Path: h.name}
	if h.write {
		var err error
		if a, err = f.begin(op); err != nil {
			return err
		}
	} else if f.crashed.Load() {
		return crashedErr("close", h.name)
	}
	f.unregister(h)
	err := h.inner.Close()
	if cerr := f.after(a, op); cerr != nil {
		return cerr
	}
	return err
}

// Read implements afero.File (not counted).
func (h *file) Read(p []byte) (int, error) {
	if err := h.alive("read"); err != nil {
		return 0, err
	}
	return h.inner.Read(p)
}

// ReadAt implements afero.File (not counted).
func (h *file) ReadAt(p []byte, off int64) (int, error) {
	if err := h.alive("read"); err != nil {
		return 0, err
	}
	return h.inner.ReadAt(p, off)
}

// Seek implements afero.File (not counted).
func (h *file) Seek(offset int64, whence int) (int64, error) {
	if err := h.alive("seek"); err != nil {
		return 0, err
	}
	return h.inner.Seek(offset, whence)
}

// Stat implements afero.File (not counted).
func (h *file) Stat() (os.FileInfo, error) {
	if err := h.alive("stat"); err != nil {
		return nil, err
	}
	return h.inner.Stat()
}

// Readdir implements afero.File (not counted).
func (h *file) Readdir(count int) ([]os.FileInfo, error) {
	if err := h.alive("readdir"); err != nil {
		return nil, err
	}
	return h.inner.Readdir(count)
}

// Readdirnames implements afero.File (not counted).
func (h *file) Readdirnames(n int) ([]string, error) {
	if err := h.alive("readdir"); err != nil {
		return nil, err
	}
	return h.inner.Readdirnames(n)
}

// Write implements afero.File (a mutating operation; a Torn crash writes a
// seeded prefix of p first).
func (h *file) Write(p []byte) (int, error) {
	return h.writeOp(p, func(b []byte) (int, error) { return h.inner.Write(b) })
}

// WriteAt implements afero.File (a mutating operation, torn like Write).
func (h *file) WriteAt(p []byte, off int64) (int, error) {
	return h.writeOp(p, func(b []byte) (int, error) { return h.inner.WriteAt(b, off) })
}

// WriteString implements afero.File (one Write).
func (h *file) WriteString(s string) (int, error) { return h.Write([]byte(s)) }

func (h *file) writeOp(p []byte, do func([]byte) (int, error)) (int, error) {
	f := h.fs
	f.mu.Lock()
	defer f.mu.Unlock()
	op := Op{Kind: OpWrite, Path: h.name, Len: len(p)}
	a, err := f.begin(op)
	if err != nil {
		return 0, err
	}
	if a.Kind == Crash && !a.After { // Torn: a prefix reaches the file, then the process dies
		n := 0
		if len(p) > 0 {
			n = int(rand.NewPCG(a.Seed, uint64(f.ops-1)).Uint64() % uint64(len(p)))
		}
		if n > 0 {
			n, _ = do(p[:n]) // the process dies whatever the outcome
		}
		f.crashLocked(a)
		return n, crashedErr("write", h.name)
	}
	n, err := do(p)
	if cerr := f.after(a, op); cerr != nil {
		return n, cerr
	}
	return n, err
}

// Truncate implements afero.File (a mutating operation).
func (h *file) Truncate(size int64) error {
	return h.fs.mutate(Op{Kind: OpTruncate, Path: h.name}, func() error { return h.inner.Truncate(size) })
}

// Sync implements afero.File (a mutating operation, on files and
// directories alike).
func (h *file) Sync() error {
	return h.fs.mutate(Op{Kind: OpSync, Path: h.name}, h.inner.Sync)
}
