// Package fslock provides the cross-instance lock that guards the stores of
// one directory on an afero.Fs.
//
// Acquire picks the mechanism from the filesystem:
//
//   - an Fs that implements Locker (a simulated disk, or one wrapped with
//     WithLocker) provides the lock itself, so that every store instance on
//     that Fs — and every simulated process — shares it;
//   - a real filesystem (*afero.OsFs, or an *afero.BasePathFs whose files are
//     *os.File) is locked with flock(2) on a read-only descriptor of the
//     directory itself: no lock file is ever created, so a command that fails
//     writes not one byte;
//   - any other Fs (a plain afero.MemMapFs, say) gets a no-op lock: it is
//     process-local by nature, and callers that need mutual exclusion between
//     store instances on it must wrap it with WithLocker.
//
// AcquireFile takes a second, interoperability lock: flock(2) on a sidecar
// lock file, the convention of ToolHive v0.47.0 (pkg/fileutils.WithFileLock:
// gofrs/flock on "<secrets file>.lock", 5 s timeout). Two programs only
// exclude each other if they lock the same inode, so a store that ToolHive
// also writes must take ToolHive's lock as well as its own (the config
// file too: "config.yaml.lock", ToolHive's UpdateConfigAtPath). It is a
// flock on real filesystems; on an Fs with its own Locker (a simulated
// disk) it is that Locker's lock named by the lock file's path, so a
// simulated ToolHive process is excluded the same way; on any other Fs it
// is a no-op. It creates nothing except on a real filesystem, and is taken
// only by writers: it creates the lock file there, and reads and failed
// opens must write nothing.
//
// Lock order: a caller that holds both takes Acquire (the directory) first,
// then AcquireFile, and releases in reverse order. ToolHive takes only the
// file lock, so no cycle is possible.
//
// Why the lock file is never removed: ToolHive unlocks and then removes its
// lock file. If process A unlocks, B opens and locks that same inode, and A
// then removes the name, a third process C creates a new file under the
// name and locks it while B still holds the old, now nameless, inode: B and
// C both "hold" the lock. Leaving the file in place keeps one stable inode,
// which is strictly safer; the cost is one empty 0600 file next to the
// store. AcquireFile tolerates the other tools' removal: it opens the file
// afresh on every call (creating it if missing) and, once its flock is
// granted, checks that the name still refers to the locked inode, retrying
// otherwise. The residual window is ToolHive's own unlock-then-remove race
// above (a ToolHive process removing the name just after AcquireFile's check,
// then another ToolHive process locking a new file; or a ToolHive process
// already holding a removed inode while AcquireFile locks a new one):
// ToolHive's protocol has it among its own processes too, and no lock can
// close it alone. impl/config's flag write therefore checks again right
// before its rename, and interop/lockrace_linux_test.go reproduces every
// case with real processes (docs/toolhive-differences.md: what is closed,
// what remains, the measured rate).
//
// Crash contract: neither lock holds data. The kernel drops a flock when its
// process dies; a crash leaves at most an empty lock file, which every later
// locker (scopemig or ToolHive) simply reuses.
//
// Hostile names: a lock file is never opened through a symlink
// and never a FIFO, directory or device (ErrNotRegular); PreflightFile
// checks that without opening it. Run as root, a lock file it creates in a
// user's directory belongs to that user.
//
// Waits: a Wait attached to the context (WithWait) makes Acquire and
// AcquireFile announce a wait that outlasts NotifyAfter (the CLI prints
// "waiting for the lock file … (held by another process)") and give up
// after Timeout with ErrTimeout; without one they wait until the context
// is done.
//
// The package holds no mutable package-level state.
package fslock
