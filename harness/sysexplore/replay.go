package sysexplore

import (
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// The persistence model of the power modes (docs/syscall-explore.md):
//
//   - file data and mode persist only after an fsync/fdatasync of that
//     file (a sync or syncfs persists everything);
//   - a directory entry (create, rename, unlink, mkdir, rmdir, link)
//     persists only after an fsync of the directory holding it (a hard
//     link is an entry like any other, a symlink an entry whose target is
//     written with it);
//   - a rename is atomic: after power loss either the old or the new
//     entries of the directory are there (power); under power-partial a
//     seeded prefix of each inode's unsynced changes persists, in order,
//     which keeps a same-directory rename atomic too;
//   - close persists nothing.
//
// It is faults.MemFS's model: the recorded ops are replayed onto a MemFS
// holding the starting directory (all durable), and the crash image is
// the MemFS's Power or PowerPartial image.

// replayer applies recorded ops to a simulated disk.
type replayer struct {
	disk  *faults.MemFS
	root  string             // the real root the ops' paths are under
	files map[int]afero.File // description id -> open handle
}

func newReplayer(disk *faults.MemFS, root string) *replayer {
	return &replayer{disk: disk, root: root, files: map[int]afero.File{}}
}

// rel maps a recorded absolute path to the disk ("" outside the root).
func (r *replayer) rel(p string) string {
	if p == r.root {
		return "/"
	}
	if s, ok := strings.CutPrefix(p, r.root+"/"); ok {
		return "/" + s
	}
	return ""
}

// apply replays one op. Failed ops and ops outside the root change
// nothing. An error means the disk refused an op the kernel accepted: the
// replay diverged (reported as inconclusive, never as a violation).
func (r *replayer) apply(o trace.Op) error {
	if o.Failed() {
		return nil
	}
	p, err := r.opPath(o)
	if err != nil {
		return err
	}
	switch o.Kind {
	case faults.OpOpen:
		if p == "" {
			return nil
		}
		flags := o.Flags & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR | os.O_CREATE | os.O_EXCL | os.O_TRUNC | os.O_APPEND)
		f, err := r.disk.OpenFile(p, flags, os.FileMode(o.Mode).Perm())
		if err != nil {
			return err
		}
		r.files[o.Desc] = f
	case faults.OpWrite:
		f := r.files[o.Desc]
		if f == nil {
			return nil
		}
		if len(o.Data) < int(o.Ret) {
			return errors.New("write bytes were not captured")
		}
		data := o.Data[:o.Ret]
		if o.Append {
			if _, err := f.Seek(0, io.SeekEnd); err != nil {
				return err
			}
			_, err := f.Write(data)
			return err
		}
		_, err := f.WriteAt(data, o.Off)
		return err
	case faults.OpTruncate:
		if o.Desc != 0 {
			if f := r.files[o.Desc]; f != nil {
				return f.Truncate(o.Off)
			}
			return nil
		}
		if p == "" {
			return nil
		}
		f, err := r.disk.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		terr := f.Truncate(o.Off)
		return errors.Join(terr, f.Close())
	case faults.OpSync:
		if f := r.files[o.Desc]; f != nil {
			return f.Sync()
		}
	case faults.OpSyncFS:
		return syncAll(r.disk)
	case faults.OpRename:
		from, ferr := r.resolve(o.Path, false)
		to, terr := r.resolve(o.NewPath, false)
		if err := errors.Join(ferr, terr); err != nil {
			return err
		}
		if from == "" || to == "" {
			return errors.New("rename across the explored tree's boundary is not modelled")
		}
		return r.disk.Rename(from, to)
	case faults.OpRemove:
		if p == "" {
			return nil
		}
		return r.disk.Remove(p)
	case faults.OpMkdir:
		if p == "" {
			return nil
		}
		return r.disk.Mkdir(p, os.FileMode(o.Mode).Perm())
	case faults.OpChmod:
		if o.Desc != 0 {
			if f := r.files[o.Desc]; f != nil {
				return r.disk.Chmod(r.rel(o.Path), os.FileMode(o.Mode).Perm())
			}
			return nil
		}
		if p == "" {
			return nil
		}
		return r.disk.Chmod(p, os.FileMode(o.Mode).Perm())
	case faults.OpClose:
		if f := r.files[o.Desc]; f != nil && o.Last {
			delete(r.files, o.Desc)
			return f.Close()
		}
	case faults.OpLink, faults.OpSymlink:
		return r.link(o)
	}
	return nil
}

// syncAll makes everything on the disk durable (sync(2)).
func syncAll(m *faults.MemFS) error {
	var errs []error
	for p, e := range m.Files() {
		errs = append(errs, syncPath(m, p))
		_ = e
	}
	errs = append(errs, syncPath(m, "/"))
	return errors.Join(errs...)
}

// powerImage replays ops onto a copy of start and returns the image a
// power loss right after them leaves: Power (nothing unsynced) or
// PowerPartial (a seeded prefix per inode, seed and point give the rng).
func powerImage(start *faults.MemFS, root string, ops []trace.Op, mode faults.Mode, seed uint64, point int) (*faults.MemFS, error) {
	return powerImageFS(start, root, ops, mode, seed, point, Strict)
}

// powerImageFS is powerImage under the persistence model fsm.
func powerImageFS(start *faults.MemFS, root string, ops []trace.Op, mode faults.Mode, seed uint64, point int, fsm FSModel) (*faults.MemFS, error) {
	if fsm == Ext4Ordered {
		return ext4Image(start, root, ops, mode, seed, point)
	}
	disk := start.Clone()
	r := newReplayer(disk, root)
	for _, o := range ops {
		if err := r.apply(o); err != nil {
			return nil, &replayError{Op: o.Describe(root), Err: err}
		}
	}
	if mode == faults.PowerPartial {
		return disk.CrashImage(faults.PowerPartial, rand.New(rand.NewPCG(seed, uint64(point)))), nil
	}
	return disk.CrashImage(faults.Power, nil), nil
}

// replayError: the simulated disk refused an op the real kernel did.
type replayError struct {
	Op  string
	Err error
}

func (e *replayError) Error() string { return "replay of " + e.Op + " diverged: " + e.Err.Error() }
func (e *replayError) Unwrap() error { return e.Err }
