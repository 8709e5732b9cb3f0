package procstat

import (
	"crypto/sha256"
	"os/exec"
	"runtime"
	"testing"
	"time"
)

// TestPeakRSSUnit touches 64 MiB and checks the peak is reported in bytes:
// a KiB figure left unscaled would be 1024 times too small, one scaled
// twice (darwin already reports bytes) 1024 times too large.
func TestPeakRSSUnit(t *testing.T) {
	if _, ok := PeakRSS(); !ok {
		t.Skipf("%s does not report peak RSS", runtime.GOOS)
	}
	const size = 64 << 20
	b := make([]byte, size)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	peak, ok := PeakRSS()
	runtime.KeepAlive(b)
	if !ok {
		t.Fatal("PeakRSS stopped reporting")
	}
	if peak < size {
		t.Errorf("peak RSS %d bytes after touching %d bytes: wrong unit?", peak, size)
	}
	if peak > 1<<40 {
		t.Errorf("peak RSS %d bytes (over 1 TiB): wrong unit?", peak)
	}
}

// TestCPUAdvances burns CPU until the reported time grows, and checks the
// growth is no more than the wall time times the cores that could run it.
func TestCPUAdvances(t *testing.T) {
	c0, ok := CPU()
	if !ok {
		t.Skipf("%s does not report CPU time", runtime.GOOS)
	}
	start := time.Now()
	var sum [32]byte
	for {
		for range 1 << 14 {
			sum = sha256.Sum256(sum[:])
		}
		c1, ok := CPU()
		if !ok {
			t.Fatal("CPU stopped reporting")
		}
		if c1 > c0 {
			if wall := time.Since(start); c1-c0 > wall*time.Duration(runtime.NumCPU())+time.Second {
				t.Errorf("CPU grew by %v in %v of wall time: wrong unit?", c1-c0, wall)
			}
			break
		}
		if time.Since(start) > 10*time.Second {
			t.Fatalf("CPU time did not advance in 10 s of busy loop (sum %x)", sum[:4])
		}
	}
}

// TreeCPU counts a waited-for child's CPU time.
func TestTreeCPUCountsChildren(t *testing.T) {
	before, ok := TreeCPU()
	if !ok {
		t.Skip("not reported here")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	if err := exec.Command(sh, "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done").Run(); err != nil {
		t.Fatal(err)
	}
	after, _ := TreeCPU()
	self, _ := CPU()
	if after-before <= 0 || after <= self {
		t.Fatalf("tree CPU %v -> %v, self %v: the child's time is not included", before, after, self)
	}
}
