package dirstore

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/fslock"
	"github.com/scopemig/scopemig/impl/secrets"
)

const (
	dirPerm  = 0o700
	filePerm = 0o600
)

// Store is a directory of encrypted secret files. It implements
// secrets.Provider and secrets.Updater and is safe for concurrent use,
// also by other Store instances and processes on the same directory.
type Store struct {
	fsys   afero.Fs
	dir    string
	codec  *codec    // immutable after Open
	random io.Reader // immutable after Open: crypto/rand unless WithRand set another

	mu sync.Mutex // serialises this instance's operations (the directory lock serialises processes)
}

var _ secrets.Provider = (*Store)(nil)

// Open opens the store in directory dir on fsys with password. It first
// validates without writing: dir is missing (an empty store, created by
// the first write) or a directory, and every secret file in it decrypts
// under the password and matches its name (errors wrap ErrNotDir,
// ErrDecrypt, ErrCorrupt; ErrNoPassword for an empty password). An empty
// store accepts any password.
//
// Then, under the directory lock, it rolls a leftover intent journal
// forward (see commit) and removes stale temp files of this store (then syncs the
// directory): the only writes Open makes. Crash contract: each of those
// steps is idempotent; a crash leaves work for the next Open, never a
// secret half-deleted or a temp file listed.
func Open(fsys afero.Fs, dir string, password []byte, opts ...Option) (*Store, error) {
	return OpenContext(context.Background(), fsys, dir, password, opts...)
}

// OpenContext is Open with a context for the directory lock.
func OpenContext(ctx context.Context, fsys afero.Fs, dir string, password []byte, opts ...Option) (*Store, error) {
	if len(password) == 0 {
		return nil, ErrNoPassword
	}
	if fsys == nil || dir == "" {
		return nil, errors.New("dirstore: Open needs a filesystem and a directory")
	}
	c, err := newCodec(password)
	if err != nil {
		return nil, err
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	random := o.random
	if random == nil {
		random = rand.Reader
	}
	s := &Store{fsys: fsys, dir: filepath.Clean(dir), codec: c, random: random}
	exists, err := s.validate()
	if err != nil || !exists {
		return nil2(s, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	release, _, err := s.lock(ctx, false)
	if err != nil {
		return nil, err
	}
	defer func() { _ = release() }()
	if err := s.removeStale(); err != nil {
		return nil, err
	}
	return s, release()
}

// nil2 returns s on success and nil with err otherwise.
func nil2(s *Store, err error) (*Store, error) {
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Dir returns the store directory.
func (s *Store) Dir() string { return s.dir }

// validate checks the directory and every secret file; it writes nothing.
func (s *Store) validate() (exists bool, err error) {
	fi, err := s.fsys.Stat(s.dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("dirstore %s: %w", s.dir, err)
	case !fi.IsDir():
		return false, fmt.Errorf("dirstore %s: %w", s.dir, ErrNotDir)
	}
	names, err := s.secretFiles()
	if err != nil {
		return true, err
	}
	for _, base := range names {
		if _, _, err := s.readFile(base); err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return true, err
		}
	}
	return true, nil
}

// secretFiles lists the base names of the secret files in the directory
// (temp, journal and foreign files excluded); a missing directory is empty.
func (s *Store) secretFiles() ([]string, error) {
	entries, err := s.readDir()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fi := range entries {
		if fi.Mode().IsRegular() && isSecretFile(fi.Name()) {
			out = append(out, fi.Name())
		}
	}
	return out, nil
}

func (s *Store) readDir() ([]os.FileInfo, error) {
	entries, err := afero.ReadDir(s.fsys, s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dirstore %s: %w", s.dir, err)
	}
	return entries, nil
}

// readFile reads and decrypts one secret file; a missing file wraps
// secrets.ErrNotFound.
func (s *Store) readFile(base string) (name, value string, err error) {
	p := filepath.Join(s.dir, base)
	fi, err := s.fsys.Stat(p)
	if err == nil && fi.Size() > MaxSecretSize+int64(len(magic)+nonceSize+tagSize+16) {
		return "", "", fmt.Errorf("%w: %s: %d bytes", ErrTooLarge, base, fi.Size())
	}
	data, err := afero.ReadFile(s.fsys, p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("dirstore: %w", secrets.ErrNotFound)
	}
	if err != nil {
		return "", "", fmt.Errorf("dirstore %s: %w", p, err)
	}
	return s.codec.open(base, data)
}

// lock takes the directory lock and rolls a leftover journal forward. A
// missing directory is created (0700, durably) when create is set;
// otherwise exists is false and nothing is locked. The caller holds s.mu.
func (s *Store) lock(ctx context.Context, create bool) (release func() error, exists bool, err error) {
	if _, err := s.fsys.Stat(s.dir); errors.Is(err, fs.ErrNotExist) {
		if !create {
			return func() error { return nil }, false, nil
		}
		if err := atomicfile.MkdirAll(s.fsys, s.dir, dirPerm); err != nil {
			return nil, false, fmt.Errorf("dirstore %s: %w", s.dir, err)
		}
	}
	release, err = fslock.Acquire(ctx, s.fsys, s.dir)
	if err != nil {
		return nil, false, fmt.Errorf("dirstore %s: %w", s.dir, err)
	}
	if err := s.recover(); err != nil {
		_ = release()
		return nil, false, err
	}
	return release, true, nil
}

// removeStale removes this store's temp files (of secret files and of the
// journal) and syncs the directory if it removed any. The caller holds
// the lock. Each is removed by atomicfile.RemoveStale: only what a crashed
// atomicfile.Write leaves (a regular file with one link); anything else
// at a temp name of this store (a symlink, a hard link, a FIFO, a
// directory) fails with atomicfile.ErrNotRegular before anything is
// removed, and is left alone.
func (s *Store) removeStale() error {
	entries, err := s.readDir()
	if err != nil {
		return err
	}
	var stale []string
	for _, fi := range entries {
		if !atomicfile.IsTemp(fi.Name()) {
			continue
		}
		real := strings.TrimSuffix(fi.Name()[1:], tempSuffix())
		if !isSecretFile(real) && real != journalName {
			continue // a foreign temp file: not ours to remove
		}
		target := filepath.Join(s.dir, real)
		if err := atomicfile.CheckLeftover(s.fsys, atomicfile.TempName(target)); err != nil {
			return fmt.Errorf("dirstore %s: %w", s.dir, err)
		}
		stale = append(stale, target)
	}
	removed := false
	for _, target := range stale {
		ok, err := atomicfile.RemoveStale(s.fsys, target)
		if err != nil {
			return fmt.Errorf("dirstore %s: remove stale temp: %w", s.dir, err)
		}
		removed = removed || ok
	}
	if removed {
		return s.syncDir()
	}
	return nil
}

// tempSuffix is what atomicfile.TempName appends to a base name.
func tempSuffix() string { return atomicfile.TempName("x")[len(".x"):] }

func (s *Store) syncDir() error {
	if err := atomicfile.SyncDir(s.fsys, s.dir); err != nil {
		return fmt.Errorf("dirstore %s: %w", s.dir, err)
	}
	return nil
}
