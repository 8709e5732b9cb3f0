//go:build !linux

package config

import "github.com/spf13/afero"

// openForWriting is the Linux lease probe; elsewhere it reports false (the
// content and lock-file checks still apply).
func openForWriting(afero.File) bool { return false }
