package sysexplore

import (
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// The ext4 data=ordered model with auto_da_alloc (docs/syscall-explore.md,
// "Persistence models"), on top of the strict replay:
//
//   - metadata (creates, renames, unlinks, links, mkdir, truncates) goes
//     through one journal, committed in order: every fsync or fdatasync
//     of any file or directory commits everything before it (so, in the
//     replay, every directory is synced at it);
//   - file data is delayed-allocated: it is durable only after an fsync
//     of the file, or when auto_da_alloc forces it — a rename over an
//     existing file forces the renamed file's data, and a truncate to
//     zero of a non-empty file forces the data written before its close
//     — in both cases at the next commit;
//   - a file whose data is not durable at a commit keeps its unsynced
//     changes out of the image entirely (its metadata changes since its
//     last sync too: the model loses the truncate of a file rewritten in
//     place, and keeps the file's old bytes, unless a commit falls between
//     the truncate and the write).
//
// power: the image at the last commit. power-partial: a seeded commit
// between the last explicit commit and the crash point (the periodic
// commit of jbd2) is added.

// ext4File is what the model tracks of one file inode (shared by its
// names and its open descriptions).
type ext4File struct {
	unforced  bool // holds written data no commit will force
	truncZero bool // truncated to zero since its last sync: the close forces its data
}

// ext4Model follows the files of one replay.
type ext4Model struct {
	r     *replayer
	files map[string]*ext4File // disk path -> file (hard links share one)
	descs map[int]*ext4File    // open description -> file

	// Set by before for after: the state the op changes.
	renameOver bool // a rename replaces an existing regular file
	nonEmpty   bool // a truncating open or truncate finds data
}

func newExt4Model(r *replayer) *ext4Model {
	return &ext4Model{r: r, files: map[string]*ext4File{}, descs: map[int]*ext4File{}}
}

// file returns the state of the file at disk path p (created on first
// use).
func (x *ext4Model) file(p string) *ext4File {
	f := x.files[p]
	if f == nil {
		f = &ext4File{}
		x.files[p] = f
	}
	return f
}

// size returns the live size of the regular file at p (-1: none).
func (x *ext4Model) size(p string) int64 {
	fi, err := x.r.disk.Stat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return -1
	}
	return fi.Size()
}

// before notes what op o finds on the disk before it is applied.
func (x *ext4Model) before(o trace.Op) {
	x.renameOver, x.nonEmpty = false, false
	if o.Failed() {
		return
	}
	switch o.Kind {
	case faults.OpRename:
		if to, err := x.r.resolve(o.NewPath, false); err == nil && to != "" {
			fi, _, err := x.r.disk.LstatIfPossible(to)
			x.renameOver = err == nil && fi.Mode().IsRegular()
		}
	case faults.OpOpen:
		if o.Flags&os.O_TRUNC != 0 {
			if p, err := x.r.opPath(o); err == nil && p != "" {
				x.nonEmpty = x.size(p) > 0
			}
		}
	case faults.OpTruncate:
		if o.Desc != 0 {
			if f := x.r.files[o.Desc]; f != nil {
				if fi, err := f.Stat(); err == nil {
					x.nonEmpty = fi.Size() > 0
				}
			}
		} else if p, err := x.r.opPath(o); err == nil && p != "" {
			x.nonEmpty = x.size(p) > 0
		}
	}
}

