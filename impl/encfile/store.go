package encfile

import (
	"context"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
)

// dirPerm is the mode of a store directory the Store creates.
const dirPerm = 0o700

// Store is an encrypted secrets file. It implements secrets.Provider and
// secrets.Updater and is safe for concurrent use, also by other Store
// instances and other processes on the same file (see package doc).
type Store struct {
	fsys     afero.Fs
	path     string      // the file read and replaced: the named path, or the target of a link to it (atomicfile.Resolve)
	dir      string      // path's directory, whose lock guards the replace
	lockPath string      // ToolHive's sidecar lock: next to the named path, where ToolHive takes it
	aead     cipher.AEAD // immutable after Open
	random   io.Reader   // immutable after Open; nil = crypto/rand (WithRand)
	perm     os.FileMode // immutable after Open
	cache    *cacheTable // immutable after Open; nil = no shared Cache (WithCache)

	mu   sync.Mutex // serialises this instance's operations; guards the fields below
	rbuf []byte     // reusable read buffer (the file is decrypted in place); sized at Open
	wbuf []byte     // reusable encrypted-output buffer
	keys []string   // reusable scratch of encode (sorted names)
	memo memo       // the last file content decoded or written
}

var (
	_ secrets.Provider = (*Store)(nil)
	_ secrets.Updater  = (*Store)(nil)
)

// Open opens the store at path on fsys with password, validating the
// existing file before anything else: it must be a regular file (not a
// directory, a FIFO…: checked with Lstat when fsys supports it), at most
// MaxFileSize bytes, and decrypt and parse under the password. Errors wrap
// ErrNotRegular, ErrTooLarge, ErrTruncated, ErrDecrypt or ErrCorrupt
// (ErrNoPassword for an empty password); Open writes nothing when it fails.
//
// A path that is a symlink (a dotfile manager's layout) is followed when
// atomicfile.Resolve finds it safe (links and file the user's own, no
// directory on the way writable by others, a writable target in a writable
// directory), else Open fails with an error wrapping
// atomicfile.ErrUnsafeLink. The store then reads and replaces the target,
// in the target's directory and under that directory's lock, so the link
// stays a link; ToolHive's sidecar lock is still "<path>.lock" next to the
// link, the file ToolHive's EncryptedManager locks.
//
// A missing file is an empty store: the file (and its directory, mode
// 0700) is created by the first write. A zero-length file is an empty
// store too (ToolHive creates one when it opens a missing store).
//
// After validation Open takes the directory lock and removes the temp file
// a crashed write may have left (atomicfile.RemoveStale): the only write
// Open ever makes. Crash contract: that remove is atomic and touches only
// the temp file; a crash before it leaves the leftover for the next Open.
func Open(fsys afero.Fs, path string, password []byte, opts ...Option) (*Store, error) {
	return OpenContext(context.Background(), fsys, path, password, opts...)
}

// OpenContext is Open with a context for the directory lock.
func OpenContext(ctx context.Context, fsys afero.Fs, path string, password []byte, opts ...Option) (*Store, error) {
	if len(password) == 0 {
		return nil, ErrNoPassword
	}
	if fsys == nil || path == "" {
		return nil, errors.New("encfile: Open needs a filesystem and a path")
	}
	o := defaultOptions()
	for _, opt := range opts {
		opt(&o)
	}
	var (
		aead  cipher.AEAD
		table *cacheTable
		err   error
	)
	if c := o.cache; c != nil {
		table, err = c.table(KeyFromPassword(password))
		if table != nil {
			aead = table.aead
		}
	} else {
		aead, err = newAEAD(KeyFromPassword(password))
	}
	if err != nil {
		return nil, err
	}
	res, err := atomicfile.Resolve(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("encfile: %w", err)
	}
	s := &Store{fsys: fsys, path: res.Target, dir: filepath.Dir(res.Target), lockPath: res.Path + LockFileSuffix,
		aead: aead, random: o.random, perm: o.perm, cache: table}
	size, err := s.validateFile()
	if err != nil {
		return nil, err
	}
	s.rbuf = make([]byte, 0, size+64) // the file, and a little room to grow
	s.mu.Lock()
	defer s.mu.Unlock()
	release, dirExists, err := s.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer func() { _ = release() }()
	if _, _, err := s.load(); err != nil {
		return nil, err
	}
	if dirExists {
		if _, err := atomicfile.RemoveStale(fsys, s.path); err != nil {
			return nil, fmt.Errorf("encfile %s: %w; nothing changed", s.path, err)
		}
	}
	if err := release(); err != nil {
		return nil, fmt.Errorf("encfile %s: %w", s.path, err)
	}
	return s, nil
}

