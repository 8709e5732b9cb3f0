//go:build linux

package sysexplore

import "golang.org/x/sys/unix"

// oNoFollow is O_NOFOLLOW in the recorded open flags.
const oNoFollow = unix.O_NOFOLLOW
