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
	scheme, keys, err := prepare(ctx, p, scheme)
	if err != nil {
		return Plan{}, err
	}
	ov := &overlayKV{under: providerKV{p: p}, over: map[string]*string{}}
	steps, err := migrateKeys(ctx, ov, slices.Values(keys), len(keys), scheme, policy)
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
