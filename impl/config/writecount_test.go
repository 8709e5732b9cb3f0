package config_test

import (
	"os"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
)

// counting hands the code under test a filesystem whose every mutating
// operation is counted (by faults.FS, without faults).
type counting struct {
	afero.Fs // the process's view (no Lock unless the inner Fs has one)
	proc     *faults.FS
}

func newCounting(fsys afero.Fs) *counting {
	p := faults.NewFS(fsys, nil)
	return &counting{Fs: p.Fs(), proc: p}
}

// writes is the number of mutating operations so far.
func (c *counting) writes() int { return c.proc.Ops() }

// LstatIfPossible keeps symlink detection of the wrapped Fs.
func (c *counting) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	return c.proc.LstatIfPossible(name)
}
