//go:build linux && amd64

package interop

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUpstream (make upstream): ToolHive's own migration glue built from
// v0.47.0 as released and from a copy with interop/upstream's patch series
// applied, each checked by the explorer (every mode, keep), the lost-update
// and config-writer interleaving with ToolHive's own writers, and the
// error sweep. Every v0.47.0 finding on the first; no violation and
// nothing inconclusive on the second (docs/upstream.md).
func TestUpstream(t *testing.T) {
	patches := upstreamPatches(t)
	t.Run("v0.47.0", func(t *testing.T) {
		r := checkUpstream(t, buildThv(t, "v0.47.0", nil))
		for _, f := range v047Findings {
			require.Contains(t, r.Found, f, "v0.47.0 must show %s", f)
		}
	})
	t.Run("patched", func(t *testing.T) {
		r := checkUpstream(t, buildThv(t, "patched", patches))
		require.Empty(t, r.findings(), "patched build")
		require.Empty(t, r.Inconclusive, "patched build")
	})
}

// TestUpstreamRevert (make upstream-revert; slow: one build and one full
// check per patch): the series without one patch brings back that patch's
// finding, for every patch. UPSTREAM_REVERT=0003 checks one patch only.
func TestUpstreamRevert(t *testing.T) {
	only := os.Getenv("UPSTREAM_REVERT")
	if only == "" {
		t.Skip("set UPSTREAM_REVERT=all (make upstream-revert) or UPSTREAM_REVERT=000N")
	}
	patches := upstreamPatches(t)
	require.Len(t, patchFinding, len(patches), "one finding per patch")
	for _, p := range patches {
		num := filepath.Base(p)[:4]
		if only != "all" && only != num {
			continue
		}
		t.Run("without "+num, func(t *testing.T) {
			var rest []string
			for _, q := range patches {
				if q != p {
					rest = append(rest, q)
				}
			}
			want, ok := patchFinding[num]
			require.True(t, ok, "no finding named for %s", p)
			r := checkUpstream(t, buildThv(t, "without "+num, rest))
			require.Contains(t, r.Found, want, "reverting %s must bring back: %s (found: %v)", strings.TrimPrefix(p, upstreamDir+"/"), want, r.findings())
		})
	}
}
