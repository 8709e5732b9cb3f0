package dirstore

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/spf13/afero"
)

// journalName is the batch journal: the secret files a multi-key delete
// removes. It holds only hashed file names, no secret name or value.
const journalName = "pending.del"

const journalMagic = "SMJ1\n"

// removeAll removes the secret files bases as one all-or-nothing step:
// one file is removed directly; several are first recorded in the
// journal, which every later locked operation rolls forward. The caller
// holds the lock.
//
// Crash contract: before the journal's rename is durable nothing is
// deleted (a temp journal is removed by the next Open); after it, every
// file of the batch is deleted by the next locked operation (roll
// forward, idempotent). Retry safe.
func (s *Store) removeAll(bases []string) error {
	switch len(bases) {
	case 0:
		return nil
	case 1:
		return s.removeFiles(bases)
	}
	var b bytes.Buffer
	b.WriteString(journalMagic)
	for _, n := range bases {
		b.WriteString(n + "\n")
	}
	if err := s.ops.write(s.fsys, filepath.Join(s.dir, journalName), b.Bytes(), filePerm); err != nil {
		return fmt.Errorf("dirstore %s: journal: %w", s.dir, err)
	}
	return s.replay(bases)
}

// removeFiles removes the files (missing ones are fine) and syncs the
// directory.
func (s *Store) removeFiles(bases []string) error {
	for _, n := range bases {
		if err := s.fsys.Remove(filepath.Join(s.dir, n)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("dirstore %s: remove: %w", s.dir, err)
		}
	}
	return s.syncDir()
}

// replay removes the journaled files, then the journal, durably.
func (s *Store) replay(bases []string) error {
	if err := s.removeFiles(bases); err != nil {
		return err
	}
	if err := s.fsys.Remove(filepath.Join(s.dir, journalName)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("dirstore %s: remove journal: %w", s.dir, err)
	}
	return s.syncDir()
}

// recover rolls a leftover journal forward; no journal, no write. The
// caller holds the lock.
func (s *Store) recover() error {
	data, err := afero.ReadFile(s.fsys, filepath.Join(s.dir, journalName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("dirstore %s: journal: %w", s.dir, err)
	}
	rest, ok := strings.CutPrefix(string(data), journalMagic)
	if !ok {
		return fmt.Errorf("%w: %s: bad journal header", ErrCorrupt, journalName)
	}
	var bases []string
	for _, n := range strings.Split(rest, "\n") {
		if n == "" {
			continue
		}
		if !isSecretFile(n) {
			return fmt.Errorf("%w: %s: bad entry", ErrCorrupt, journalName)
		}
		bases = append(bases, n)
	}
	return s.replay(bases)
}
