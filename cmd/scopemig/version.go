package main

import (
	"runtime/debug"
	"strings"
)

// version is what `scopemig --version` prints: the module version the
// binary was built from (a tag or pseudo-version with `go install`,
// "(devel)" from a checkout), the VCS revision and whether the tree had
// local changes when the build recorded them, and the Go version.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	parts := []string{bi.Main.Version}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified == "true" {
			rev += "-dirty"
		}
		parts = append(parts, "revision "+rev)
	}
	return strings.Join(append(parts, bi.GoVersion), ", ")
}
