package migrate

import (
	"context"
	"fmt"

	"github.com/scopemig/scopemig/impl/secrets"
)

// Status is the overall outcome of a Runner.
type Status string

// The statuses.
const (
	// StatusMigrated: the migration ran (possibly with no legacy key to
	// move) and the flag is set.
	StatusMigrated Status = "migrated"
	// StatusAlreadyDone: the flag was already set; nothing was read beyond
	// the flag and nothing was written.
	StatusAlreadyDone Status = "already-done"
	// StatusNotApplicable: the provider is read-only; nothing was written,
	// the flag was left unset.
	StatusNotApplicable Status = "not-applicable"
	// StatusFlagNotSet: the data migration completed and is durable, but
	// the flag could not be written (Run returns an error wrapping
	// ErrFlagNotSet). Re-running is safe: it moves nothing and sets the
	// flag.
	StatusFlagNotSet Status = "store-migrated-flag-not-set"
)

// Report is what a Runner did.
type Report struct {
	Status Status `json:"status"`
	// Steps holds one Step per legacy key migrated by this run.
	Steps []Step `json:"steps"`
	// Counts tallies Steps by outcome.
	Counts Counts `json:"counts"`
	// Transactional is true when the provider runs the data migration as
	// one Update transaction (secrets.Updater), whatever the status: also
	// when the run was already done and moved nothing.
	Transactional bool `json:"transactional"`
	// FlagWritten is true when this run set the flag (it was unset); false
	// when it was already set (a forced run does not rewrite it), when
	// there is no flag store, or when the run failed before the flag.
	FlagWritten bool `json:"flag_written"`
	// Forced is true when Force made the run ignore a set flag.
	Forced bool `json:"forced,omitempty"`
}

// Runner is the one-shot migration: flag check → capability check →
// discover (per-key providers) → apply → sync → flag. The zero Scheme is
// ToolHive's; the zero Policy is Keep; a nil Flag means no flag is read or
// written (the data migration alone, which is idempotent).
type Runner struct {
	Provider secrets.Provider
	Flag     FlagStore
	Scheme   secrets.Scheme
	Policy   Policy
	// Force runs the migration even when the flag says it already ran.
	Force bool
	// Fingerprinter computes the steps' fingerprints. The zero value is
	// the stable secrets.Fingerprint (synthetic values); a command that
	// reports on a real store passes a keyed one
	// (encfile.NewFingerprinter), so that its output cannot confirm a
	// guessed value.
	Fingerprinter secrets.Fingerprinter
}

