package migrate

import (
	"context"
	"fmt"
	"iter"
	"slices"

	"github.com/scopemig/scopemig/impl/secrets"
)

// kv is the key/value surface the migration body runs on: the map inside an
// Update transaction, a live provider (per-key path) or a read-through
// overlay that records writes without performing them (Discover).
type kv interface {
	// get returns the value of key; ok is false when it is absent.
	get(ctx context.Context, key string) (value string, ok bool, err error)
	set(ctx context.Context, key, value string) error
	del(ctx context.Context, key string) error
}

// migrateKeys runs the migration body over s for the legacy keys among keys,
// in sorted order, and returns one Step per legacy key that still exists.
// For each legacy key k with target t it writes before it deletes:
//
//  1. t absent: set(t, v), then del(k).
//  2. t equal: del(k).
//  3. t different, Keep: set(q, v) for the first quarantine slot q that is
//     free (a slot that already holds v is reused without a write), then
//     del(k).
//  4. t different, Drop: del(k).
//
// Every write is idempotent, so the body can be re-run from any prefix of
// its own writes and reaches the same final content.
// Fingerprints in the steps come from fp.
// keys is read to the end before the first call on s, so it may range over
// the map s writes to.
func migrateKeys(ctx context.Context, s kv, keys iter.Seq[string], n int, scheme secrets.Scheme, policy Policy, fp secrets.Fingerprinter) ([]Step, error) {
	// Only the legacy keys are sorted; n (the number of keys) bounds them.
	legacy := make([]string, 0, n)
	for k := range keys {
		if _, ok := scheme.LegacyScope(k); ok {
			legacy = append(legacy, k)
		}
	}
	slices.Sort(legacy)
	legacy = slices.Compact(legacy)
	var steps []Step // nil when there is nothing to migrate, as before
	if len(legacy) > 0 {
		steps = make([]Step, 0, len(legacy))
	}
	for _, k := range legacy {
		scope, _ := scheme.LegacyScope(k)
		if err := ctx.Err(); err != nil {
			return steps, fmt.Errorf("migrate %q: %w", k, err)
		}
		step, ok, err := migrateKey(ctx, s, scheme, policy, fp, k, scope)
		if err != nil {
			return steps, err
		}
		if ok {
			steps = append(steps, step)
		}
	}
	return steps, nil
}

// migrateKey migrates one legacy key; ok is false when k no longer exists.
func migrateKey(ctx context.Context, s kv, scheme secrets.Scheme, policy Policy, fp secrets.Fingerprinter, k, scope string) (Step, bool, error) {
	v, ok, err := s.get(ctx, k)
	if err != nil || !ok {
		return Step{}, false, err
	}
	t := scheme.ScopedKey(scope, k)
	step := Step{Key: k, Target: t, Scope: scope, Fingerprint: fp.Of(v)}
	cur, present, err := s.get(ctx, t)
	if err != nil {
		return Step{}, false, err
	}
	if present {
		step.TargetFingerprint = fp.Of(cur)
	}
	switch {
	case !present:
		step.Outcome = Moved
		if err := s.set(ctx, t, v); err != nil {
			return Step{}, false, err
		}
	case cur == v:
		step.Outcome = AlreadyScoped
	case policy == Keep:
		step.Outcome = ConflictQuarantined
		q, err := quarantine(ctx, s, scheme, k, v)
		if err != nil {
			return Step{}, false, err
		}
		step.Quarantine = q
	default:
		step.Outcome = ConflictDropped
	}
	if err := s.del(ctx, k); err != nil {
		return Step{}, false, err
	}
	return step, true, nil
}

// quarantine stores v under the first quarantine slot of k that is free or
// already holds v, and returns that slot.
func quarantine(ctx context.Context, s kv, scheme secrets.Scheme, k, v string) (string, error) {
	for n := 1; ; n++ {
		q := scheme.QuarantineKey(k, n)
		cur, ok, err := s.get(ctx, q)
		if err != nil {
			return "", err
		}
		if ok && cur == v {
			return q, nil
		}
		if !ok {
			if err := s.set(ctx, q, v); err != nil {
				return "", err
			}
			return q, nil
		}
		if err := ctx.Err(); err != nil {
			return "", fmt.Errorf("quarantine %q: %w", k, err)
		}
	}
}
