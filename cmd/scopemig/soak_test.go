package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/internal/realsoak"
)

func soakArgs(dir string) soakFlags {
	return soakFlags{duration: time.Second, seed: 7, shard: "0/1", target: "encfile", maxKeys: 40, depth: 4,
		report: filepath.Join(dir, "r.json"), junit: filepath.Join(dir, "r.xml"), artifactDir: dir}
}

// A clean soak exits 0 with cases > 0, a JSON report and valid JUnit XML.
func TestSoakCmdReports(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	require.NoError(t, runSoak(context.Background(), &out, &errOut, soakArgs(dir), realsoak.Config{}))
	var rep soakOutput
	b, err := os.ReadFile(filepath.Join(dir, "r.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, &rep))
	require.True(t, rep.OK)
	require.Positive(t, rep.Soak.Cases)
	var ju junitSuites
	b, err = os.ReadFile(filepath.Join(dir, "r.xml"))
	require.NoError(t, err)
	require.NoError(t, xml.Unmarshal(b, &ju))
	require.Len(t, ju.Suites, 1)
	require.NotEmpty(t, ju.Suites[0].Cases)
	require.Zero(t, ju.Suites[0].Failures)
}

// A mutant makes soak fail with an artifact and a failing JUnit case;
// replay --artifact reproduces the same violation (errReproduced: exit 1).
func TestSoakCmdMutantAndReplay(t *testing.T) {
	dir := t.TempDir()
	f := soakArgs(dir)
	f.duration, f.target = 10*time.Second, "mutant:flag-before-data"
	var out, errOut bytes.Buffer
	err := runSoak(context.Background(), &out, &errOut, f, realsoak.Config{})
	require.ErrorIs(t, err, errSoakFailed)
	require.Equal(t, 1, exitCode(err))
	arts, err := filepath.Glob(filepath.Join(dir, "soak-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, arts)
	b, err := os.ReadFile(filepath.Join(dir, "r.xml"))
	require.NoError(t, err)
	var ju junitSuites
	require.NoError(t, xml.Unmarshal(b, &ju))
	require.Positive(t, ju.Suites[0].Failures)

	cmd := newRoot()
	var rout bytes.Buffer
	cmd.SetOut(&rout)
	cmd.SetArgs([]string{"replay", "--artifact", arts[0]})
	err = cmd.Execute()
	require.ErrorIs(t, err, errReproduced)
	require.Contains(t, rout.String(), "reproduced")
	require.NotContains(t, rout.String(), "DIFFERENT")
}

func TestReplayPassingCase(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, runReplay(context.Background(), &out, harness.Artifact{Target: "encfile", Seed: 1, MaxKeys: 20}, nil))
	require.Contains(t, out.String(), "passes")
}

func TestSoakCmdRejectsBadFlags(t *testing.T) {
	f := soakArgs(t.TempDir())
	f.shard = "4/4"
	require.ErrorIs(t, runSoak(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, f, realsoak.Config{}), errBadShard)
	f.shard, f.target = "0/1", "nope"
	require.ErrorIs(t, runSoak(context.Background(), &bytes.Buffer{}, &bytes.Buffer{}, f, realsoak.Config{}), errUnknownTarget)
	_, err := resolveTarget("mutant:nope")
	require.ErrorIs(t, err, errUnknownTarget)
}

func TestExploreCmd(t *testing.T) {
	cmd := newRoot()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"explore", "--keys", "3", "--mode", "torn", "--depth", "1", "--json"})
	require.NoError(t, cmd.Execute())
	var rep harness.ExploreReport
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	require.Len(t, rep.Modes, 1)
	require.Equal(t, faults.Torn, rep.Modes[0].Mode)
	require.Positive(t, rep.Modes[0].States)
	// The JSON field set of a mode is the documented one, the mode by name.
	var raw struct {
		Modes []map[string]any `json:"modes"`
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &raw))
	require.Equal(t, "torn", raw.Modes[0]["mode"])
	require.ElementsMatch(t, []string{"mode", "states", "distinct_images", "runs", "seconds", "states_per_second", "points", "distinct", "points_per_second"}, slices.Collect(maps.Keys(raw.Modes[0])))
	require.Equal(t, 3, rep.Keys)
}
