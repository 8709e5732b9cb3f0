package sysexplore

import (
	"errors"
	"os"
	"path"
	"strings"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// Links in the replay. The recorder keeps paths as the program gave them
// (resolved against its working directory, not through symlinks), so the
// replayer follows the symlinks of the simulated disk as the kernel
// followed the real ones: every directory component, and the last one
// for open (without O_NOFOLLOW or O_CREAT|O_EXCL), truncate and chmod.
// (faults.MemFS follows relative links itself; an absolute target names
// the recording's real directory, which only the replayer maps onto the
// disk.) A hard link is one more entry on the file's inode; a symlink is
// a new entry whose target is its data (faults.MemFS's links).

// maxSymlinkHops is the kernel's limit (ELOOP after 40 links).
const maxSymlinkHops = 40

// errSymlinkLoop: a path crosses more symlinks than the kernel allows.
var errSymlinkLoop = errors.New("too many levels of symbolic links")

// resolve maps a recorded absolute path to the disk, following symlinks
// (the last component only when follow is set). "" means outside the
// explored tree.
func (r *replayer) resolve(p string, follow bool) (string, error) {
	rel := r.rel(p)
	if rel == "" {
		return "", nil
	}
	parts := splitPath(rel)
	cur := "/"
	for hops := 0; len(parts) > 0; {
		name := parts[0]
		parts = parts[1:]
		next := path.Join(cur, name)
		if len(parts) == 0 && !follow {
			return next, nil
		}
		target, err := r.disk.ReadlinkIfPossible(next)
		if err != nil {
			cur = next // not a symlink, or missing (the op fails as it did)
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", errSymlinkLoop
		}
		if path.IsAbs(target) {
			t := r.rel(target)
			if t == "" {
				return "", nil // the link leaves the tree
			}
			cur = "/"
			target = t
		}
		parts = append(splitPath(target), parts...)
	}
	return cur, nil
}

// splitPath splits a slash path into its non-empty components.
func splitPath(p string) []string {
	var out []string
	for s := range strings.SplitSeq(p, "/") {
		if s != "" && s != "." {
			out = append(out, s)
		}
	}
	return out
}

// opPath is the disk path of o's Path, followed as the kernel did for
// its syscall.
func (r *replayer) opPath(o trace.Op) (string, error) {
	follow := false
	switch o.Kind {
	case faults.OpOpen:
		follow = o.Flags&oNoFollow == 0 && o.Flags&(os.O_CREATE|os.O_EXCL) != os.O_CREATE|os.O_EXCL
	case faults.OpTruncate, faults.OpChmod:
		follow = true
	}
	return r.resolve(o.Path, follow)
}

// link replays link(2) (Path the existing file, Path2 the new name) and
// symlink(2) (Path the new link, Path2 its target text).
func (r *replayer) link(o trace.Op) error {
	if o.Kind == faults.OpSymlink {
		p, err := r.resolve(o.Path, false)
		if err != nil || p == "" {
			return err
		}
		return r.disk.SymlinkIfPossible(o.NewPath, p)
	}
	from, err := r.resolve(o.Path, false)
	if err != nil {
		return err
	}
	to, err := r.resolve(o.NewPath, false)
	if err != nil {
		return err
	}
	switch {
	case from == "" && to == "":
		return nil
	case from == "" || to == "":
		return errors.New("a hard link across the explored tree's boundary is not modelled")
	}
	return r.disk.Link(from, to)
}
