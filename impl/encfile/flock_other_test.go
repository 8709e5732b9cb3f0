//go:build !unix

package encfile_test

import (
	"errors"
	"os"
)

// haveFlock reports whether toolhiveHolder can take a flock here.
const haveFlock = false

func flockExclusive(*os.File) error { return errors.ErrUnsupported }

func flockRelease(*os.File) error { return errors.ErrUnsupported }
