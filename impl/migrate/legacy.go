package migrate

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Errors of the quarantine operations, tested with errors.Is.
var (
	// ErrNotQuarantineKey reports a key given to RestoreQuarantined or
	// DropQuarantined that is neither in the quarantine scope nor the
	// original key of a quarantined value.
	ErrNotQuarantineKey = errors.New("not a quarantine key")
	// ErrNoDestination reports a quarantine key whose original key cannot
	// be recovered (it does not parse, or no longer maps to a scope) and
	// no explicit destination.
	ErrNoDestination = errors.New("no restore destination")
	// ErrDestinationTaken reports an explicit destination that already
	// holds a different value.
	ErrDestinationTaken = errors.New("destination holds a different value")
	// ErrNotTransactional reports a provider without secrets.Updater: the
	// quarantine operations run only as one atomic transaction.
	ErrNotTransactional = errors.New("provider cannot run an atomic transaction (no secrets.Updater)")
)

// QuarantineEntry is one quarantined value. It never holds a value, only
// fingerprints.
type QuarantineEntry struct {
	// Key is the quarantine key (__thv_legacy_…).
	Key string `json:"key"`
	// Original is the legacy key the value came from and Slot its
	// quarantine slot (1, 2, …): secrets.Scheme.ParseQuarantineKey. Both
	// are empty/zero for a key in the quarantine scope that no migration
	// wrote (Parsed false).
	Original string `json:"original"`
	Slot     int    `json:"slot"`
	Parsed   bool   `json:"parsed"`
	// Target is the scoped key Original migrates to: where RestoreQuarantined puts
	// the value by default ("" when Original maps to no scope).
	Target string `json:"target"`
	// Fingerprint is the fingerprint of the quarantined value,
	// TargetFingerprint that of the value Target holds now ("" when it is
	// absent).
	Fingerprint       string `json:"fingerprint"`
	TargetFingerprint string `json:"target_fingerprint,omitempty"`
}

