package record

// arm64Table is the linux/arm64 table (include/uapi/asm-generic/unistd.h).
// It is compiled on every architecture so that the tables can be compared.
func arm64Table() []sysCall {
	return []sysCall{
		{56, "openat", cOpen, args{Dir: 1, Path: 2, Flags: 3, Mode: 4}},
		{437, "openat2", cOpen, args{Dir: 1, Path: 2, How: 3}},
		{64, "write", cWrite, args{FD: 1, Buf: 2, Count: 3}},
		{68, "pwrite64", cWrite, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{66, "writev", cWritev, args{FD: 1, Buf: 2, Count: 3}},
		{70, "pwritev", cWritev, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{287, "pwritev2", cWritev, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{45, "truncate", cTruncate, args{Path: 1, Off: 2}},
		{46, "ftruncate", cTruncate, args{FD: 1, Off: 2}},
		{82, "fsync", cFsync, args{FD: 1}},
		{83, "fdatasync", cFsync, args{FD: 1}},
		{81, "sync", cSyncAll, args{}},
		{267, "syncfs", cSyncAll, args{FD: 1}},
		{38, "renameat", cRename, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4}},
		{276, "renameat2", cRename, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4, Flags: 5}},
		{35, "unlinkat", cUnlink, args{Dir: 1, Path: 2, Flags: 3}},
		{34, "mkdirat", cMkdir, args{Dir: 1, Path: 2, Mode: 3}},
		{37, "linkat", cLink, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4}},
		{36, "symlinkat", cSymlink, args{Path2: 1, Dir: 2, Path: 3}},
		{53, "fchmodat", cChmod, args{Dir: 1, Path: 2, Mode: 3}},
		{452, "fchmodat2", cChmod, args{Dir: 1, Path: 2, Mode: 3}},
		{52, "fchmod", cChmod, args{FD: 1, Mode: 2}},
		{54, "fchownat", cChown, args{Dir: 1, Path: 2, Flags: 5}},
		{55, "fchown", cChown, args{FD: 1}},
		{57, "close", cClose, args{FD: 1}},
		{436, "close_range", cCloseRange, args{FD: 1, FD2: 2}},
		{23, "dup", cDup, args{FD: 1}},
		{24, "dup3", cDup, args{FD: 1, FD2: 2, Flags: 3}},
		{25, "fcntl", cFcntl, args{FD: 1, Cmd: 2, Arg: 3}},
		{49, "chdir", cChdir, args{Path: 1}},
		{50, "fchdir", cFchdir, args{FD: 1}},
	}
}

// arm64Clone3 is clone3's number on linux/arm64.
const arm64Clone3 = 435
