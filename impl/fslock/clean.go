package fslock

import "path/filepath"

// isClean reports whether p is certainly equal to filepath.Clean(p) on a
// '/'-separated platform: "/", or elements that are neither empty, "." nor
// "..", with no trailing separator. It may answer false for some clean
// paths ("." or a leading ".."), which only costs the caller a Clean.
func isClean(p string) bool {
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
