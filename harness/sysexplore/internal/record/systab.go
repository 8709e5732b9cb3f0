package record

// class is what the recorder does with a syscall: how it decodes the
// arguments at entry and what it updates at exit. The architecture tables
// (amd64Table, arm64Table) map syscall numbers to a class, a name and the
// positions of the arguments; the decoder (decode_linux.go) is the same
// on every architecture.
type class uint8

// The classes.
const (
	cOpen       class = iota + 1 // open, openat, creat, openat2
	cWrite                       // write, pwrite64
	cWritev                      // writev, pwritev, pwritev2
	cTruncate                    // truncate (Path), ftruncate (FD)
	cFsync                       // fsync, fdatasync
	cSyncAll                     // sync, syncfs (FD)
	cRename                      // rename, renameat, renameat2
	cUnlink                      // unlink, unlinkat, rmdir: an entry removed
	cMkdir                       // mkdir, mkdirat
	cLink                        // link, linkat
	cSymlink                     // symlink, symlinkat (Path2: the target text)
	cChmod                       // chmod, fchmodat, fchmodat2, fchmod (FD)
	cChown                       // chown, lchown, fchownat, fchown (FD)
	cClose                       // close
	cCloseRange                  // close_range (FD, FD2: first and last)
	cDup                         // dup, dup2, dup3 (FD, FD2, Flags)
	cFcntl                       // fcntl (FD, Cmd, Arg): F_DUPFD*, F_SETFD
	cChdir                       // chdir
	cFchdir                      // fchdir
)

// args gives the position of each argument of a syscall, counted from 1
// as in the man pages; 0 means the syscall has no such argument (a
// missing directory fd is AT_FDCWD).
type args struct {
	Dir, Path   int8 // directory fd and path (the file, or a rename's or link's source)
	Dir2, Path2 int8 // a rename's or link's destination; a symlink's target (Path2 only)
	FD, FD2     int8 // the file descriptor; close_range's last, dup2/dup3's new fd
	Flags, Mode int8 // open/unlinkat/renameat2/dup3/fchownat flags; create/mkdir/chmod mode
	Buf, Count  int8 // write buffer (an iovec array for cWritev) and its length (iovec count)
	Off         int8 // explicit write offset; truncate length
	How         int8 // openat2's struct open_how
	Cmd, Arg    int8 // fcntl's command and argument
}

// sysCall is one row of an architecture table.
type sysCall struct {
	Nr    uint64
	Name  string
	Class class
	Args  args
}

// Every table lists the same syscalls under the same names, classes and
// argument positions (TestArchTablesAgree), except the legacy path calls
// that arm64 never had (open, creat, rename, unlink, rmdir, mkdir, link,
// symlink, chmod, chown, lchown, dup2): their *at forms cover them there.

// byNumber indexes a table.
func byNumber(tab []sysCall) map[uint64]sysCall {
	m := make(map[uint64]sysCall, len(tab))
	for _, s := range tab {
		m[s.Nr] = s
	}
	return m
}
