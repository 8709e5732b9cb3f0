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

// writes is the number of operations so far that can change a byte:
// every mutating operation but a sync (which only makes bytes durable; a
// SetMigrated that finds the flag set syncs it and writes nothing).
func (c *counting) writes() int {
	n := 0
	for _, op := range c.proc.Log() {
		if op.Kind != faults.OpSync {
			n++
		}
	}
	return n
}

// syncs is the number of syncs so far.
func (c *counting) syncs() int { return c.proc.Ops() - c.writes() }

// LstatIfPossible keeps symlink detection of the wrapped Fs.
func (c *counting) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	return c.proc.LstatIfPossible(name)
}

// ReadlinkIfPossible lets symlinks be followed through the wrapper.
func (c *counting) ReadlinkIfPossible(name string) (string, error) {
	return c.proc.ReadlinkIfPossible(name)
}
