package encfile_test

import (
	"context"
	"os"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/fslock"
)

// opCounter counts the mutating operations made through it, by name. It
// forwards Lock and LstatIfPossible, so it is transparent to the store.
type opCounter struct {
	afero.Fs
	mu  sync.Mutex     // guards ops
	ops map[string]int // op name → count
}

func countOps(fsys afero.Fs) *opCounter { return &opCounter{Fs: fsys, ops: map[string]int{}} }

func (c *opCounter) add(op string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ops[op]++
}

// writes returns the number of mutating operations so far.
func (c *opCounter) writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.ops {
		n += v
	}
	return n
}

func (c *opCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ops[op]
}

func (c *opCounter) Create(name string) (afero.File, error) {
	c.add("create")
	return c.Fs.Create(name)
}

func (c *opCounter) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC|os.O_APPEND) != 0 {
		c.add("openwrite")
	}
	return c.Fs.OpenFile(name, flag, perm)
}

func (c *opCounter) Mkdir(name string, perm os.FileMode) error {
	c.add("mkdir")
	return c.Fs.Mkdir(name, perm)
}

func (c *opCounter) MkdirAll(name string, perm os.FileMode) error {
	c.add("mkdir")
	return c.Fs.MkdirAll(name, perm)
}

func (c *opCounter) Remove(name string) error {
	c.add("remove")
	return c.Fs.Remove(name)
}

func (c *opCounter) RemoveAll(name string) error {
	c.add("remove")
	return c.Fs.RemoveAll(name)
}

func (c *opCounter) Rename(o, n string) error {
	c.add("rename")
	return c.Fs.Rename(o, n)
}

func (c *opCounter) Chmod(name string, mode os.FileMode) error {
	c.add("chmod")
	return c.Fs.Chmod(name, mode)
}

func (c *opCounter) Lock(ctx context.Context, name string) (func() error, error) {
	return fslock.Acquire(ctx, c.Fs, name)
}

func (c *opCounter) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	if ls, ok := c.Fs.(afero.Lstater); ok {
		return ls.LstatIfPossible(name)
	}
	fi, err := c.Stat(name)
	return fi, false, err
}
