//go:build !linux

package sysexplore

// oNoFollow: no trace is recorded here.
const oNoFollow = 0
