package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// A cancelled verify is inconclusive: exit 2, no violation, one line.
func TestVerifyCancelledExitsTwo(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cmd := newVerifyCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs([]string{"--target", "encfile", "--no-mutants"})
	err := cmd.ExecuteContext(ctx)
	require.ErrorIs(t, err, errInconclusive)
	require.ErrorIs(t, err, context.Canceled)
	var line bytes.Buffer
	require.Equal(t, 2, writeError(&line, err))
	require.Equal(t, "scopemig: verification inconclusive: context canceled\n", line.String())
}

// The JSON report of a passing run: no violation, nothing inconclusive,
// exit 0; each target lists "inconclusive" as [] (never null), and so does
// "mutants" under --no-mutants.
func TestVerifyJSONInconclusiveField(t *testing.T) {
	cmd := newVerifyCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--json", "--target", "encfile", "--no-mutants", "--checks", "5"})
	require.NoError(t, cmd.ExecuteContext(context.Background()))
	var doc struct {
		OK           bool `json:"ok"`
		Inconclusive *int `json:"inconclusive"`
		Targets      []struct {
			Inconclusive []any `json:"inconclusive"`
		} `json:"targets"`
		Mutants []any `json:"mutants"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &doc))
	require.True(t, doc.OK)
	require.NotNil(t, doc.Inconclusive)
	require.Zero(t, *doc.Inconclusive)
	require.Len(t, doc.Targets, 1)
	require.NotNil(t, doc.Targets[0].Inconclusive)
	require.NotNil(t, doc.Mutants, "mutants is [] without the suite, as docs/cli.md's mutants[] says, never null")
	require.Empty(t, doc.Mutants)
}

// A negative --depth or --checks is refused like a negative -p, before
// anything runs (it used to run silently with the defaults, and the
// verdict line then named a depth the user had not asked for).
func TestVerifyRefusesNegativeSizes(t *testing.T) {
	for _, args := range [][]string{
		{"--depth", "-1"},
		{"--checks", "-5"},
		{"-p", "-3"},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // were it to run, it would stop at once: inconclusive, not this error
		cmd := newVerifyCmd()
		cmd.SilenceUsage = true // as under the root command
		var out, errb bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetErr(&errb)
		cmd.SetArgs(append([]string{"--target", "encfile", "--no-mutants"}, args...))
		err := cmd.ExecuteContext(ctx)
		require.Error(t, err, "%v", args)
		require.NotErrorIs(t, err, errInconclusive, "%v: refused before running", args)
		require.Contains(t, err.Error(), args[1], "%v: the message names the value", args)
		require.Empty(t, out.String(), "%v", args)
	}
}
