//go:build !unix

package faults

// oNoFollow is O_NOFOLLOW where the platform has it; elsewhere no open
// asks for it.
const oNoFollow = 0
