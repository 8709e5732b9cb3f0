package migrate

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Result is what Apply did.
type Result struct {
	// Steps holds one Step per legacy key migrated by this call, sorted by
	// key.
	Steps []Step `json:"steps"`
	// Transactional is true when the provider's Update ran the whole
	// migration as one atomic transaction, false for the per-key path.
	Transactional bool `json:"transactional"`
}

// Counts tallies the result's steps by outcome.
func (r Result) Counts() Counts { return CountSteps(r.Steps) }

// Apply migrates every legacy key of p under policy.
//
// Transactional path (p implements secrets.Updater): ONE Update call whose
// fn recomputes the moves on the content read under the store's lock, so no
// concurrent writer can slip between the plan and the writes.
//
//   - After success: no legacy key is left; the new content is durable (one
//     atomic replace, per the Updater contract). A store without legacy keys
//     is not written at all.
//   - After an error: nothing was written (Update is all-or-nothing).
//   - After a crash at any point: the store holds either the old or the new
//     content (the Updater's atomic replace). Retry is safe.
//
// Per-key path (any other provider): one listing, then for each legacy key
// k in sorted order, write before delete:
//
//  1. read k (absent: skip — already migrated by an earlier run) and its
//     target t;
//
//  2. t absent → SetSecret(t, v); t equal → no write; t different and
//     Keep → SetSecret(q, v) for the first quarantine slot q that is free
//     (a slot already holding v is reused without a write); Drop → no write;
//
//  3. DeleteSecret(k) (ErrNotFound is success: an earlier run deleted it).
//
//     - After success: as for the transactional path; every SetSecret and
//     DeleteSecret that returned nil is as durable as the provider makes it.
//     - After an error or a crash between 2 and 3: v is stored under both k
//     and its destination; every reader still sees v. Between two keys: a
//     prefix of the keys is migrated. In every case no value is lost and a
//     re-run continues where it stopped and converges to the same content
//     as an uninterrupted run (a quarantine slot already holding v is found
//     again, so no duplicate is written). Retry is safe.
func Apply(ctx context.Context, p secrets.Provider, scheme secrets.Scheme, policy Policy) (Result, error) {
	return apply(ctx, p, scheme, policy, secrets.Fingerprinter{})
}

// apply is Apply with the fingerprinter of the steps.
func apply(ctx context.Context, p secrets.Provider, scheme secrets.Scheme, policy Policy, fp secrets.Fingerprinter) (Result, error) {
	if u, ok := p.(secrets.Updater); ok {
		return applyTx(ctx, u, scheme, policy, fp)
	}
	scheme, keys, err := prepare(ctx, p, scheme)
	if err != nil {
		return Result{}, err
	}
	steps, err := migrateKeys(ctx, providerKV{p: p}, slices.Values(keys), len(keys), scheme, policy, fp)
	if err != nil {
		return Result{Steps: steps}, fmt.Errorf("apply: %w", err)
	}
	return Result{Steps: steps}, nil
}

func applyTx(ctx context.Context, u secrets.Updater, scheme secrets.Scheme, policy Policy, fp secrets.Fingerprinter) (Result, error) {
	scheme = scheme.Normalized()
	if err := scheme.Validate(); err != nil {
		return Result{}, err
	}
	var steps []Step
	err := u.Update(ctx, func(m map[string]string) error {
		var err error
		// fn may be called again by a retrying Updater: start afresh.
		steps, err = migrateKeys(ctx, mapKV(m), maps.Keys(m), len(m), scheme, policy, fp)
		return err
	})
	if err != nil {
		return Result{Transactional: true}, fmt.Errorf("apply (transaction): %w", err)
	}
	return Result{Steps: steps, Transactional: true}, nil
}
