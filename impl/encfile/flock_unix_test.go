//go:build unix

package encfile_test

import (
	"os"

	"golang.org/x/sys/unix"
)

// haveFlock reports whether toolhiveHolder can take a flock here.
const haveFlock = true

func flockExclusive(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX) }

func flockRelease(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_UN) }
