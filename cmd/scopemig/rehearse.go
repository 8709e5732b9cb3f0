package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// runMigration is what migrate does once the store is open, and what plan
// rehearses: the store preflight (when the run will write), then the
// Runner — flag check, flag preflight, the transaction (with every check a
// write makes), the flag. migrate passes the store and its flag; plan
// passes an encfile.Rehearsal and a rehearsalFlag, which run the same
// checks and write nothing, so plan refuses what migrate would refuse.
func runMigration(ctx context.Context, env cliEnv, f storeFlags, st *openedStore, force bool, p secrets.Provider, flag migrate.FlagStore) (migrate.Report, error) {
	if !st.migrated || force {
		if err := preflightStore(env.fs, st.secretsPath); err != nil {
			return migrate.Report{}, err
		}
	}
	r := migrate.Runner{Provider: p, Flag: flag, Scheme: secrets.Scheme{}, Policy: f.policy, Force: force, Fingerprinter: st.fp}
	return r.Run(ctx)
}

// rehearsalFlag is the flag of a rehearsed migration: it reads the real
// flag and runs its preflight (migrate.FlagPreflighter: reads only), and
// its SetMigrated writes nothing.
type rehearsalFlag struct{ flag migrate.FlagStore }

var (
	_ migrate.FlagStore       = rehearsalFlag{}
	_ migrate.FlagPreflighter = rehearsalFlag{}
)

func (f rehearsalFlag) Migrated(ctx context.Context) (bool, error) { return f.flag.Migrated(ctx) }

// SetMigrated writes nothing: plan never writes.
func (rehearsalFlag) SetMigrated(context.Context) error { return nil }

// PreflightSetMigrated is the real flag's preflight.
func (f rehearsalFlag) PreflightSetMigrated(ctx context.Context) error {
	if p, ok := f.flag.(migrate.FlagPreflighter); ok {
		return p.PreflightSetMigrated(ctx)
	}
	return nil
}

// rehearseMigration rehearses migrate on the store plan opened (read-only:
// an encfile.Snapshot) and returns why migrate would refuse it, one
// message each, each saying what to do (empty when it would run), and the
// steps of the rehearsed transaction (rehearsed false when the run stopped
// before it: the caller plans on the snapshot instead). It runs the checks
// migrate runs, with the same code: the --secrets-file/--config rule, the
// store preflight and the Runner on a Rehearsal (flag preflight, the
// transaction's own checks such as ToolHive's 32 MiB limit). A store the
// config says is migrated is rehearsed as migrate --force would run.
// Locks held by other processes are not waited for (they are transient,
// and plan never takes the write locks).
func (e cliEnv) rehearseMigration(ctx context.Context, f storeFlags, st *openedStore) (refusals []string, steps []migrate.Step, rehearsed bool) {
	refusals = []string{}
	if err := e.checkFlagTarget(f); err != nil {
		refusals = append(refusals, err.Error())
	}
	snap, ok := st.provider.(*encfile.Snapshot)
	if !ok {
		return refusals, nil, false
	}
	rep, err := runMigration(ctx, e, f, st, st.migrated, snap.Rehearse(), rehearsalFlag{st.flag})
	if err != nil {
		return append(refusals, refusalAdvice(err)), nil, false
	}
	return refusals, rep.Steps, true
}

// refusalAdvice is err's message with what to do where the error does not
// say it itself.
func refusalAdvice(err error) string {
	if errors.Is(err, encfile.ErrTooLarge) {
		return fmt.Sprintf("%v: delete the secrets you no longer need (thv secret delete NAME) until the migrated content fits, then run plan again", err)
	}
	return err.Error()
}