// after updates the model once op o is applied; a sync commits.
func (x *ext4Model) after(o trace.Op) error {
	if o.Failed() {
		return nil
	}
	switch o.Kind {
	case faults.OpOpen:
		p, err := x.r.opPath(o)
		if err != nil || p == "" {
			return err
		}
		if fi, err := x.r.disk.Stat(p); err != nil || !fi.Mode().IsRegular() {
			return nil // a directory opened to be synced
		}
		f := x.file(p)
		x.descs[o.Desc] = f
		if x.nonEmpty {
			f.truncZero = true
		}
	case faults.OpWrite:
		if f := x.descs[o.Desc]; f != nil {
			f.unforced = true
		}
	case faults.OpTruncate:
		f := x.descs[o.Desc]
		if o.Desc == 0 {
			if p, err := x.r.opPath(o); err == nil && p != "" {
				f = x.file(p)
			}
		}
		if f != nil && o.Off == 0 && x.nonEmpty {
			f.truncZero = true
		}
	case faults.OpClose:
		if f := x.descs[o.Desc]; f != nil && o.Last {
			delete(x.descs, o.Desc)
			if f.truncZero {
				f.unforced, f.truncZero = false, false // replace-via-truncate
			}
		}
	case faults.OpRename:
		from, ferr := x.r.resolve(o.Path, false)
		to, terr := x.r.resolve(o.NewPath, false)
		if ferr != nil || terr != nil || from == "" || to == "" {
			return nil
		}
		if f := x.files[from]; f != nil && x.renameOver {
			f.unforced = false // replace-via-rename
		}
		x.move(from, to)
	case faults.OpLink:
		from, ferr := x.r.resolve(o.Path, false)
		to, terr := x.r.resolve(o.NewPath, false)
		if ferr == nil && terr == nil && from != "" && to != "" {
			if f := x.files[from]; f != nil {
				x.files[to] = f
			}
		}
	case faults.OpRemove:
		if p, err := x.r.resolve(o.Path, false); err == nil && p != "" {
			x.drop(p)
		}
	case faults.OpSync:
		if f := x.descs[o.Desc]; f != nil {
			f.unforced, f.truncZero = false, false // the strict replay synced it
		}
		return x.commit()
	case faults.OpSyncFS:
		for _, f := range x.files {
			f.unforced, f.truncZero = false, false // the strict replay synced everything
		}
	}
	return nil
}

// move renames p (a file, or a directory and everything below it).
func (x *ext4Model) move(from, to string) {
	x.drop(to)
	for p, f := range x.files {
		if p == from {
			delete(x.files, p)
			x.files[to] = f
		} else if rest, ok := strings.CutPrefix(p, from+"/"); ok {
			delete(x.files, p)
			x.files[to+"/"+rest] = f
		}
	}
}

// drop forgets p and everything below it.
func (x *ext4Model) drop(p string) {
	for q := range x.files {
		if q == p || strings.HasPrefix(q, p+"/") {
			delete(x.files, q)
		}
	}
}

// commit is a journal commit: every directory's entries become durable,
// and every file whose data is forced (or that holds no unforced data).
func (x *ext4Model) commit() error {
	var errs []error
	ents := x.r.disk.Files()
	paths := make([]string, 0, len(ents))
	for p := range ents {
		paths = append(paths, p)
	}
	slices.Sort(paths)
	for _, p := range paths {
		e := ents[p]
		switch {
		case e.Mode.IsDir():
			errs = append(errs, syncPath(x.r.disk, p))
		case e.Mode&fs.ModeSymlink != 0 || e.Link != "":
		default:
			if f := x.files[p]; f == nil || !f.unforced {
				errs = append(errs, syncPath(x.r.disk, p))
			}
		}
	}
	return errors.Join(append(errs, syncPath(x.r.disk, "/"))...)
}

// lastCommit returns the position after the last op that commits (an
// fsync, fdatasync, sync or syncfs that succeeded); 0 if none.
func lastCommit(ops []trace.Op) int {
	for i := len(ops) - 1; i >= 0; i-- {
		if (ops[i].Kind == faults.OpSync || ops[i].Kind == faults.OpSyncFS) && !ops[i].Failed() {
			return i + 1
		}
	}
	return 0
}

// ext4Image replays ops under the ext4 model and returns the image of a
// power loss after them: the disk as of the last commit (power), or of a
// seeded later commit (power-partial: the periodic commit may fall
// between any two ops after the last explicit one).
func ext4Image(start *faults.MemFS, root string, ops []trace.Op, mode faults.Mode, seed uint64, point int) (*faults.MemFS, error) {
	disk := start.Clone()
	r := newReplayer(disk, root)
	x := newExt4Model(r)
	cut := -1 // commit after this many ops
	if mode == faults.PowerPartial {
		lo := lastCommit(ops)
		rng := rand.New(rand.NewPCG(seed, uint64(point)))
		cut = lo + rng.IntN(len(ops)-lo+1)
	}
	for i, o := range ops {
		if i == cut && cut > 0 {
			if err := x.commit(); err != nil {
				return nil, &replayError{Op: "a periodic commit", Err: err}
			}
		}
		x.before(o)
		if err := r.apply(o); err != nil {
			return nil, &replayError{Op: o.Describe(root), Err: err}
		}
		if err := x.after(o); err != nil {
			return nil, &replayError{Op: o.Describe(root), Err: err}
		}
	}
	if cut == len(ops) && cut > 0 {
		if err := x.commit(); err != nil {
			return nil, &replayError{Op: "a periodic commit", Err: err}
		}
	}
	return disk.CrashImage(faults.Power, nil), nil
}
