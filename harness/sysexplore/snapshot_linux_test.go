//go:build linux

package sysexplore

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness/sysexplore/internal/record"
)

// The process-mode image a recording copies at the entry of crash point k
// is, byte for byte, the disk a run SIGKILLed on entry to k leaves, at
// every point (the Python provider, correct and broken, and a shell
// script whose children do the work).
func TestSnapshotEqualsKill(t *testing.T) {
	needPtrace(t)
	py := python(t)
	for name, cfg := range map[string]Config{
		"python":        pyConfig(t, py),
		"python broken": pyConfig(t, py, "broken"),
		"shell":         {From: t.TempDir(), Argv: []string{"/bin/sh", "-c", `cd "$1" && printf a > f && mkdir d && mv f d/g && printf bc >> d/g && rm d/g && rmdir d`, "sh", "{dir}"}},
	} {
		t.Run(name, func(t *testing.T) {
			work := realWork(t)
			e := &explorer{cfg: cfg, work: work}
			root, err := e.fresh("rec-")
			require.NoError(t, err)
			e.recRoot = root
			hashes := map[int]string{}
			res, err := record.Record(context.Background(), record.Spec{Argv: e.argv(root), Root: root, Filter: true, Snapshot: func(k int) error {
				dir := filepath.Join(work, "snap"+strconv.Itoa(k))
				if err := copyTree(root, dir); err != nil {
					return err
				}
				h, err := hashTree(dir)
				hashes[k] = h
				return err
			}})
			require.NoError(t, err)
			require.Equal(t, 0, res.Trace.Exit)
			require.Empty(t, res.Unsnapped)
			n := res.Trace.Points()
			require.GreaterOrEqual(t, n, 3)
			require.Len(t, hashes, n)
			for k := 1; k <= n; k++ {
				dir, err := e.fresh("kill-")
				require.NoError(t, err)
				r, err := record.Record(context.Background(), record.Spec{Argv: e.argv(dir), Root: dir, KillAt: k, Filter: true})
				require.NoError(t, err)
				require.True(t, r.Killed)
				h, err := hashTree(dir)
				require.NoError(t, err)
				require.Equal(t, hashes[k], h, "crash point %d", k)
			}
		})
	}
}

// realWork is a scratch directory with symlinks resolved (the recorder
// compares resolved paths).
func realWork(t *testing.T) string {
	t.Helper()
	d, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(d, 0o700))
	return d
}
