// Package cleanpath decides cheaply whether a path is already clean, so
// the stores skip filepath.Clean on their hot paths.
package cleanpath

import "path/filepath"

// IsClean reports whether p is certainly equal to filepath.Clean(p) on a
// '/'-separated platform: "/", or elements that are neither empty, "." nor
// "..", with no trailing separator. It may answer false for some clean
// paths ("." or a leading ".."), which only costs the caller a Clean.
func IsClean(p string) bool {
	if filepath.Separator != '/' || p == "" {
		return false
	}
	if p == "/" {
		return true
	}
	n := len(p)
	start := 0
	if p[0] == '/' {
		start = 1
	}
	for i := start; i <= n; i++ {
		if i < n && p[i] != '/' {
			continue
		}
		// p[start:i] is one element.
		switch i - start {
		case 0:
			return false
		case 1:
			if p[start] == '.' {
				return false
			}
		case 2:
			if p[start] == '.' && p[start+1] == '.' {
				return false
			}
		}
		start = i + 1
	}
	return true
}

// Clean is filepath.Clean(p), without its allocation when p is already
// clean (the hot path of the crash explorer).
func Clean(p string) string {
	if IsClean(p) {
		return p
	}
	return filepath.Clean(p)
}
