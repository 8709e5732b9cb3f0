package main

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// `scopemig --version` prints one line naming the build and the Go version.
func TestVersionFlag(t *testing.T) {
	root := newRoot()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetArgs([]string{"--version"})
	require.NoError(t, root.Execute())
	line := strings.TrimSpace(out.String())
	require.NotContains(t, line, "\n")
	require.True(t, strings.HasPrefix(line, "scopemig version "), line)
	require.Contains(t, line, runtime.Version())
}
