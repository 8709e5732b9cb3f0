package harness

import (
	"context"
	"fmt"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// Policy is the conflict policy of a migration (model.Keep or model.Drop).
type Policy = model.Policy

// Migrator runs a migration on provider p, which was opened on fsys. It must
// set the flag (MarkMigrated) only when it is done.
type Migrator func(ctx context.Context, fsys afero.Fs, p secrets.Provider) error

// Target is a provider (and optionally a migration) under test.
type Target struct {
	// Name identifies the target in reports and replay commands.
	Name string
	// Open opens the provider on fsys. It is called once per simulated
	// process lifetime; after a crash the harness calls it again on the
	// crash image ("restart").
	Open func(fsys afero.Fs) (secrets.Provider, error)
	// Migrate is the migration under test; nil means the project's own
	// Runner (impl/migrate) with the flag where MarkMigrated sets it.
	Migrate Migrator
	// Policy is the conflict policy the migration implements (Keep, the
	// zero value, or Drop); the model is run with it.
	Policy Policy
	// OpLevelOnly marks a provider that does not live on the afero.Fs it is
	// given (a store on the os package, a remote service): only op-level
	// crashes (before/after each provider call) are injected, and the
	// provider's own state is treated as the durable truth.
	OpLevelOnly bool
	// Plaintext marks a store that does not encrypt values at rest: I8's
	// plaintext scan of crash images is skipped (permissions are still
	// checked).
	Plaintext bool
	// Defaults, when set, receives the Config that Verify (and Run) is
	// given, before the package defaults apply, and returns it with the
	// target's own defaults filled in. A target whose operations are
	// expensive (a per-key store makes many filesystem operations, so
	// nested sweeps grow quadratically) sizes its default run here; it
	// should only fill zero fields or shrink the generated stores, never
	// drop a phase or a mode the caller asked for.
	Defaults func(Config) Config
	// Restore and Drop are `scopemig legacy restore KEY [--as AS]` and
	// `legacy drop KEY` under test, on provider p opened on fsys: the
	// state machine runs them, with crashes inside, against model.Restore
	// and model.Drop (what the store must hold after; an error means a
	// refusal, which writes nothing). nil: the project's own (impl/migrate's
	// RestoreQuarantined and DropQuarantined, one Update transaction each).
	Restore func(ctx context.Context, fsys afero.Fs, p secrets.Provider, key, as string) error
	Drop    func(ctx context.Context, fsys afero.Fs, p secrets.Provider, key string) error
	// Exec, when set, makes the target a real command checked at the
	// syscall level instead of a provider on afero.Fs (Open and Migrate
	// are then unused); see ExecTarget.
	Exec *ExecTarget
	// toolHiveStore, when set, is the path of the target's store file on
	// the simulated disk, in ToolHive's own format (encfile) under
	// fixture.TestPassword (the built-in encfile target sets it; copies of
	// that target keep it): the concurrency phase then runs ToolHive's secrets
	// writer on it the way ToolHive v0.47.0 writes (one read-modify-write
	// and one atomic replace per call, under the "<store>.lock" file lock
	// only). Empty: that process writes through the target's own Open.
	toolHiveStore string
	// cachedOpen, when set, opens the built-in target's store with an
	// env's decode caches, and openCode is the code pointer of the
	// target's own Open beside it (lendCaches; see Target.opener).
	cachedOpen cachedOpen
	openCode   uintptr
}

// validate reports a target that cannot be run (ErrBadTarget): one
// without a Name (reports and replay lines name it) or without Open.
func (t Target) validate() error {
	if err := t.validateName(); err != nil {
		return err
	}
	if t.Open == nil {
		return fmt.Errorf("%w: %q has no Open function", ErrBadTarget, t.Name)
	}
	return nil
}

// validateName reports a target without a Name (ErrBadTarget).
func (t Target) validateName() error {
	if t.Name == "" {
		return fmt.Errorf("%w: a target needs a Name (reports and replay lines name it)", ErrBadTarget)
	}
	return nil
}

// MarkMigrated sets the migration flag where the harness reads it
// (ToolHive's config.yaml in the simulated home directory on fsys). It
// writes nothing when the flag is already set, but makes it durable (two
// syncs): a run that set it may have failed before its sync. It is what a
// custom Migrator calls when its data is durable, and also when it finds
// the flag already set, after syncing that data: "already done" must
// survive a power cut (the sweeps check it).
func MarkMigrated(fsys afero.Fs) error {
	return fixture.Flag(fsys).SetMigrated(context.Background())
}

// IsMigrated reads the migration flag where the harness keeps it.
func IsMigrated(fsys afero.Fs) (bool, error) {
	return fixture.Flag(fsys).Migrated(context.Background())
}
