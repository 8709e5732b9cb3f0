package main

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/migrate"
)

// explainNoSpace adds what to do to a full-disk (ENOSPC) error of a
// writing command (migrate, legacy restore, legacy drop): free space and
// re-run. The store is replaced atomically, so a write that failed for
// want of space changed nothing — unless the failure came after the
// rename (atomicfile.ErrNotDurable) or in the flag write after the store
// was migrated (migrate.ErrFlagNotSet), which say so themselves.
func explainNoSpace(err error) error {
	switch {
	case err == nil || !errors.Is(err, syscall.ENOSPC):
		return err
	case errors.Is(err, migrate.ErrFlagNotSet):
		return fmt.Errorf("%w (the disk holding the config is full: free space and re-run)", err)
	case errors.Is(err, atomicfile.ErrNotDurable):
		return fmt.Errorf("%w (the disk is full: free space and re-run; re-running is safe)", err)
	}
	return fmt.Errorf("%w: the disk is full: free space and re-run; nothing changed", err)
}
