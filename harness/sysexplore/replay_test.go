package sysexplore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// scripted ops of an atomic replace of root/f: temp file, write, fsync,
// close, rename (and, when dirSync, an fsync of the directory).
func atomicReplace(root string, dirSync bool) []trace.Op {
	tmp, f := filepath.Join(root, ".f.tmp"), filepath.Join(root, "f")
	ops := []trace.Op{
		{Index: 1, Kind: faults.OpOpen, Name: "openat", Path: tmp, Desc: 1, Flags: os.O_WRONLY | os.O_CREATE | os.O_TRUNC, Mode: 0o600, Ret: 3},
		{Index: 2, Kind: faults.OpWrite, Name: "write", Path: tmp, Desc: 1, Data: []byte("new"), Len: 3, Ret: 3},
		{Index: 3, Kind: faults.OpSync, Name: "fsync", Path: tmp, Desc: 1},
		{Index: 4, Kind: faults.OpClose, Name: "close", Path: tmp, Desc: 1, Last: true},
		{Index: 5, Kind: faults.OpRename, Name: "rename", Path: tmp, NewPath: f},
	}
	if dirSync {
		ops = append(ops,
			trace.Op{Kind: faults.OpOpen, Name: "openat", Path: root, Desc: 2, Flags: os.O_RDONLY, Ret: 3},
			trace.Op{Index: 6, Kind: faults.OpSync, Name: "fsync", Path: root, Desc: 2})
	}
	return ops
}

// startDisk is a real directory holding f = "old", loaded as a disk.
func startDisk(t *testing.T) (string, *faults.MemFS) {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "f"), []byte("old"), 0o600))
	disk, err := loadDisk(dir)
	require.NoError(t, err)
	return dir, disk
}

// files returns the image's files and contents.
func files(t *testing.T, m *faults.MemFS) map[string]string {
	t.Helper()
	out := map[string]string{}
	for p, e := range m.Files() {
		out[p] = string(e.Data)
	}
	return out
}

func TestPowerImageRenameNeedsDirectorySync(t *testing.T) {
	root := "/traced/root"
	_, disk := startDisk(t)
	for _, tc := range []struct {
		name    string
		dirSync bool
		want    string
	}{{"no dir fsync: the rename is lost", false, "old"}, {"dir fsync: the rename persists", true, "new"}} {
		t.Run(tc.name, func(t *testing.T) {
			img, err := powerImage(disk, root, atomicReplace(root, tc.dirSync), faults.Power, 0, 99)
			require.NoError(t, err)
			require.Equal(t, map[string]string{"/f": tc.want}, files(t, img))
		})
	}
	// The starting disk is never modified by an image.
	require.Equal(t, map[string]string{"/f": "old"}, files(t, disk))
}

func TestPowerImageUnsyncedInPlaceWriteIsLost(t *testing.T) {
	root := "/r"
	_, disk := startDisk(t)
	ops := []trace.Op{
		{Index: 1, Kind: faults.OpOpen, Path: "/r/f", Desc: 7, Flags: os.O_WRONLY | os.O_TRUNC, Ret: 3},
		{Index: 2, Kind: faults.OpWrite, Path: "/r/f", Desc: 7, Data: []byte("newer"), Len: 5, Ret: 5},
		{Index: 3, Kind: faults.OpClose, Path: "/r/f", Desc: 7, Last: true},
	}
	img, err := powerImage(disk, root, ops, faults.Power, 0, 4)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"/f": "old"}, files(t, img))
	// After the open only (O_TRUNC done, nothing synced) power keeps "old".
	img, err = powerImage(disk, root, ops[:1], faults.Power, 0, 2)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"/f": "old"}, files(t, img))
	// power-partial: each draw persists a prefix of the unsynced changes:
	// old, truncated (empty) or new; the same seed gives the same image.
	seen := map[string]bool{}
	for seed := range uint64(40) {
		a, err := powerImage(disk, root, ops, faults.PowerPartial, seed, 4)
		require.NoError(t, err)
		b, err := powerImage(disk, root, ops, faults.PowerPartial, seed, 4)
		require.NoError(t, err)
		require.Equal(t, files(t, a), files(t, b), "seed %d is deterministic", seed)
		seen[files(t, a)["/f"]] = true
	}
	require.Equal(t, map[string]bool{"old": true, "": true, "newer": true}, seen)
}

func TestPowerImageFailedAndOutsideOpsChangeNothing(t *testing.T) {
	_, disk := startDisk(t)
	ops := []trace.Op{
		{Index: 1, Kind: faults.OpRemove, Path: "/r/f", Ret: -2},        // failed: ENOENT
		{Index: 2, Kind: faults.OpRemove, Path: "/elsewhere/f", Ret: 0}, // outside the root
	}
	img, err := powerImage(disk, "/r", ops, faults.Power, 0, 3)
	require.NoError(t, err)
	require.Equal(t, map[string]string{"/f": "old"}, files(t, img))
}

func TestReplayDivergenceIsAnError(t *testing.T) {
	_, disk := startDisk(t)
	ops := []trace.Op{{Index: 1, Kind: faults.OpRename, Name: "rename", Path: "/r/missing", NewPath: "/r/g"}}
	_, err := powerImage(disk, "/r", ops, faults.Power, 0, 2)
	var re *replayError
	require.ErrorAs(t, err, &re)
	require.Contains(t, re.Op, "rename({dir}/missing -> {dir}/g)")
}

// An image written to a real directory and read back is the same tree
// (modes included).
func TestWriteDiskRoundTrip(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(src, "sub"), 0o750))
	require.NoError(t, os.WriteFile(filepath.Join(src, "sub", "x"), []byte("xx"), 0o640))
	require.NoError(t, os.WriteFile(filepath.Join(src, "f"), nil, 0o600))
	disk, err := loadDisk(src)
	require.NoError(t, err)
	dst := filepath.Join(t.TempDir(), "img")
	require.NoError(t, writeDisk(disk.CrashImage(faults.Power, nil), dst))
	a, err := hashTree(src)
	require.NoError(t, err)
	b, err := hashTree(dst)
	require.NoError(t, err)
	require.Equal(t, a, b)
}
