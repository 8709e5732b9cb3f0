package record

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// A frame-pointer chain in a fake memory: the walk lists pc, the leaf's
// return address, then each frame's return address, and stops at a frame
// pointer that does not grow (a corrupt or foreign chain), never looping.
func TestWalkFrames(t *testing.T) {
	mem := map[uint64]uint64{
		0x1000: 0x1100, 0x1008: 0xa2, // frame 1: caller's fp, return address
		0x1100: 0x1200, 0x1108: 0xa3,
		0x1200: 0x1000, 0x1208: 0xa4, // points back down: the walk stops after it
	}
	read := func(a uint64) (uint64, bool) { v, ok := mem[a]; return v, ok }
	require.Equal(t, []uint64{0xa0, 0xa1, 0xa2, 0xa3, 0xa4}, walkFrames(0xa0, 0xa1, 0x1000, read))
	require.Equal(t, []uint64{0xa0, 0xa2, 0xa3, 0xa4}, walkFrames(0xa0, 0, 0x1000, read), "no leaf")
	require.Equal(t, []uint64{0xa0, 0xa2, 0xa3, 0xa4}, walkFrames(0xa0, 0xa2, 0x1000, read), "a leaf equal to the first frame's return is not doubled")
	require.Equal(t, []uint64{0xa0, 0xa1}, walkFrames(0xa0, 0xa1, 0x2000, read), "unreadable frame: stop")
	require.Equal(t, []uint64{0xa0, 0xa1}, walkFrames(0xa0, 0xa1, 0x1001, read), "misaligned frame pointer: stop")
}
