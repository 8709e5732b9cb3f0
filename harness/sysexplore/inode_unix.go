//go:build unix

package sysexplore

import (
	"io/fs"
	"syscall"
)

// inodeOf returns a file's inode number and link count.
func inodeOf(info fs.FileInfo) (ino uint64, nlink uint64) {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return uint64(st.Ino), uint64(st.Nlink)
}
