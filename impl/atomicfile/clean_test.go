package atomicfile

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTempNameEqualsJoin(t *testing.T) {
	for _, p := range []string{"/", "/a", "/a/b", "a", "a/b", "./a", "/a/../b", "a//b", "/a/b/"} {
		dir, base := filepath.Split(p)
		require.Equal(t, filepath.Join(dir, "."+base+tempSuffix), TempName(p), p)
	}
}
