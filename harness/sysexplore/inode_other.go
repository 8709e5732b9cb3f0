//go:build !unix

package sysexplore

import "io/fs"

// inodeOf: no inode numbers here (no trace is recorded either).
func inodeOf(fs.FileInfo) (ino uint64, nlink uint64) { return 0, 0 }
