// Command cfgdriver is one config writer of the lock-race tests
// (interop/lockrace_linux_test.go): ToolHive v0.47.0's own, unmodified
// config.UpdateConfigAtPath, or scopemig's flag write
// (impl/config.Flag.SetMigrated), in a process of its own.
//
//	cfgdriver thv CONFIG MARKER [gate]   # UpdateConfigAtPath appending MARKER to build_env_from_shell
//	cfgdriver thv-loop CONFIG ID N       # N such updates, markers ID-0 … ID-(N-1), one "acked M" line each
//	cfgdriver scopemig CONFIG [gate]     # scopemig's SetMigrated
//
// scopemig's writer reports on stderr when it saw the config empty (a
// ToolHive write in progress: O_TRUNC done, data not yet written).
//
// With "gate", the writer stops inside its critical section and waits for
// a line on stdin: ToolHive's after it has read the config (in its update
// callback, before its write), scopemig's after its locked read and its
// lock-file check (when it creates its temp file, before the rename). It
// prints "in" on stdout when it stops there. On success it prints "ok"
// and exits 0; on failure one line on stderr and exit 1.
package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/afero"
	thconfig "github.com/stacklok/toolhive/pkg/config"

	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/fslock"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "cfgdriver:", err)
		os.Exit(1)
	}
	fmt.Println("ok")
}

func run(args []string) error {
	if len(args) < 2 {
		return fmt.Errorf("usage: cfgdriver thv|thv-loop|scopemig CONFIG …")
	}
	gated := args[len(args)-1] == "gate"
	in := bufio.NewReader(os.Stdin)
	gate := func() {
		if gated {
			fmt.Println("in")
			_, _ = in.ReadString('\n')
		}
	}
	switch args[0] {
	case "thv":
		if len(args) < 3 {
			return fmt.Errorf("usage: cfgdriver thv CONFIG MARKER [gate]")
		}
		return appendMarker(args[1], args[2], gate)
	case "thv-loop":
		if len(args) != 4 {
			return fmt.Errorf("usage: cfgdriver thv-loop CONFIG ID N")
		}
		n, err := strconv.Atoi(args[3])
		if err != nil {
			return err
		}
		for i := range n {
			m := fmt.Sprintf("%s-%d", args[2], i)
			if err := appendMarker(args[1], m, func() {}); err == nil {
				fmt.Println("acked", m)
			}
		}
		return nil
	case "scopemig":
		g := &gateFs{Fs: afero.NewOsFs(), gate: gate, config: args[1]}
		err := config.Flag{Fs: g, Path: args[1]}.SetMigrated(context.Background())
		if g.sawEmpty {
			fmt.Fprintln(os.Stderr, "cfgdriver: saw the config empty")
		}
		return err
	}
	return fmt.Errorf("unknown mode %q", args[0])
}

// appendMarker is one ToolHive config update: UpdateConfigAtPath adding
// marker to build_env_from_shell, gate called inside the callback.
func appendMarker(path, marker string, gate func()) error {
	return thconfig.UpdateConfigAtPath(path, func(c *thconfig.Config) error {
		gate()
		c.BuildEnvFromShell = append(c.BuildEnvFromShell, marker)
		return nil
	})
}

// gateFs calls gate once, at the first file creation (scopemig's temp
// file: after the locked read and the lock-file check, before the write
// and the rename). Its locks are the real ones of the OS filesystem
// (fslock picks flock by the Fs's type, so the wrapper passes them on).
type gateFs struct {
	afero.Fs
	once     sync.Once
	gate     func()
	config   string
	sawEmpty bool // an Lstat of config saw it empty (written by one goroutine)
}

func (g *gateFs) OpenFile(name string, flag int, perm os.FileMode) (afero.File, error) {
	if flag&os.O_CREATE != 0 {
		g.once.Do(g.gate)
	}
	return g.Fs.OpenFile(name, flag, perm)
}

var _ fslock.Locker = (*gateFs)(nil)

// Lock takes the real lock: ToolHive's lock file by name, else the
// directory lock.
func (g *gateFs) Lock(ctx context.Context, name string) (func() error, error) {
	if strings.HasSuffix(name, config.LockFileSuffix) {
		return fslock.AcquireFile(ctx, g.Fs, name)
	}
	return fslock.Acquire(ctx, g.Fs, name)
}

// LstatIfPossible keeps the OS filesystem's Lstat.
func (g *gateFs) LstatIfPossible(name string) (os.FileInfo, bool, error) {
	fi, ok, err := g.Fs.(afero.Lstater).LstatIfPossible(name)
	if err == nil && name == g.config && fi.Size() == 0 {
		g.sawEmpty = true
	}
	return fi, ok, err
}
