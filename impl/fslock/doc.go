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
// The package holds no mutable package-level state.
package fslock
