package trace

import (
	"os"
	"strings"
	"syscall"
)

// openFlags prints the access mode and the creation flags of an open.
func openFlags(f int) string {
	var parts []string
	switch f & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_WRONLY:
		parts = append(parts, "O_WRONLY")
	case os.O_RDWR:
		parts = append(parts, "O_RDWR")
	default:
		parts = append(parts, "O_RDONLY")
	}
	for _, fl := range []struct {
		bit  int
		name string
	}{{os.O_CREATE, "O_CREAT"}, {os.O_EXCL, "O_EXCL"}, {os.O_TRUNC, "O_TRUNC"}, {os.O_APPEND, "O_APPEND"}} {
		if f&fl.bit != 0 {
			parts = append(parts, fl.name)
		}
	}
	return strings.Join(parts, "|")
}

// Writable reports whether open flags f ask for write access or change the file.
func Writable(f int) bool {
	return f&(os.O_WRONLY|os.O_RDWR|os.O_CREATE|os.O_TRUNC) != 0
}

// errnoName prints an errno returned by a syscall.
func errnoName(n int64) string { return syscall.Errno(n).Error() }
