// Package encfile is ToolHive v0.47.0's encrypted secrets file, byte for
// byte, as a crash-safe, multi-process secrets.Provider on an afero.Fs.
//
// Format (ToolHive's pkg/secrets/aes and EncryptedManager): the file is
// nonce(12) | AES-256-GCM ciphertext | tag(16) of the JSON document
// {"secrets":{"<name>":"<value>",...}} (encoding/json, sorted keys), with
// key = SHA-256(password) and no additional data. A zero-length file is an
// empty store, as ToolHive itself creates one.
//
// Every operation takes the Store's mutex and the directory lock
// (fslock.Acquire), rereads and decrypts the file (another process may
// have written it), and every change is exactly one atomicfile.Write of
// the re-encrypted content with mode 0600: old or new content, never a
// mix, durable when the call returns nil.
//
// Options: WithPerm (the file's mode), WithRand (the nonce source, nil =
// crypto/rand, like crypto/tls.Config.Rand; a seeded source is for
// simulations only) and WithCache (a decode cache shared by the Stores of
// one process that reopens the same file content many times; a single
// migration gains nothing from it, see Cache).
//
// Interop with ToolHive: ToolHive v0.47.0 does not see the directory lock;
// it serialises its writers with flock(2) on the sidecar file
// "<path>.lock" (LockFileSuffix). So every write (Update, SetSecret,
// DeleteSecret, DeleteSecrets, Cleanup) also takes that lock, after the
// directory lock (fixed order, no deadlock; released in reverse), for the
// whole read-modify-write: a ToolHive write started meanwhile blocks (up to
// its own 5 s timeout, after which it fails rather than being lost) and then
// rereads the new file. This applies on a real filesystem only
// (*afero.OsFs, or a BasePathFs over it); on in-memory filesystems no lock
// file exists. Open and reads never take the sidecar lock and never create
// the file: a failed Open or a read-only command writes nothing, and reads
// need no exclusion because every write is an atomic replace. A holder that
// keeps ToolHive's lock longer than 5 s (a slow Update fn) makes ToolHive's
// concurrent writes fail, never silently lost.
//
// A store path that is a symlink (a dotfile manager's layout) is followed
// when atomicfile.Resolve finds it safe: the target is read and replaced in
// its own directory, under that directory's lock, and the sidecar lock is
// still "<path>.lock" next to the link, the file ToolHive locks. An unsafe
// link fails Open and Inspect with atomicfile.ErrUnsafeLink.
//
// The lock file is created once by the first write and never removed (see
// package fslock: removing it breaks exclusion for a third process); if
// ToolHive removes it, the next write recreates it. Crash contract of the
// locks: they hold no data and the kernel releases them when the process
// dies; a crash leaves at most the empty lock file, which does not affect
// the store's content and is reused by every later writer.
package encfile
