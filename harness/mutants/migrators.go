package mutants

import (
	"context"
	"errors"
	"strings"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// perKey is a per-key migration whose steps the mutants break one at a
// time. The correct sequence for a legacy key k with value v and target t:
// read t; absent → set t := v; equal → nothing; different → set the first
// free quarantine slot; then delete k; at the end set the flag.
type perKey struct {
	deleteFirst   bool // delete k before writing t
	flagFirst     bool // set the flag before moving anything
	clobber       bool // write t even when it holds another value
	dropConflicts bool // under Keep, forget the conflicting value
	fixedSlot     bool // always quarantine into slot 1, overwriting it
	ignoreFlag    bool // run even when the flag is set, rewriting every target
	replaceConfig bool // write the flag as a flag-only config, replacing the user's
	inPlaceConfig bool // write the config in place (truncate, write, no fsync)
	twoSlots      bool // quarantine chains end at slot #2: a third conflict overwrites it
	broadRegistry bool // any "registry-" key is legacy (ToolHive's are "registry-user-" and "registry-default-")
}

// target is the scoped key of legacy key k, ok false for other keys.
func (m perKey) target(sch secrets.Scheme, k string) (string, bool) {
	if m.broadRegistry && !sch.IsSystem(k) && strings.HasPrefix(k, "registry-") {
		return sch.ScopedKey("workloads", k), true
	}
	return sch.LegacyTarget(k)
}

func (m perKey) migrate(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
	sch := secrets.DefaultScheme()
	if m.flagFirst {
		if err := harness.MarkMigrated(fsys); err != nil {
			return err
		}
	}
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return err
	}
	for _, d := range list {
		t, ok := m.target(sch, d.Key)
		if !ok {
			if m.ignoreFlag && sch.IsSystem(d.Key) {
				v, err := p.GetSecret(ctx, d.Key)
				if err != nil {
					return err
				}
				if err := p.SetSecret(ctx, d.Key, v); err != nil {
					return err
				}
			}
			continue
		}
		v, err := p.GetSecret(ctx, d.Key)
		if err != nil {
			return err
		}
		if m.deleteFirst {
			if err := p.DeleteSecret(ctx, d.Key); err != nil {
				return err
			}
		}
		cur, err := p.GetSecret(ctx, t)
		present := err == nil
		if err != nil && !errors.Is(err, secrets.ErrNotFound) {
			return err
		}
		switch {
		case !present || m.clobber:
			err = p.SetSecret(ctx, t, v)
		case cur == v || m.dropConflicts:
		default:
			err = quarantine(ctx, p, sch, d.Key, v, m.fixedSlot, m.twoSlots)
		}
		if err != nil {
			return err
		}
		if !m.deleteFirst {
			if err := p.DeleteSecret(ctx, d.Key); err != nil && !errors.Is(err, secrets.ErrNotFound) {
				return err
			}
		}
	}
	if m.flagFirst {
		return nil
	}
	if sy, ok := p.(secrets.Syncer); ok { // the flag vouches for durable data
		if err := sy.Sync(ctx); err != nil {
			return err
		}
	}
	if m.replaceConfig {
		return writeFlagOnlyConfig(fsys)
	}
	if m.inPlaceConfig {
		return writeConfigInPlace(fsys)
	}
	return harness.MarkMigrated(fsys)
}

func quarantine(ctx context.Context, p secrets.Provider, sch secrets.Scheme, k, v string, fixed, twoSlots bool) error {
	for n := 1; ; n++ {
		q := sch.QuarantineKey(k, n)
		cur, err := p.GetSecret(ctx, q)
		if fixed || errors.Is(err, secrets.ErrNotFound) || (twoSlots && n == 2 && err == nil && cur != v) {
			return p.SetSecret(ctx, q, v)
		}
		if err != nil {
			return err
		}
		if cur == v {
			return nil
		}
	}
}

// migrator wraps a migration with the one-shot flag check, unless the
// mutant ignores it. A run that finds the flag set makes the data and then
// the flag durable before it returns, as the Runner does: the run that set
// it may have failed before its sync, and each mutant is to carry only its
// own bug.
func (m perKey) migrator() harness.Migrator {
	return func(ctx context.Context, fsys afero.Fs, p secrets.Provider) error {
		if !m.ignoreFlag {
			done, err := harness.IsMigrated(fsys)
			if err != nil {
				return err
			}
			if done {
				if sy, ok := p.(secrets.Syncer); ok {
					if err := sy.Sync(ctx); err != nil {
						return err
					}
				}
				return harness.MarkMigrated(fsys) // set: it syncs and writes nothing
			}
		}
		return m.migrate(ctx, fsys, p)
	}
}

func encfileWith(name string, mig harness.Migrator) harness.Target {
	t := harness.Targets()[0]
	t.Name = name
	t.Migrate = mig
	return t
}

// slow returns m marked Slow.
func (m Mutant) slow() Mutant {
	m.Slow = true
	return m
}

func migratorMutants() []Mutant {
	mk := func(name, desc string, m perKey, expect ...model.InvariantID) Mutant {
		return Mutant{Name: name, Description: desc, Expect: expect, Target: encfileWith("mutant:"+name, m.migrator())}
	}
	return []Mutant{
		mk("delete-before-write", "deletes the legacy key before writing the scoped one", perKey{deleteFirst: true}, model.I1, model.I2),
		mk("flag-before-data", "sets the migration flag before moving the keys", perKey{flagFirst: true}, model.I3),
		mk("clobber-scoped", "overwrites an existing scoped key with the legacy value", perKey{clobber: true}, model.I1, model.I4),
		mk("lost-conflict", "drops a conflicting legacy value under policy keep", perKey{dropConflicts: true}, model.I2, model.I4),
		mk("quarantine-overwrite", "quarantines into the first slot even when it holds another value", perKey{fixedSlot: true}, model.I2, model.I4).slow(),
		mk("non-idempotent", "ignores the flag and rewrites every system key on each run", perKey{ignoreFlag: true}, model.I5),
		mk("two-slot-quarantine", "caps a quarantine chain at two slots: with #1 and #2 taken, overwrites #2", perKey{twoSlots: true}, model.I2, model.I4).slow(),
		mk("broad-registry-prefix", "treats every \"registry-\" key as legacy (registry-mirror is a user's key)", perKey{broadRegistry: true}, model.I1, model.I4),
		mk("flag-replaces-config", "writes the flag as a flag-only config, replacing the user's config", perKey{replaceConfig: true}, model.I9),
		mk("config-inplace", "writes the flag by rewriting config.yaml in place without fsync (torn: I9; flag lost on power loss: I6)", perKey{inPlaceConfig: true}, model.I9, model.I6).slow(),
	}
}
