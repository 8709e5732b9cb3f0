package migrate

import (
	"context"
	"fmt"
	"slices"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Plan is what a migration would do now: one Step per legacy key, sorted by
// key.
type Plan struct {
	Steps []Step `json:"steps"`
}

// Counts tallies the plan's steps by outcome.
func (p Plan) Counts() Counts { return CountSteps(p.Steps) }

// Empty reports whether there is no legacy key to migrate.
func (p Plan) Empty() bool { return len(p.Steps) == 0 }

// Discover computes the plan from one listing of p and reads of the legacy
// keys, their targets and quarantine slots. It never writes: the moves are
// simulated on an in-memory overlay, so later steps see the effect of
// earlier ones exactly as Apply would.
//
// Crash contract: read-only; nothing to recover.
func Discover(ctx context.Context, p secrets.Provider, scheme secrets.Scheme, policy Policy) (Plan, error) {
	return discover(ctx, p, scheme, policy, secrets.Fingerprinter{})
}

// Plan is Discover with the Runner's provider, scheme, policy and
// fingerprinter: what Run would do to the data now (the flag aside). It
// never writes. On a read-only provider that holds the whole content in
// memory (encfile.Snapshot) it costs one listing plus O(1) per read: O(N)
// for N keys, plus the sort.
func (r Runner) Plan(ctx context.Context) (Plan, error) {
	return discover(ctx, r.Provider, r.Scheme, r.Policy, r.Fingerprinter)
}

func discover(ctx context.Context, p secrets.Provider, scheme secrets.Scheme, policy Policy, fp secrets.Fingerprinter) (Plan, error) {
	scheme, keys, err := prepare(ctx, p, scheme)
	if err != nil {
		return Plan{}, err
	}
	ov := &overlayKV{under: providerKV{p: p}, over: map[string]*string{}}
	steps, err := migrateKeys(ctx, ov, slices.Values(keys), len(keys), scheme, policy, fp)
	if err != nil {
		return Plan{}, fmt.Errorf("discover: %w", err)
	}
	return Plan{Steps: steps}, nil
}

// prepare validates the scheme and lists the keys of p.
func prepare(ctx context.Context, p secrets.Provider, scheme secrets.Scheme) (secrets.Scheme, []string, error) {
	if p == nil {
		return scheme, nil, ErrNoProvider
	}
	scheme = scheme.Normalized()
	if err := scheme.Validate(); err != nil {
		return scheme, nil, err
	}
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return scheme, nil, fmt.Errorf("list secrets: %w", err)
	}
	keys := make([]string, len(list))
	for i, d := range list {
		keys[i] = d.Key
	}
	return scheme, keys, nil
}