// Run executes the migration once.
//
//  1. Flag: if set and !Force → StatusAlreadyDone, zero writes. Before it
//     says so, the data the flag vouches for (secrets.Syncer) and then the
//     flag itself (FlagSyncer) are synced, which changes no byte: the run
//     that set the flag may have failed after writing it and before making
//     it durable, and "already done" must survive a power cut.
//  2. Capabilities: a read-only provider → StatusNotApplicable, no error,
//     nothing written, flag left unset.
//  3. Discover, for a provider without secrets.Updater only: lists and
//     reads; any error stops the run before a write. An Updater plans
//     inside its one Update in step 5 instead (a separate pass would read
//     the store twice); a read error there also stops it before a write.
//  4. Preflight, when the flag will be written and Flag is a
//     FlagPreflighter: a flag that cannot be written stops the run here,
//     before any write (ErrFlagNotWritable).
//  5. Apply (see Apply for its per-step crash contract).
//  6. Sync, when the provider implements secrets.Syncer and the flag is to
//     be set: the data the flag vouches for is made durable, even when this
//     run moved nothing (an earlier run may have moved it without a sync).
//  7. SetMigrated, only after steps 5 and 6 returned nil, i.e. once the
//     data it vouches for is durable; skipped when the flag was already set.
//     A concurrent run may have set it since step 1: then this run writes
//     nothing and FlagWritten stays false (setMigrated).
//     If it fails, the Report has StatusFlagNotSet and the error wraps
//     ErrFlagNotSet: the store is migrated, re-running is safe.
//
// Crash contract: after success the data is migrated and the flag set.
// After an error, the flag is unset unless it was already set, and the data
// is as described by Apply (no value lost). After a crash before step 7 the
// flag is unset (the flag is never durable before the data); after a crash
// in step 7 the flag store holds old or new (its own atomicity). Re-running
// after an error or crash is safe and converges.
func (r Runner) Run(ctx context.Context) (Report, error) {
	if r.Provider == nil {
		return Report{}, ErrNoProvider
	}
	already := false
	if r.Flag != nil {
		var err error
		if already, err = r.Flag.Migrated(ctx); err != nil {
			return Report{}, fmt.Errorf("read migration flag: %w", err)
		}
	}
	_, tx := r.Provider.(secrets.Updater)
	if already && !r.Force {
		rep := Report{Status: StatusAlreadyDone, Transactional: tx}
		if err := r.syncDone(ctx); err != nil {
			return rep, fmt.Errorf("the migration flag is set but could not be made durable (re-running is safe): %w", err)
		}
		return rep, nil
	}
	rep := Report{Forced: already && r.Force, Transactional: tx}
	if r.Provider.Capabilities().IsReadOnly() {
		rep.Status = StatusNotApplicable
		return rep, nil
	}
	// The per-key path plans first, so that a store it cannot read fails
	// before the first write. A transactional store plans inside its one
	// Update (a separate pass would reread the store once per legacy key).
	if _, ok := r.Provider.(secrets.Updater); !ok {
		if _, err := r.Plan(ctx); err != nil {
			return rep, err
		}
	}
	if p, ok := r.Flag.(FlagPreflighter); ok && !already {
		if err := p.PreflightSetMigrated(ctx); err != nil {
			return rep, fmt.Errorf("%w: %w", ErrFlagNotWritable, err)
		}
	}
	res, err := apply(ctx, r.Provider, r.Scheme, r.Policy, r.Fingerprinter)
	rep.Steps, rep.Counts = res.Steps, res.Counts()
	if err != nil {
		return rep, err
	}
	if r.Flag != nil && !already {
		// The flag vouches for the data: make it durable first, even when this
		// run moved nothing (an earlier run may have moved it and then failed
		// to sync it).
		if s, ok := r.Provider.(secrets.Syncer); ok {
			if err := s.Sync(ctx); err != nil {
				return rep, fmt.Errorf("sync the store before setting the flag: %w", err)
			}
		}
		wrote, err := setMigrated(ctx, r.Flag)
		if err != nil {
			rep.Status = StatusFlagNotSet
			return rep, fmt.Errorf("%w: set migration flag: %w", ErrFlagNotSet, err)
		}
		rep.FlagWritten = wrote
	}
	rep.Status = StatusMigrated
	return rep, nil
}

// syncDone makes a set flag durable, data first (step 1).
func (r Runner) syncDone(ctx context.Context) error {
	if s, ok := r.Provider.(secrets.Syncer); ok {
		if err := s.Sync(ctx); err != nil {
			return fmt.Errorf("sync the store: %w", err)
		}
	}
	if s, ok := r.Flag.(FlagSyncer); ok {
		if err := s.SyncMigrated(ctx); err != nil {
			return fmt.Errorf("sync the migration flag: %w", err)
		}
	}
	return nil
}

// setMigrated sets the flag and reports whether this run wrote it: false
// when a concurrent run set it after step 1 read it unset. Exact for a
// FlagWriteReporter; any other FlagStore is read again first.
func setMigrated(ctx context.Context, f FlagStore) (wrote bool, err error) {
	if r, ok := f.(FlagWriteReporter); ok {
		return r.SetMigratedReport(ctx)
	}
	if set, err := f.Migrated(ctx); err == nil && set {
		return false, nil
	}
	return true, f.SetMigrated(ctx)
}
