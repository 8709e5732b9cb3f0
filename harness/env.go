package harness

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/internal/sim"
	"github.com/scopemig/scopemig/model"
)

// errUnreadable marks a store that a restarted process cannot open or read.
var errUnreadable = errors.New("store unreadable")

// env runs one target on simulated disks.
type env struct {
	// ctx is the caller's context carrying the env's sim.Shared: every
	// config.Flag call made with it (observe, the Runner) parses each
	// distinct config content once.
	ctx    context.Context
	target Target
	mig    Migrator
	model  model.Model
	policy Policy
}

func newEnv(ctx context.Context, t Target) *env {
	shared := sim.NewShared()
	ctx = sim.NewContext(ctx, shared)
	mig := t.Migrate
	if mig == nil {
		mig = runnerMigrator(t.Policy, shared)
	}
	configs := &configMemo{}
	return &env{ctx: ctx, target: t, mig: mig, policy: t.Policy, model: model.Model{ParseConfig: configs.parse}}
}

// runnerMigrator is the project's own migration (impl/migrate.Runner)
// with policy p and the flag in fixture.ConfigPath; its runs share shared
// (each distinct config content parsed once), unless their context
// already carries a sim.Shared (an env's does).
func runnerMigrator(p Policy, shared *sim.Shared) Migrator { return fixture.RunnerMigrator(p, shared) }

// newDisk returns an empty simulated disk with the config directory made.
func newDisk() (*faults.MemFS, error) {
	d := faults.NewMemFS()
	if err := d.MkdirAll(fixture.ConfigDir, 0o700); err != nil {
		return nil, err
	}
	return d.CrashImage(faults.Process, nil), nil
}

// open starts a process on d with injector inj and opens the provider.
func (e *env) open(d *faults.MemFS, inj faults.Injector) (*faults.FS, secrets.Provider, error) {
	proc := faults.NewFS(d, inj)
	p, err := e.target.Open(proc)
	if err != nil {
		return proc, nil, err
	}
	if p == nil {
		return proc, nil, fmt.Errorf("target %q: Open returned a nil provider", e.target.Name)
	}
	return proc, p, nil
}

// seed returns a durable disk holding s.
func (e *env) seed(s model.State) (*faults.MemFS, error) {
	d, err := newDisk()
	if err != nil {
		return nil, err
	}
	proc, p, err := e.open(d, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: open: %w", err)
	}
	write := writeAll
	if e.target.OpLevelOnly { // the store outlives the disk: reset it
		write = resetExternal
	}
	if err := write(e.ctx, p, s.Secrets); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := writeConfigFile(proc, fixture.ConfigPath, s.Config); err != nil {
		return nil, fmt.Errorf("seed: config: %w", err)
	}
	if s.Migrated {
		if err := MarkMigrated(proc); err != nil {
			return nil, fmt.Errorf("seed: flag: %w", err)
		}
	}
	return d.CrashImage(faults.Process, nil), nil
}

// writeAll stores every key of m: one transaction when p is an Updater.
func writeAll(ctx context.Context, p secrets.Provider, m map[string]string) error {
	if len(m) == 0 {
		return nil
	}
	if u, ok := p.(secrets.Updater); ok {
		return u.Update(ctx, func(cur map[string]string) error {
			maps.Copy(cur, m)
			return nil
		})
	}
	for _, k := range sortedKeys(m) {
		if err := p.SetSecret(ctx, k, m[k]); err != nil {
			return err
		}
	}
	return nil
}

// dump reads every key through the provider; a key listed twice is an error.
func dump(ctx context.Context, p secrets.Provider) (map[string]string, error) {
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return nil, fmt.Errorf("list: %w", err)
	}
	out := make(map[string]string, len(list))
	for _, d := range list {
		if _, dup := out[d.Key]; dup {
			return nil, fmt.Errorf("key %q listed twice", d.Key)
		}
		v, err := p.GetSecret(ctx, d.Key)
		if err != nil {
			return nil, fmt.Errorf("get listed key %q: %w", d.Key, err)
		}
		out[d.Key] = v
	}
	return out, nil
}

// observe restarts a process on d and reads the whole state. Errors wrap
// errUnreadable.
func (e *env) observe(d *faults.MemFS) (model.State, error) {
	st, _, err := e.observeWrites(d)
	return st, err
}

// observeWrites is observe, and the number of mutating operations the
// restarted process made on d (a store may clean up on open).
func (e *env) observeWrites(d *faults.MemFS) (model.State, int, error) {
	proc, p, err := e.open(d, nil)
	if err != nil {
		return model.State{}, proc.Ops(), fmt.Errorf("%w: open: %v", errUnreadable, err)
	}
	m, err := dump(e.ctx, p)
	if err != nil {
		return model.State{}, proc.Ops(), fmt.Errorf("%w: %v", errUnreadable, err)
	}
	flag, err := config.Flag{Fs: proc, Path: fixture.ConfigPath}.Migrated(e.ctx)
	if err != nil {
		return model.State{}, proc.Ops(), fmt.Errorf("%w: config: %v", errUnreadable, err)
	}
	cfg, err := readConfigFile(proc, fixture.ConfigPath)
	if err != nil {
		return model.State{}, proc.Ops(), fmt.Errorf("%w: config: %v", errUnreadable, err)
	}
	return model.State{Secrets: m, Migrated: flag, Config: cfg}, proc.Ops(), nil
}

// run runs the migrator in a new process on d under inj and returns the
// number of mutating operations the process made (Open included) and the
// migrator's error.
func (e *env) run(d *faults.MemFS, inj faults.Injector) (ops int, err error) {
	proc, p, err := e.open(d, inj)
	if err != nil {
		return proc.Ops(), fmt.Errorf("open: %w", err)
	}
	err = e.mig(e.ctx, proc, p)
	return proc.Ops(), err
}

// image returns the crash image of d in mode m (seeded for power-partial).
func image(d *faults.MemFS, m faults.Mode, seed uint64) *faults.MemFS {
	return d.CrashImage(m, rand.New(rand.NewPCG(seed, 0x5c09e)))
}

func sortedKeys(m map[string]string) []string {
	return model.State{Secrets: m}.Keys()
}
