//go:build linux && amd64

package main

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness/sysexplore"
)

// TestExploreExecJSONHoldsItsFields: explore --exec's JSON report, with a
// violation so that its violation fields are printed too, holds the field
// set of testdata/json-fields.txt (see TestJSONOutputsHoldTheirFields).
func TestExploreExecJSONHoldsItsFields(t *testing.T) {
	if err := sysexplore.PtraceWorks(); err != nil {
		t.Skipf("skipping: ptrace is not permitted here (%v); CI runs this as root", err)
	}
	t.Setenv(PasswordEnvVar, fixturePassword)
	out, err := runExplore(t, "--exec", "--from", fixtureDir, "--mode", "process", "--json", "--",
		"/bin/sh", "-c", `: > "$1/config.yaml"`, "sh", "{dir}")
	require.ErrorIs(t, err, errExploreFound)
	checkOutputFields(t, "explore --exec", []byte(out))
}
