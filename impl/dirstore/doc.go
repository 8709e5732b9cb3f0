// Package dirstore is the second secrets provider: one encrypted file per
// secret in one directory, on an afero.Fs.
//
// # Layout
//
// The store is a directory (mode 0700, created on the first write). Each
// secret lives in its own file (mode 0600) whose name is derived from the
// secret's name, never equal to it:
//
//	<dir>/<hex(HMAC-SHA256(nameKey, name))>.sec
//
// 64 lowercase hex digits and a suffix: no secret name (`../x`, `/abs`,
// NUL, separators, 10 kB names, names that differ only in case) can escape
// the directory, collide on a case-insensitive filesystem or exceed a file
// name limit. The real name is stored encrypted inside the file.
//
// # File format
//
//	"SMD1" | nonce(12) | AES-256-GCM(plain, aad = "SMD1" | file base name) | tag(16)
//	plain = uvarint(len(name)) | name | value
//
// The key is SHA-256 of the password (as ToolHive's encrypted file);
// nameKey = HMAC-SHA256(key, "scopemig dirstore file names"). Binding the
// file name as additional data makes a file copied or renamed under another
// name fail to decrypt. Names and values are raw bytes: any string
// round-trips, invalid UTF-8 included; the name must be non-empty.
//
// # Durability and atomicity
//
// SetSecret is one atomicfile.Write (temp file, fsync, chmod, rename, fsync
// of the directory). DeleteSecret is remove + fsync of the directory.
//
// Changes to several files (Update, DeleteSecrets, Cleanup) are one
// transaction through an intent journal, pending.jnl:
//
//	"SMJ2" | nonce(12) | AES-256-GCM(entries, aad = "SMJ2pending.jnl") | tag(16)
//	entry = 's' | uvarint(len(base)) | base | uvarint(len(data)) | data
//	      | 'd' | uvarint(len(base)) | base
//
// where base is a secret file name and data that file's complete sealed
// content (so values are encrypted twice, never written in plaintext).
// The steps, and what a crash at each leaves:
//
//  1. the journal is written by one atomicfile.Write. Crash before its
//     rename is durable: the old content (a temp journal is removed by
//     the next Open). After: the transaction is decided.
//  2. each set is one atomicfile.Write, each delete one remove; then the
//     directory is synced. Crash: a mix of old and new files, plus the
//     journal.
//  3. the journal is removed and the directory synced.
//
// Every operation that takes the store lock, and Open, first rolls a
// leftover journal forward (steps 2 and 3 again: idempotent), so no
// reader ever sees the mix: a crash leaves all of the old or all of the
// new content. A transaction of one file skips the journal (one atomic
// file step), and no change writes nothing. Temp files
// (atomicfile.IsTemp), the journal and foreign files are never listed.
//
// Temp files are atomicfile's: created with O_CREATE|O_EXCL|O_NOFOLLOW by
// atomicfile.Write, so a symlink, hard link, FIFO or directory planted at a
// temp name is never opened, followed or written through (the write fails
// with atomicfile.ErrNotRegular). Open removes the stale temps of this
// store under the lock with atomicfile.RemoveStale: only what a crashed
// write leaves (a regular file with one link); anything else at one of
// its temp names fails Open with atomicfile.ErrNotRegular before anything
// is removed, and is left alone.
//
// Nonces come from crypto/rand unless WithRand gives another source (a
// seeded one makes a simulation replay byte for byte; never for real
// secrets).
//
// The store implements secrets.Updater, so migrations run as one
// transaction (race-free against other processes, which take the same
// lock). Journals of the unreleased format pending.del are not read.
//
// Every operation takes fslock.Acquire on the directory (a missing
// directory is an empty store and is not locked for reads).
package dirstore
