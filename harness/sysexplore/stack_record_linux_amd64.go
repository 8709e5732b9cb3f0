//go:build linux && amd64

package sysexplore

// stack records tid's user stack at the entry of crash point k (pc, the
// frameless leaf's return address and the frame pointer from its
// registers).
func (t *tracer) stack(tid, k int, pc, leafRet, fp uint64) {
	if t.images == nil {
		t.images = map[int]*procImage{}
	}
	img := t.images[tid]
	if img == nil {
		img = readProcImage(tid)
		t.images[tid] = img
	}
	if t.res.Stacks == nil {
		t.res.Stacks = map[int]rawStack{}
	}
	t.res.Stacks[k] = captureStack(tid, img, pc, leafRet, fp)
}
