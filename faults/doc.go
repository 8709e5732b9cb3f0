// Package faults is scopemig's fault layer: a simulated disk with explicit
// durability, a per-process filesystem wrapper that crashes or fails at a
// chosen operation, and a tiny schedule language that prints and parses
// every fault plan exactly (for replay). It depends on afero only: faults
// at the level of whole secrets-provider calls are in faults/opfaults.
//
// # The disk: MemFS
//
// MemFS is an in-memory afero.Fs that behaves like a POSIX filesystem for
// ordinary use (parents must exist, O_EXCL, O_TRUNC, O_APPEND, rename over a
// file, ENOTEMPTY, sorted directory listings, errors as *os.PathError
// wrapping syscall errnos) and that, like Pebble's strict MemFS, tracks two
// states for everything:
//
//   - a file has live data and mode, and synced data and mode: File.Sync
//     makes the live data and mode durable (fsync persists the inode);
//   - a directory has live entries and durable entries: a create, mkdir,
//     rename or remove survives power loss only after the directory that
//     holds the entry is opened and Synced. Syncing a file does not make its
//     name durable, and syncing a directory does not persist the data of
//     the files in it;
//   - a symlink (SymlinkIfPossible) is an entry like any other, its target
//     part of its creation: it survives power loss once its directory is
//     synced. Links are followed in every path component (Stat, Open,
//     OpenFile, Chmod, MkdirAll), the last one excepted for
//     LstatIfPossible, ReadlinkIfPossible, Remove and Rename, as on Linux
//     (O_CREATE|O_EXCL and O_NOFOLLOW on a link fail; a dangling link with
//     O_CREATE creates its target; more than 40 links fail with ELOOP).
//     A process (FS) reads links but creates none: a test plants them on
//     the disk, so a crash sweep can run a store or config reached through
//     a link (cmd/scopemig TestCrashSweepThroughLinks).
//
// Every change since the last sync is also kept, in order, per inode, so
// that partial power loss can be replayed.
//
// # Crash images
//
// A crash leaves a disk; MemFS.CrashImage(mode, rng) returns the disk a
// restarted machine sees, as a new MemFS whose state is entirely durable:
//
//   - Process: the process died, the kernel survived: the live state.
//   - Torn: like Process; the crashing write itself was applied partially
//     (the FS wrapper writes a seeded prefix of its bytes before dying).
//   - Power: the machine lost power: only synced file data and modes, and
//     durable directory entries, remain.
//   - PowerPartial: power loss where the disk had flushed some of its queue:
//     per inode (visited in sorted path order, one draw each from rng), a
//     seeded PREFIX of the changes since its last sync persists (for a file
//     its writes, truncates and chmods; for a directory its entry changes
//     and chmods). A prefix rather than an arbitrary subset, because file
//     systems commit the metadata of one directory in order (journaling)
//     and a rename within one directory is one change, hence atomic. Across
//     directories nothing is ordered: a rename between two directories can
//     persist in neither, either or both (the file then shows under both
//     names, as two independent copies).
//
// Images never share mutable state with the disk they come from; Clone
// copies a disk with its pending (unsynced) state so that the same starting
// point can be crashed many times. Both are cheap on small trees: byte
// slices are shared copy-on-write and inodes come from one arena.
//
// MemFS.Lock is a disk-wide table of named exclusive locks (the
// impl/fslock.Locker method), shared by every process on the disk; a crash
// image starts unlocked. MemFS.Files snapshots every path with its mode
// and bytes (to compare file sets and scan images for plaintext);
// MemFS.String lists paths, modes, sizes and what is not yet durable,
// never content.
//
// # Processes: FS
//
// NewFS(disk, injector) is one simulated process using the disk. It counts
// the MUTATING operations the process makes (create, open for writing,
// write, truncate, sync, close of a file opened for writing, rename,
// remove, removeall, mkdir, mkdirall, chmod, chown, chtimes), numbering them
// from 0, and asks the Injector before each one whether to let it run,
// crash the process (the operation is not performed, except that a Torn
// crash on a write first writes a seeded prefix of its bytes), or fail it
// with an injected errno (EIO, ENOSPC, ...; the operation is not
// performed). Reads are never counted nor faulted. After a crash every call
// on the FS and on every file it opened fails with an error wrapping
// ErrCrashed, and every lock the process held on the disk is released.
// FS.Image returns the disk a restart sees (the crash image of the inner
// MemFS in the crash's mode and seed).
//
// # Injectors and schedules
//
// An Injector is a predicate over an operation attached to an action, in
// the style of Pebble's errorfs: On(p, a) takes action a (a crash with a
// mode and seed, before the operation or After it; or a failure with an
// errno) on the operations p matches. Predicates select by index
// (OpIndex), kind (OfKind), path (PathGlob; a provider call's key) or a
// seeded draw (OneIn), and combine with Any and All; Seq chains injectors
// (the first that does not pass decides). CrashAt and ErrorAt are On with
// an OpIndex, the forms the harness's sweeps record. The same injectors
// drive provider calls (faults/opfaults.Provider presents each call as an
// Op of kind OpGetSecret ... OpUpdate).
//
// Injectors print as a schedule and ParseSchedule reads it back to an
// equal injector:
//
//	crash(op=5,mode=torn,seed=42)
//	err(op=3,errno=ENOSPC)
//	err(kind=sync,path="/d/*",errno=EIO)
//	crash(any(kind=rename,kind=remove),mode=power,seed=1)
//	err(rand(one_in=50,seed=7),errno=EIO)
//	crash(op=9,mode=power,seed=1);err(op=3,errno=EIO)
//	crash(op=3,mode=process,seed=0,when=after)
//	none
//
// Every random choice is derived from a seed in the schedule, so a printed
// schedule replays the same run.
package faults