// Path returns the store's file path: the file read and replaced (the
// target when Open was given a symlink).
func (s *Store) Path() string { return s.path }

// validateFile checks the kind and size of an existing file and returns
// the size (0 when missing).
func (s *Store) validateFile() (int64, error) {
	var (
		fi  os.FileInfo
		err error
	)
	if ls, ok := s.fsys.(afero.Lstater); ok {
		fi, _, err = ls.LstatIfPossible(s.path)
	} else {
		fi, err = s.fsys.Stat(s.path)
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("encfile %s: %w", s.path, err)
	case !fi.Mode().IsRegular():
		return 0, fmt.Errorf("encfile %s: %w (a %s)", s.path, ErrNotRegular, atomicfile.TypeName(fi.Mode()))
	case fi.Size() > MaxFileSize:
		return 0, fmt.Errorf("encfile %s: %w: %d bytes", s.path, ErrTooLarge, fi.Size())
	}
	return fi.Size(), nil
}

// lock takes the directory lock. dirExists is false only when a real
// directory is missing: then, for a read (create false), nothing is locked
// (there is no file to protect); for a write the directory is created with
// mode 0700 first.
func (s *Store) lock(ctx context.Context, create bool) (release func() error, dirExists bool, err error) {
	release, err = fslock.Acquire(ctx, s.fsys, s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		if !create {
			return func() error { return nil }, false, nil
		}
		if err := s.ensureDir(); err != nil {
			return nil, false, err
		}
		release, err = fslock.Acquire(ctx, s.fsys, s.dir)
	}
	if err != nil { // nothing is written before the lock is granted
		return nil, false, fmt.Errorf("encfile %s: %w; nothing changed", s.path, err)
	}
	return release, true, nil
}

// LockFileSuffix is appended to the store path to name ToolHive's sidecar
// lock file ("secrets_encrypted.lock"), which writers also lock on a real
// filesystem (see fslock.AcquireFile).
const LockFileSuffix = ".lock"

// lockWrite takes the locks of a write, always in this order: the directory
// lock (creating a missing directory), then ToolHive's sidecar lock file
// (fslock.AcquireFile: created on a real filesystem, a no-op elsewhere). The
// release gives them back in reverse order and is idempotent.
func (s *Store) lockWrite(ctx context.Context) (func() error, error) {
	releaseDir, _, err := s.lock(ctx, true)
	if err != nil {
		return nil, err
	}
	releaseFile, err := fslock.AcquireFile(ctx, s.fsys, s.lockPath)
	if err != nil {
		_ = releaseDir()
		return nil, fmt.Errorf("encfile %s: %w; nothing changed", s.path, err)
	}
	return func() error {
		fileErr := releaseFile()
		return errors.Join(fileErr, releaseDir())
	}, nil
}

// ensureDir durably creates the store directory (0700) if it is missing;
// it writes nothing when the directory exists.
func (s *Store) ensureDir() error {
	if err := atomicfile.MkdirAll(s.fsys, s.dir, dirPerm); err != nil {
		return fmt.Errorf("encfile %s: %w", s.path, err)
	}
	return nil
}

