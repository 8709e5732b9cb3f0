package record

// amd64Table is the linux/amd64 table (arch/x86/entry/syscalls/syscall_64.tbl).
// It is compiled on every architecture so that the tables can be compared.
func amd64Table() []sysCall {
	return []sysCall{
		{2, "open", cOpen, args{Path: 1, Flags: 2, Mode: 3}},
		{257, "openat", cOpen, args{Dir: 1, Path: 2, Flags: 3, Mode: 4}},
		{85, "creat", cOpen, args{Path: 1, Mode: 2}},
		{437, "openat2", cOpen, args{Dir: 1, Path: 2, How: 3}},
		{1, "write", cWrite, args{FD: 1, Buf: 2, Count: 3}},
		{18, "pwrite64", cWrite, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{20, "writev", cWritev, args{FD: 1, Buf: 2, Count: 3}},
		{296, "pwritev", cWritev, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{328, "pwritev2", cWritev, args{FD: 1, Buf: 2, Count: 3, Off: 4}},
		{76, "truncate", cTruncate, args{Path: 1, Off: 2}},
		{77, "ftruncate", cTruncate, args{FD: 1, Off: 2}},
		{74, "fsync", cFsync, args{FD: 1}},
		{75, "fdatasync", cFsync, args{FD: 1}},
		{162, "sync", cSyncAll, args{}},
		{306, "syncfs", cSyncAll, args{FD: 1}},
		{82, "rename", cRename, args{Path: 1, Path2: 2}},
		{264, "renameat", cRename, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4}},
		{316, "renameat2", cRename, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4, Flags: 5}},
		{87, "unlink", cUnlink, args{Path: 1}},
		{263, "unlinkat", cUnlink, args{Dir: 1, Path: 2, Flags: 3}},
		{84, "rmdir", cUnlink, args{Path: 1}},
		{83, "mkdir", cMkdir, args{Path: 1, Mode: 2}},
		{258, "mkdirat", cMkdir, args{Dir: 1, Path: 2, Mode: 3}},
		{86, "link", cLink, args{Path: 1, Path2: 2}},
		{265, "linkat", cLink, args{Dir: 1, Path: 2, Dir2: 3, Path2: 4}},
		{88, "symlink", cSymlink, args{Path2: 1, Path: 2}},
		{266, "symlinkat", cSymlink, args{Path2: 1, Dir: 2, Path: 3}},
		{90, "chmod", cChmod, args{Path: 1, Mode: 2}},
		{268, "fchmodat", cChmod, args{Dir: 1, Path: 2, Mode: 3}},
		{452, "fchmodat2", cChmod, args{Dir: 1, Path: 2, Mode: 3}},
		{91, "fchmod", cChmod, args{FD: 1, Mode: 2}},
		{92, "chown", cChown, args{Path: 1}},
		{94, "lchown", cChown, args{Path: 1}},
		{260, "fchownat", cChown, args{Dir: 1, Path: 2, Flags: 5}},
		{93, "fchown", cChown, args{FD: 1}},
		{3, "close", cClose, args{FD: 1}},
		{436, "close_range", cCloseRange, args{FD: 1, FD2: 2}},
		{32, "dup", cDup, args{FD: 1}},
		{33, "dup2", cDup, args{FD: 1, FD2: 2}},
		{292, "dup3", cDup, args{FD: 1, FD2: 2, Flags: 3}},
		{72, "fcntl", cFcntl, args{FD: 1, Cmd: 2, Arg: 3}},
		{80, "chdir", cChdir, args{Path: 1}},
		{81, "fchdir", cFchdir, args{FD: 1}},
	}
}

// amd64Clone3 is clone3's number on linux/amd64 (its flags are in the
// struct its first argument points to; clone's are the first argument).
const amd64Clone3 = 435
