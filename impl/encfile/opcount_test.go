package encfile_test

import (
	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
)

// opCounter is a process whose mutating operations faults.FS counts and
// logs (without faults). The inner filesystem must have a Lock (e.g.
// fslock.WithLocker): the store takes it through the process.
type opCounter struct{ *faults.FS }

func countOps(fsys afero.Fs) opCounter { return opCounter{faults.NewFS(fsys, nil)} }

// writes returns the number of mutating operations so far.
func (c opCounter) writes() int { return c.Ops() }

// kinds lists the kinds of the operations so far, in order.
func (c opCounter) kinds() []string {
	var out []string
	for _, op := range c.Log() {
		out = append(out, op.Kind.String())
	}
	return out
}

// count returns the number of operations of one kind ("rename", …).
func (c opCounter) count(kind string) int {
	n := 0
	for _, k := range c.kinds() {
		if k == kind {
			n++
		}
	}
	return n
}