// ListQuarantine returns every key of the quarantine scope of p, sorted,
// with its original key, slot, default restore target and fingerprints.
// It only reads (one listing and one read per entry and target: on an
// in-memory snapshot such as encfile.Snapshot, O(N)).
func ListQuarantine(ctx context.Context, p secrets.Provider, scheme secrets.Scheme, fp secrets.Fingerprinter) ([]QuarantineEntry, error) {
	scheme, keys, err := prepare(ctx, p, scheme)
	if err != nil {
		return nil, err
	}
	out := []QuarantineEntry{}
	r := providerKV{p: p}
	for _, k := range keys {
		if !isQuarantine(scheme, k) {
			continue
		}
		v, ok, err := r.get(ctx, k)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue // deleted since the listing
		}
		e := entryOf(scheme, k)
		e.Fingerprint = fp.Of(v)
		if e.Target != "" {
			cur, ok, err := r.get(ctx, e.Target)
			if err != nil {
				return nil, err
			}
			if ok {
				e.TargetFingerprint = fp.Of(cur)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// isQuarantine reports whether k is in the quarantine scope.
func isQuarantine(scheme secrets.Scheme, k string) bool {
	scope, _, ok := scheme.ParseKey(k)
	return ok && scope == scheme.Quarantine
}

// entryOf returns the entry of quarantine key k without fingerprints.
func entryOf(scheme secrets.Scheme, k string) QuarantineEntry {
	e := QuarantineEntry{Key: k}
	if orig, slot, ok := scheme.ParseQuarantineKey(k); ok {
		e.Original, e.Slot, e.Parsed = orig, slot, true
		e.Target, _ = scheme.LegacyTarget(orig)
	}
	return e
}

// RestoreResult is what RestoreQuarantined did.
type RestoreResult struct {
	// Entry is the restored quarantine key as it was before the restore.
	Entry QuarantineEntry `json:"entry"`
	// Destination is the key that now holds the value.
	Destination string `json:"destination"`
	// Displaced is the quarantine key that now holds the value Destination
	// held before ("" when it held none or the same value).
	Displaced            string `json:"displaced,omitempty"`
	DisplacedFingerprint string `json:"displaced_fingerprint,omitempty"`
}

// RestoreQuarantined moves the quarantined value of key back into use, in ONE
// Update transaction of u (locked; one atomic replace).
//
// key is a quarantine key, or the original key of a quarantined value (the
// legacy key, as `scopemig legacy list` shows it) when exactly one slot
// holds a value of it: that slot is restored (Entry.Key names it). An
// original key with several slots fails with ErrAmbiguousKey (listing them)
// and writes nothing.
//
// The destination is as when non-empty (any valid key outside the
// quarantine scope), else the scoped key the original legacy key migrates
// to (ErrNoDestination when there is none). When the destination is absent
// or already holds the value, the value is stored there and key deleted.
// When it holds a different value:
//
//   - default destination: the value that held the scoped key is
//     quarantined, so that nothing is lost, under the first slot of the
//     same original key that is free or already holds it (never key
//     itself, which is deleted: a retry after success reports not-found
//     rather than swapping back); Displaced names that slot;
//   - explicit destination: ErrDestinationTaken, nothing written.
//
// A key that is neither a quarantine key nor an original key with a slot
// fails with ErrNotQuarantineKey, a missing quarantine key with an error
// wrapping secrets.ErrNotFound; both write nothing.
//
// Crash contract: the store holds the content before or after the restore
// (Updater's atomic replace), never a third state, so no value is ever
// lost; after a nil return the change is durable; after an error it is
// either (a retry either does it or reports the key not found, since it
// was already restored).
func RestoreQuarantined(ctx context.Context, u secrets.Updater, scheme secrets.Scheme, key, as string, fp secrets.Fingerprinter) (RestoreResult, error) {
	scheme, err := quarantineOp(u, scheme, key)
	if err != nil {
		return RestoreResult{}, err
	}
	if as != "" && isQuarantine(scheme, as) {
		return RestoreResult{}, fmt.Errorf("%w: --as %q is in the quarantine scope", secrets.ErrInvalidName, as)
	}
	var res RestoreResult
	err = u.Update(ctx, func(m map[string]string) error {
		res = RestoreResult{} // fn may be retried
		key, err := resolveSlot(m, scheme, key, fp)
		if err != nil {
			return err
		}
		res.Entry = entryOf(scheme, key)
		v, ok := m[key]
		if !ok {
			return fmt.Errorf("restore %q: %w", key, secrets.ErrNotFound)
		}
		res.Entry.Fingerprint = fp.Of(v)
		dest := as
		if dest == "" {
			dest = res.Entry.Target
		}
		if dest == "" {
			return fmt.Errorf("%w for %q: its original key maps to no scope; pass a destination (--as NAME)", ErrNoDestination, key)
		}
		res.Destination = dest
		cur, had := m[dest]
		if had {
			res.Entry.TargetFingerprint = fp.Of(cur)
		}
		if had && cur != v && as != "" {
			return fmt.Errorf("restore %q: %w: %q holds %s; drop or move it first, or pick another name", key, ErrDestinationTaken, dest, fp.Of(cur))
		}
		if had && cur != v {
			// Chosen while key still holds v (≠ cur), so key itself is never
			// the slot: after the restore key is gone, and a retry of a restore
			// that already happened reports not-found instead of swapping back.
			q := freeSlot(m, scheme, res.Entry.Original, cur)
			m[q] = cur
			res.Displaced, res.DisplacedFingerprint = q, fp.Of(cur)
		}
		delete(m, key)
		m[dest] = v
		return nil
	})
	if err != nil {
		return RestoreResult{}, err
	}
	return res, nil
}

// freeSlot returns the first quarantine slot of k that is free in m or
// already holds v.
func freeSlot(m map[string]string, scheme secrets.Scheme, k, v string) string {
	for n := 1; ; n++ {
		q := scheme.QuarantineKey(k, n)
		if cur, ok := m[q]; !ok || cur == v {
			return q
		}
	}
}

// DropQuarantined deletes the quarantine key key, in one Update transaction of u
// (locked; one atomic replace), and returns its entry as it was. key may be
// the original key of a quarantined value when exactly one slot holds one
// (as for RestoreQuarantined; several fail with ErrAmbiguousKey). A key that
// names no slot fails with ErrNotQuarantineKey, a missing quarantine key
// with an error wrapping secrets.ErrNotFound; all write nothing.
//
// Crash contract: the store holds the content before or after the drop,
// never a third state; after a nil return the deletion is durable; after
// an error it is either (a retry either does it or reports not found).
func DropQuarantined(ctx context.Context, u secrets.Updater, scheme secrets.Scheme, key string, fp secrets.Fingerprinter) (QuarantineEntry, error) {
	scheme, err := quarantineOp(u, scheme, key)
	if err != nil {
		return QuarantineEntry{}, err
	}
	var e QuarantineEntry
	err = u.Update(ctx, func(m map[string]string) error {
		e = QuarantineEntry{} // fn may be retried
		key, err := resolveSlot(m, scheme, key, fp)
		if err != nil {
			return err
		}
		e = entryOf(scheme, key)
		v, ok := m[key]
		if !ok {
			return fmt.Errorf("drop %q: %w", key, secrets.ErrNotFound)
		}
		e.Fingerprint = fp.Of(v)
		if e.Target != "" {
			if cur, ok := m[e.Target]; ok {
				e.TargetFingerprint = fp.Of(cur)
			}
		}
		delete(m, key)
		return nil
	})
	if err != nil {
		return QuarantineEntry{}, err
	}
	return e, nil
}

// quarantineOp validates the arguments common to RestoreQuarantined and DropQuarantined.
func quarantineOp(u secrets.Updater, scheme secrets.Scheme, key string) (secrets.Scheme, error) {
	if u == nil {
		return scheme, ErrNotTransactional
	}
	scheme = scheme.Normalized()
	if err := scheme.Validate(); err != nil {
		return scheme, err
	}
	if key == "" {
		return scheme, fmt.Errorf("%w: empty key", ErrNotQuarantineKey)
	}
	return scheme, nil
}
