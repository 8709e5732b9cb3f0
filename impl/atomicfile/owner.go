package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/spf13/afero"
)

// Sentinel errors of the checks that run before the first write. Each
// failure wraps one of them; nothing has been written when it is returned.
var (
	// ErrNotRegular: the target, or a leftover at its temp name, is not a
	// regular file (a symlink, a FIFO, a directory, a device), or the
	// leftover has more than one hard link. scopemig never creates such
	// an entry, so it is someone else's: it is neither followed, written
	// through, nor removed.
	ErrNotRegular = errors.New("not a regular file scopemig may replace")
	// ErrOwner: replacing the file would change its owner (the process
	// is neither root nor the file's owner, or cannot give the file its
	// group back).
	ErrOwner = errors.New("replacing the file would change its owner")
)

// Owner is a file's numeric owner. Known is false where the filesystem
// does not report owners (an in-memory afero.Fs, a non-Unix system).
type Owner struct {
	UID, GID int
	Known    bool
}

func (o Owner) String() string {
	if !o.Known {
		return "unknown"
	}
	return fmt.Sprintf("%d:%d", o.UID, o.GID)
}

// Identity is the effective identity of the writing process. The zero
// value (Known false) disables every ownership decision: files get
// whatever owner the filesystem gives them.
type Identity struct {
	UID, GID int
	Groups   []int // supplementary groups
	Known    bool
}

// root reports whether the identity may give files any owner.
func (id Identity) root() bool { return id.Known && id.UID == 0 }

// inGroup reports whether the identity may give a file it owns group gid.
func (id Identity) inGroup(gid int) bool {
	return id.GID == gid || slices.Contains(id.Groups, gid)
}

// ProcessIdentity returns the effective identity of this process (Known
// false where the platform has no numeric owners).
func ProcessIdentity() Identity {
	uid := os.Geteuid()
	if uid < 0 {
		return Identity{}
	}
	groups, _ := os.Getgroups() // an error only loses the supplementary groups
	return Identity{UID: uid, GID: os.Getegid(), Groups: groups, Known: true}
}

// lstat is Lstat where fsys supports it (afero.Lstater), else Stat.
func lstat(fsys afero.Fs, name string) (os.FileInfo, error) {
	if ls, ok := fsys.(afero.Lstater); ok {
		fi, _, err := ls.LstatIfPossible(name)
		return fi, err
	}
	return fsys.Stat(name)
}

// plan is what Write decided before its first write.
type plan struct {
	keep Owner // the owner the new file must have; Known false: any
}

// planReplace checks, before anything is written, that path may be
// replaced by this identity without following a link or changing an
// owner, and returns the owner the new file must get:
//
//   - an existing path must be a regular file (Lstat: a symlink is
//     refused, never followed); its uid and gid are kept: the identity
//     must be root, or own the file and belong to its group, else ErrOwner;
//   - a missing path is created; when running as root it gets the owner of
//     its directory (sudo on a user's store leaves the user's files), else
//     the filesystem's default.
func planReplace(fsys afero.Fs, path string, id Identity) (plan, error) {
	fi, err := lstat(fsys, path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if !id.root() {
			return plan{}, nil
		}
		di, err := fsys.Stat(dirOf(path))
		if err != nil {
			return plan{}, err
		}
		return plan{keep: ownerOf(di)}, nil
	case err != nil:
		return plan{}, err
	case !fi.Mode().IsRegular():
		return plan{}, fmt.Errorf("%w: %s is a %s", ErrNotRegular, path, TypeName(fi.Mode()))
	}
	o := ownerOf(fi)
	if !o.Known || !id.Known || id.root() {
		return plan{keep: o}, nil
	}
	if o.UID != id.UID || !id.inGroup(o.GID) {
		return plan{}, fmt.Errorf("%w: %s belongs to %s and this process runs as %d:%d; run it as the file's owner (or as root, which keeps the owner)",
			ErrOwner, path, o, id.UID, id.GID)
	}
	return plan{keep: o}, nil
}

// TypeName names a non-regular file type for an error message: "symlink",
// "directory", "FIFO", "socket", "device" or "special file (…)".
func TypeName(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symlink"
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "FIFO"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return "special file (" + m.Type().String() + ")"
	}
}
