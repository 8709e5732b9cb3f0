package dirstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
)

// journalName is the intent journal: every file a multi-file change sets
// (with its new, already sealed content) or removes. Its name has no
// secret-file shape, so listing never sees it.
const journalName = "pending.jnl"

// journalMagic opens the journal file:
//
//	"SMJ2" | nonce(12) | AES-256-GCM(plain, aad = "SMJ2" | journalName) | tag(16)
//	plain = entry*
//	entry = 's' | uvarint(len(base)) | base | uvarint(len(data)) | data   (set)
//	      | 'd' | uvarint(len(base)) | base                               (delete)
//
// data is the secret file's complete sealed content (its own SMD1
// encryption), so a value is encrypted twice and never written in
// plaintext; base is the hashed file name.
const journalMagic = "SMJ2"

const (
	entrySet    = 's'
	entryDelete = 'd'
)

// change is one file of a transaction: data == nil removes base.
type change struct {
	base string
	data []byte // sealed secret file content; nil: delete
}

// commit applies changes as one all-or-nothing step. The caller holds s.mu
// and the directory lock (taken with create set if any change is a set),
// and has rolled any leftover journal forward.
//
// Steps and crash contract:
//
//  0. no change: nothing is written.
//  1. one change: one atomic file step (atomicfile.Write, or remove + sync
//     of the directory); a crash leaves the old or the new file.
//  2. several: the journal is written by one atomicfile.Write (temp,
//     fsync, rename, directory fsync). A crash before its rename is
//     durable leaves every file old (a temp journal is removed by the next
//     Open); from then on the transaction is decided.
//  3. each change is applied (atomicfile.Write per set, remove per delete),
//     then the directory is synced. A crash here leaves a mix of old and
//     new files AND the journal: the next locked operation (or Open) rolls
//     it forward before it reads anything, so no reader sees the mix.
//  4. the journal is removed and the directory synced. A crash before
//     that is durable replays the (idempotent) journal once more.
//
// After a nil return every change is durable. After an error the
// transaction is either not started (old content) or decided (the next
// locked operation completes it); retrying is safe.
func (s *Store) commit(changes []change) error {
	switch len(changes) {
	case 0:
		return nil
	case 1:
		return s.apply(changes)
	}
	data, err := s.sealJournal(changes)
	if err != nil {
		return err
	}
	if err := atomicfile.Write(s.fsys, filepath.Join(s.dir, journalName), data, filePerm); err != nil {
		return fmt.Errorf("dirstore %s: journal: %w", s.dir, err)
	}
	return s.replay(changes)
}

// apply performs changes (idempotent) and syncs the directory.
func (s *Store) apply(changes []change) error {
	for _, c := range changes {
		p := filepath.Join(s.dir, c.base)
		if c.data != nil {
			if err := atomicfile.Write(s.fsys, p, c.data, filePerm); err != nil {
				return fmt.Errorf("dirstore %s: %w", s.dir, err)
			}
			continue
		}
		if err := s.fsys.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("dirstore %s: remove: %w", s.dir, err)
		}
	}
	return s.syncDir()
}

// replay applies the journaled changes, then removes the journal, durably.
func (s *Store) replay(changes []change) error {
	if err := s.apply(changes); err != nil {
		return err
	}
	if err := s.fsys.Remove(filepath.Join(s.dir, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dirstore %s: remove journal: %w", s.dir, err)
	}
	return s.syncDir()
}

// recover rolls a leftover journal forward (steps 3 and 4 of commit); no
// journal, no write. The caller holds the lock. A journal that does not
// decrypt fails with ErrDecrypt, a malformed one with ErrCorrupt; both
// leave the store untouched.
func (s *Store) recover() error {
	data, err := afero.ReadFile(s.fsys, filepath.Join(s.dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dirstore %s: journal: %w", s.dir, err)
	}
	changes, err := s.openJournal(data)
	if err != nil {
		return err
	}
	return s.replay(changes)
}

func journalAAD() []byte { return []byte(journalMagic + journalName) }

// sealJournal encodes and encrypts changes.
func (s *Store) sealJournal(changes []change) ([]byte, error) {
	var plain []byte
	for _, c := range changes {
		kind := byte(entryDelete)
		if c.data != nil {
			kind = entrySet
		}
		plain = append(plain, kind)
		plain = binary.AppendUvarint(plain, uint64(len(c.base)))
		plain = append(plain, c.base...)
		if c.data != nil {
			plain = binary.AppendUvarint(plain, uint64(len(c.data)))
			plain = append(plain, c.data...)
		}
	}
	out := make([]byte, len(journalMagic)+nonceSize, len(journalMagic)+nonceSize+len(plain)+tagSize)
	copy(out, journalMagic)
	if _, err := io.ReadFull(s.random, out[len(journalMagic):]); err != nil {
		return nil, fmt.Errorf("dirstore: journal nonce: %w", err)
	}
	return s.codec.aead.Seal(out, out[len(journalMagic):], plain, journalAAD()), nil
}

// openJournal decrypts and decodes a journal.
func (s *Store) openJournal(data []byte) ([]change, error) {
	if len(data) < len(journalMagic)+nonceSize+tagSize || string(data[:len(journalMagic)]) != journalMagic {
		return nil, fmt.Errorf("%w: %s: bad header or truncated", ErrCorrupt, journalName)
	}
	nonce := data[len(journalMagic) : len(journalMagic)+nonceSize]
	plain, err := s.codec.aead.Open(nil, nonce, data[len(journalMagic)+nonceSize:], journalAAD())
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrDecrypt, journalName)
	}
	var out []change
	for len(plain) > 0 {
		kind := plain[0]
		base, rest, ok := readChunk(plain[1:])
		if !ok || (kind != entrySet && kind != entryDelete) || !s.validBase(string(base)) {
			return nil, fmt.Errorf("%w: %s: bad entry", ErrCorrupt, journalName)
		}
		c := change{base: string(base)}
		if kind == entrySet {
			if c.data, rest, ok = readChunk(rest); !ok || len(c.data) == 0 {
				return nil, fmt.Errorf("%w: %s: bad entry", ErrCorrupt, journalName)
			}
		}
		out = append(out, c)
		plain = rest
	}
	return out, nil
}

// readChunk splits uvarint(n) | n bytes off b.
func readChunk(b []byte) (chunk, rest []byte, ok bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, false
	}
	return b[k : k+int(n) : k+int(n)], b[k+int(n):], true
}

// validBase reports whether a journaled base name is a secret file name.
func (s *Store) validBase(base string) bool { return isSecretFile(base) }
