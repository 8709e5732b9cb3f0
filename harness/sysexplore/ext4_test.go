package sysexplore

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
)

// Scripted ops on root /r holding f = "old" (durable).

func openOp(p string, desc, flags int) trace.Op {
	return trace.Op{Kind: faults.OpOpen, Name: "openat", Path: p, Desc: desc, Flags: flags, Mode: 0o600, Ret: 3}
}

func writeOp(p string, desc int, data string) trace.Op {
	return trace.Op{Kind: faults.OpWrite, Name: "write", Path: p, Desc: desc, Data: []byte(data), Len: len(data), Ret: int64(len(data))}
}

func closeOp(p string, desc int) trace.Op {
	return trace.Op{Kind: faults.OpClose, Name: "close", Path: p, Desc: desc, Last: true}
}

// dirSync opens /r and fsyncs it (a journal commit under ext4).
func dirSync(desc int) []trace.Op {
	return []trace.Op{openOp("/r", desc, os.O_RDONLY), {Kind: faults.OpSync, Name: "fsync", Path: "/r", Desc: desc}}
}

func ext4Files(t *testing.T, ops []trace.Op) map[string]string {
	t.Helper()
	_, disk := startDisk(t)
	img, err := powerImageFS(disk, "/r", ops, faults.Power, 0, len(ops)+1, Ext4Ordered)
	require.NoError(t, err)
	return files(t, img)
}

func strictFiles(t *testing.T, ops []trace.Op) map[string]string {
	t.Helper()
	_, disk := startDisk(t)
	img, err := powerImageFS(disk, "/r", ops, faults.Power, 0, len(ops)+1, Strict)
	require.NoError(t, err)
	return files(t, img)
}

// Replace-via-rename: a temp file written (not synced) and renamed over f,
// then the directory synced: strict keeps the entry without the data (an
// empty f); ext4's auto_da_alloc forces the data before the rename.
func TestExt4ReplaceViaRename(t *testing.T) {
	ops := []trace.Op{
		openOp("/r/tmp", 1, os.O_WRONLY|os.O_CREATE|os.O_TRUNC), writeOp("/r/tmp", 1, "new"), closeOp("/r/tmp", 1),
		{Kind: faults.OpRename, Name: "rename", Path: "/r/tmp", NewPath: "/r/f"},
	}
	ops = append(ops, dirSync(2)...)
	require.Equal(t, map[string]string{"/f": ""}, strictFiles(t, ops))
	require.Equal(t, map[string]string{"/f": "new"}, ext4Files(t, ops))
	// Without the commit (no fsync at all) ext4 keeps nothing either.
	require.Equal(t, map[string]string{"/f": "old"}, ext4Files(t, ops[:4]))
}

// A new file (not a replacement) is delayed-allocated: committed by a
// directory fsync, it is there but empty (ext4's zero-length file).
func TestExt4NewFileWithoutFsyncIsEmpty(t *testing.T) {
	ops := []trace.Op{openOp("/r/g", 1, os.O_WRONLY|os.O_CREATE), writeOp("/r/g", 1, "data"), closeOp("/r/g", 1)}
	ops = append(ops, dirSync(2)...)
	require.Equal(t, map[string]string{"/f": "old", "/g": ""}, ext4Files(t, ops))
}

// Replace-via-truncate: truncate, write, close, commit: the data is
// forced at close. An overwrite without truncate is not: old bytes stay.
func TestExt4ReplaceViaTruncate(t *testing.T) {
	trunc := []trace.Op{openOp("/r/f", 1, os.O_WRONLY|os.O_TRUNC), writeOp("/r/f", 1, "newer"), closeOp("/r/f", 1)}
	require.Equal(t, map[string]string{"/f": "newer"}, ext4Files(t, append(trunc, dirSync(2)...)))
	over := []trace.Op{openOp("/r/f", 1, os.O_WRONLY), writeOp("/r/f", 1, "NEW"), closeOp("/r/f", 1)}
	require.Equal(t, map[string]string{"/f": "old"}, ext4Files(t, append(over, dirSync(2)...)))
	// A commit between the truncate and the write (power-partial's
	// periodic commit) leaves the file empty: some seed finds it.
	_, disk := startDisk(t)
	seen := map[string]bool{}
	for seed := range uint64(16) {
		img, err := powerImageFS(disk, "/r", trunc, faults.PowerPartial, seed, 4, Ext4Ordered)
		require.NoError(t, err)
		seen[files(t, img)["/f"]] = true
	}
	require.True(t, seen[""], "%v", seen)
	require.True(t, seen["newer"], "%v", seen)
}

// An image under ext4 keeps hard links and directories like strict.
func TestExt4ImageRoundTrip(t *testing.T) {
	src := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(src, "f"), []byte("old"), 0o600))
	require.NoError(t, os.Link(filepath.Join(src, "f"), filepath.Join(src, "g")))
	disk, err := loadDisk(src)
	require.NoError(t, err)
	img, err := powerImageFS(disk, "/r", nil, faults.Power, 0, 1, Ext4Ordered)
	require.NoError(t, err)
	require.Equal(t, "/f", img.Files()["/g"].Link)
}
