package harness

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/model"
)

// artifactVersion is the version of the artifact JSON format. 2: the
// case as drawn is in the artifact's own fields, and case i runs on store
// group i/16 (docs/soak.md), so a version-1 artifact's (seed, case) names
// another case; it is rejected rather than replayed.
const artifactVersion = 2

// Artifact is the JSON record of one soak case — as Soak reports a failing
// one, and as Replay re-runs one: enough to replay it exactly, values as
// fingerprints only. Decoding one from JSON checks its format version and
// the fields a replay needs (an error wrapping ErrBadConfig).
type Artifact struct {
	Version int    `json:"version"`
	Target  string `json:"target"`
	// Seed is the base seed of the soak, Case the case index; MaxKeys,
	// Depth and CrashAfterError are the soak's parameters (the case
	// depends on them: Config).
	Seed            uint64 `json:"seed"`
	Case            int    `json:"case"`
	MaxKeys         int    `json:"max_keys"`
	Depth           int    `json:"depth"`
	CrashAfterError bool   `json:"crash_after_error,omitempty"`
	// The case as drawn, before shrinking: its own seed (derived from Seed
	// and Case), the size of its initial store and the store with value
	// fingerprints, the number of mutating operations of a complete run
	// from it (crash points are drawn in [0, Ops], then scaled to the run
	// they hit: docs/soak.md), and the injector of
	// each faulty run in faults.ParseSchedule syntax (a complete run
	// follows them).
	CaseSeed uint64   `json:"case_seed"`
	Keys     int      `json:"keys"`
	Store    string   `json:"store"`
	Ops      int      `json:"ops"`
	Drawn    []string `json:"drawn_schedule"`
	// Invariant, Name and Detail are the first violation of the minimal
	// counterexample (empty when the case passes: Failed).
	Invariant model.InvariantID `json:"invariant,omitempty"`
	Name      string            `json:"name,omitempty"`
	Detail    string            `json:"detail,omitempty"`
	// Schedule lists the injector of each faulty run of the minimal
	// counterexample, in faults.ParseSchedule syntax.
	Schedule []string `json:"schedule,omitempty"`
	// Counterexample is the minimal failing case: the initial store (keys,
	// value fingerprints), then one line per run.
	Counterexample []string `json:"counterexample,omitempty"`
	// Replay is the line that re-runs the case: the Replay call, or a
	// command line where a tool rewrote it (scopemig soak writes
	// `scopemig replay …` into the artifacts it saves).
	Replay string `json:"replay"`
}

// Failed reports whether the case violated an invariant.
func (a Artifact) Failed() bool { return a.Invariant != "" }

// caseArtifact is the artifact of case desc of the soak r runs from base
// seed, without a failure.
func caseArtifact(r *soakRunner, seed uint64, desc soakCase) Artifact {
	a := Artifact{
		Version: artifactVersion, Target: r.e.target.Name, Seed: seed, Case: desc.Index, MaxKeys: r.maxKeys, Depth: r.depth,
		CrashAfterError: r.crashAfterError,
		CaseSeed:        desc.Seed, Keys: desc.Keys, Store: desc.Store, Ops: desc.Ops, Drawn: desc.Schedule,
	}
	a.Replay = replayCall(a)
	return a
}

// newArtifact is the artifact of case desc, failed with f.
func newArtifact(r *soakRunner, seed uint64, desc soakCase, f *failure) Artifact {
	a := caseArtifact(r, seed, desc)
	a.Invariant, a.Name, a.Detail = f.vs[0].ID, f.vs[0].ID.Name(), f.vs[0].Detail
	a.Counterexample = f.lines()
	for _, s := range f.sched {
		if s != "complete run" {
			a.Schedule = append(a.Schedule, s)
		}
	}
	return a
}

// replayCall is the Replay call that re-runs a's case; its fields are the
// data, and a command-line tool rewrites the line in its own terms.
func replayCall(a Artifact) string {
	return fmt.Sprintf("harness.Replay(ctx, target %q, harness.Artifact{Seed: %d, Case: %d, MaxKeys: %d, Depth: %d, CrashAfterError: %v})",
		a.Target, a.Seed, a.Case, a.MaxKeys, a.Depth, a.CrashAfterError)
}

// Config returns the soak configuration that ran a's case.
func (a Artifact) Config() SoakConfig {
	return SoakConfig{Seed: a.Seed, MaxKeys: a.MaxKeys, Depth: a.Depth, CrashAfterError: a.CrashAfterError}
}

// FileName is the artifact's file name: soak-<target>-<seed>-<case>.json
// (":" of mutant names replaced).
func (a Artifact) FileName() string {
	name := []byte(a.Target)
	for i, c := range name {
		if c == ':' || c == '/' || c == filepath.Separator {
			name[i] = '_'
		}
	}
	return fmt.Sprintf("soak-%s-%d-%d.json", name, a.Seed, a.Case)
}

// Write writes a as indented JSON into dir (created if missing), named
// FileName, and returns the file's path.
//
// Crash contract: atomicfile.Write: the file is either absent or whole;
// after a nil return it is durable; retrying overwrites it with the same
// content.
func (a Artifact) Write(fsys afero.Fs, dir string) (string, error) {
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return "", fmt.Errorf("artifact: %w", err)
	}
	if err := atomicfile.MkdirAll(fsys, dir, 0o755); err != nil {
		return "", fmt.Errorf("artifact dir %s: %w", dir, err)
	}
	p := filepath.Join(dir, a.FileName())
	if err := atomicfile.Write(fsys, p, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("artifact %s: %w", p, err)
	}
	return p, nil
}

// UnmarshalJSON decodes an artifact written by Write and checks it: the
// format version, a target, and the soak parameters the case depends on.
func (a *Artifact) UnmarshalJSON(b []byte) error {
	type plain Artifact // the same fields, without this method
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return fmt.Errorf("%w: artifact: %v", ErrBadConfig, err)
	}
	if p.Version != artifactVersion || p.Target == "" || p.MaxKeys <= 0 || p.Depth <= 0 {
		return fmt.Errorf("%w: artifact: version %d, target %q, max_keys %d, depth %d", ErrBadConfig, p.Version, p.Target, p.MaxKeys, p.Depth)
	}
	*a = Artifact(p)
	return nil
}

// Same reports whether b reproduces a: the same invariant, detail,
// schedule and counterexample.
func (a Artifact) Same(b Artifact) bool {
	return a.Invariant == b.Invariant && a.Detail == b.Detail && slices.Equal(a.Schedule, b.Schedule) &&
		slices.Equal(a.Counterexample, b.Counterexample)
}

func sortArtifacts(as []Artifact) {
	slices.SortFunc(as, func(a, b Artifact) int { return a.Case - b.Case })
}
