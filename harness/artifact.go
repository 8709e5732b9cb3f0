package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/model"
)

// ArtifactVersion is the version of the artifact JSON format. 2: case i
// runs on store group i/16 (docs/soak.md), so a version-1 artifact's
// (seed, case) names another case; it is rejected rather than replayed.
const ArtifactVersion = 2

// ErrBadArtifact reports an artifact file that cannot be read or replayed.
var ErrBadArtifact = errors.New("bad artifact")

// Artifact is the JSON record of a failing soak case: enough to replay it
// exactly, values as fingerprints only.
type Artifact struct {
	Version int    `json:"version"`
	Target  string `json:"target"`
	// Seed is the base seed of the soak, Case the failing case index;
	// MaxKeys and Depth are the soak's parameters (the case depends on
	// them).
	Seed    uint64 `json:"seed"`
	Case    int    `json:"case"`
	MaxKeys int    `json:"max_keys"`
	Depth   int    `json:"depth"`
	// CrashAfterError is SoakConfig.CrashAfterError.
	CrashAfterError bool `json:"crash_after_error,omitempty"`
	// CaseInfo describes the case as drawn (before shrinking).
	CaseInfo SoakCase `json:"case_info"`
	// Invariant, Name and Detail are the first violation of the minimal
	// counterexample.
	Invariant model.InvariantID `json:"invariant"`
	Name      string            `json:"name"`
	Detail    string            `json:"detail"`
	// Schedule lists the injector of each faulty run of the minimal
	// counterexample, in faults.ParseSchedule syntax.
	Schedule []string `json:"schedule"`
	// Counterexample is the minimal failing case: the initial store (keys,
	// value fingerprints), then one line per run.
	Counterexample []string `json:"counterexample"`
	// Replay is the command line that reproduces the failure.
	Replay string `json:"replay"`
}

func newArtifact(r *soakRunner, seed uint64, desc SoakCase, f *failure) Artifact {
	a := Artifact{
		Version: ArtifactVersion, Target: r.e.target.Name, Seed: seed, Case: desc.Index, MaxKeys: r.maxKeys, Depth: r.depth,
		CrashAfterError: r.crashAfterError,
		CaseInfo:        desc, Invariant: f.vs[0].ID, Name: f.vs[0].ID.Name(), Detail: f.vs[0].Detail,
		Counterexample: f.lines(),
	}
	for _, s := range f.sched {
		if s != "complete run" {
			a.Schedule = append(a.Schedule, s)
		}
	}
	a.Replay = ReplayCommand(a)
	return a
}

// ReplayCommand is the scopemig command line that replays a.
func ReplayCommand(a Artifact) string {
	cmd := fmt.Sprintf("scopemig replay --target %s --seed %d --case %d --max-keys %d --depth %d", a.Target, a.Seed, a.Case, a.MaxKeys, a.Depth)
	if a.CrashAfterError {
		cmd += " --crash-after-error"
	}
	return cmd
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

// WriteArtifact writes a as indented JSON into dir (created if missing) and
// returns the file's path.
//
// Crash contract: atomicfile.Write: the file is either absent or whole;
// after a nil return it is durable; retrying overwrites it with the same
// content.
func WriteArtifact(fsys afero.Fs, dir string, a Artifact) (string, error) {
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

// ReadArtifact reads an artifact written by WriteArtifact.
func ReadArtifact(fsys afero.Fs, path string) (Artifact, error) {
	b, err := afero.ReadFile(fsys, path)
	if err != nil {
		return Artifact{}, fmt.Errorf("%w: %v", ErrBadArtifact, err)
	}
	var a Artifact
	if err := json.Unmarshal(b, &a); err != nil {
		return Artifact{}, fmt.Errorf("%w: %s: %v", ErrBadArtifact, path, err)
	}
	if a.Version != ArtifactVersion || a.Target == "" || a.MaxKeys <= 0 || a.Depth <= 0 {
		return Artifact{}, fmt.Errorf("%w: %s: version %d, target %q, max_keys %d, depth %d", ErrBadArtifact, path, a.Version, a.Target, a.MaxKeys, a.Depth)
	}
	return a, nil
}

// ReplayCase re-runs case index of the soak configured by cfg (Seed,
// MaxKeys, Depth, CrashAfterError) on t, exactly as Soak ran it (shrinking
// included). It returns the case as drawn and the artifact of its failure
// (nil when the case passes).
func ReplayCase(ctx context.Context, t Target, cfg SoakConfig, index int) (SoakCase, *Artifact, error) {
	if t.Open == nil {
		return SoakCase{}, nil, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	cfg = cfg.withDefaults()
	r := newSoakRunner(context.WithoutCancel(ctx), t, cfg)
	r.describe = true
	res, err := r.run(cfg.Seed, index)
	return res.desc, res.art, err
}

// DescribeCase returns case index of a soak as drawn, without running its
// faults (the store is seeded and migrated once to count operations).
func DescribeCase(ctx context.Context, t Target, cfg SoakConfig, index int) (SoakCase, error) {
	if t.Open == nil {
		return SoakCase{}, fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	cfg = cfg.withDefaults()
	st, _, desc, err := newSoakRunner(context.WithoutCancel(ctx), t, cfg).plan(cfg.Seed, index)
	if err == nil {
		desc.Store = describeState(st.s0)
	}
	return desc, err
}

// SameFailure reports whether b reproduces a: the same invariant, detail,
// schedule and counterexample.
func SameFailure(a, b Artifact) bool {
	return a.Invariant == b.Invariant && a.Detail == b.Detail && slices.Equal(a.Schedule, b.Schedule) &&
		slices.Equal(a.Counterexample, b.Counterexample)
}

func sortArtifacts(as []Artifact) {
	slices.SortFunc(as, func(a, b Artifact) int { return a.Case - b.Case })
}