// load reads and decrypts the file; a missing or empty file is an empty
// store. The caller holds s.mu and the directory lock. The contents are
// immutable (shared with the memo and the cache): copy before changing.
func (s *Store) load() (c *contents, exists bool, err error) {
	f, err := s.fsys.Open(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		return newContents(nil), false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("encfile %s: %w", s.path, err)
	}
	data, err := readAll(f, s.rbuf)
	s.rbuf = data
	if cerr := f.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, true, fmt.Errorf("encfile %s: read: %w", s.path, err)
	}
	if len(data) == 0 {
		return newContents(nil), true, nil
	}
	if c, ok := s.memo.get(data); ok {
		return c, true, nil
	}
	if s.cache != nil {
		if file, c, ok := s.cache.get(data); ok {
			s.memo.set(file, c)
			return c, true, nil
		}
	}
	file := string(data) // a copy: decode clobbers data
	m, o, err := decodeDoc(s.aead, data)
	if err != nil {
		s.memo.reset()
		return nil, true, fmt.Errorf("encfile %s: %w", s.path, err)
	}
	c = newContents(m)
	c.o = o
	if s.cache != nil {
		s.cache.put(file, c)
	}
	s.memo.set(file, c)
	return c, true, nil
}

// readAll reads f into buf[:0], growing it (doubling), and fails with
// ErrTooLarge past MaxFileSize.
func readAll(f afero.File, buf []byte) ([]byte, error) {
	buf = buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, 1024)
	}
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, len(buf))
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxFileSize {
			return nil, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, MaxFileSize)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return buf, nil
}

// view runs fn on the current contents under both locks; fn must not
// modify them nor keep them.
func (s *Store) view(ctx context.Context, fn func(*contents) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	release, _, err := s.lock(ctx, false)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	c, _, err := s.load()
	if err != nil {
		return err
	}
	if err := fn(c); err != nil {
		return err
	}
	return release()
}

// seal runs every check a write of content m makes before it writes
// (validContent; encode: ToolHive's plaintext limit, reported with the
// size of the file now, fileSize) and returns the encrypted file. modify
// writes what it returns; a Rehearsal only runs the checks. The caller
// holds s.mu (wbuf and keys are reused).
func (s *Store) seal(m map[string]string, o *others, fileSize int) ([]byte, error) {
	if err := validContent(m); err != nil {
		return nil, fmt.Errorf("encfile %s: %w", s.path, err)
	}
	data, keys, err := encode(s.aead, m, o, s.random, s.wbuf, s.keys)
	s.keys = keys
	if tl := (*ContentTooLargeError)(nil); errors.As(err, &tl) {
		tl.FileSize = fileSize
	}
	if err != nil {
		return nil, fmt.Errorf("encfile %s: %w", s.path, err)
	}
	s.wbuf = data
	return data, nil
}

// modify runs a read-modify-write under both write locks (lockWrite): fn edits the current content and
// reports whether to write it; a write is one atomicfile.Write of the
// re-encrypted content.
func (s *Store) modify(ctx context.Context, fn func(map[string]string) (write bool, err error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	release, err := s.lockWrite(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = release() }()
	cur, exists, err := s.load()
	if err != nil {
		return err
	}
	m := maps.Clone(cur.m)
	write, err := fn(m)
	if err != nil || !write {
		return err
	}
	fileSize := 0
	if exists {
		fileSize = len(s.rbuf) // load read the file into rbuf
	}
	data, err := s.seal(m, cur.o, fileSize)
	if err != nil {
		return err
	}
	if !exists {
		if err := s.ensureDir(); err != nil {
			return err
		}
	}
	s.memo.reset()
	if err := atomicfile.Write(s.fsys, s.path, data, s.perm); err != nil {
		return fmt.Errorf("encfile: %w", err)
	}
	// m was load's private copy and fn is done with it: it becomes the
	// memoised content of the bytes just written, unmodified from here on.
	// Only this Store's memo records it (this process knows what it wrote,
	// as a real one does); the shared Cache records decoded bytes only, so
	// every other Store — a restarted process — decodes these bytes once.
	c := newContents(m)
	c.o = cur.o // kept unchanged by every rewrite
	s.memo.set(string(data), c)
	return release()
}
