package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// errUnreadable marks a store that a restarted process cannot open or read.
var errUnreadable = errors.New("store unreadable")

// env runs one target on simulated disks.
type env struct {
	ctx    context.Context
	target Target
	// openStore opens the target's store in a new process: the target's
	// Open, with the env's caches when the target is a built-in one
	// (Target.opener).
	openStore func(afero.Fs) (secrets.Provider, error)
	b         backend // how the target's processes run
	mig       Migrator
	model     model.Model
	policy    Policy
	// caches are lent to the built-in targets' stores and to the config
	// flag of the project's Runner and of observe; nil when off.
	caches *caches
}

// newEnv returns an env for t with its caches on.
func newEnv(ctx context.Context, t Target) *env { return newEnvCaches(ctx, t, false) }

// newEnvCaches returns an env for t; noCache (Config.NoCache) turns off
// every cache it would lend or keep: the decode caches of the built-in
// stores and of the config flag, and the memo of parsed config documents
// (the sweeper's verdict memo is the sweeper's own).
func newEnvCaches(ctx context.Context, t Target, noCache bool) *env {
	c := newCaches(noCache)
	mig := t.Migrate
	if mig == nil {
		mig = runnerMigrator(t.Policy, c.configCache())
	}
	m := model.Model{ParseConfig: model.ParseConfig}
	if !noCache {
		m.ParseConfig = (&configMemo{}).parse
	}
	open := t.opener(c)
	return &env{ctx: ctx, target: t, openStore: open, b: newBackend(t, open), mig: mig, policy: t.Policy, model: m, caches: c}
}

// runnerMigrator is the project's own migration (impl/migrate.Runner)
// with policy p and the flag in fixture.ConfigPath, sharing the config
// cache c (nil: none).
func runnerMigrator(p Policy, c *config.Cache) Migrator { return fixture.RunnerMigrator(p, c) }

// newDisk returns an empty simulated disk with the config directory made.
func newDisk() (*faults.MemFS, error) {
	d := faults.NewMemFS()
	if err := d.MkdirAll(fixture.ConfigDir, 0o700); err != nil {
		return nil, err
	}
	return d.CrashImage(faults.Process, nil), nil
}

// open starts a process on d with injector inj and opens the provider
// (the target's backend decides how).
func (e *env) open(d *faults.MemFS, inj faults.Injector) (*process, error) {
	return e.b.start(e.ctx, d, inj)
}

// seed returns a durable disk holding s.
func (e *env) seed(s model.State) (*faults.MemFS, error) {
	d, err := newDisk()
	if err != nil {
		return nil, err
	}
	pr, err := e.open(d, nil)
	if err != nil {
		return nil, fmt.Errorf("seed: open: %w", err)
	}
	if err := e.b.fill(e.ctx, pr.p, s.Secrets); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := writeConfigFile(pr.fs, fixture.ConfigPath, s.Config); err != nil {
		return nil, fmt.Errorf("seed: config: %w", err)
	}
	if s.Migrated {
		if err := MarkMigrated(pr.fs); err != nil {
			return nil, fmt.Errorf("seed: flag: %w", err)
		}
	}
	if err := e.b.seeded(d, s.Secrets); err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	return d.CrashImage(faults.Process, nil), nil
}

// emptyDisk returns a new disk holding an empty store.
func (e *env) emptyDisk() (*faults.MemFS, error) {
	d, err := newDisk()
	if err != nil {
		return nil, err
	}
	if err := e.b.seeded(d, map[string]string{}); err != nil {
		return nil, err
	}
	return d.CrashImage(faults.Process, nil), nil
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
	pr, err := e.open(d, nil)
	if err != nil {
		return model.State{}, pr.writes(), fmt.Errorf("%w: open: %v", errUnreadable, err)
	}
	m, err := dump(e.ctx, pr.p)
	if err != nil {
		return model.State{}, pr.writes(), fmt.Errorf("%w: %v", errUnreadable, err)
	}
	flag, err := config.Flag{Fs: pr.fs, Path: fixture.ConfigPath, Cache: e.caches.configCache()}.Migrated(e.ctx)
	if err != nil {
		return model.State{}, pr.writes(), fmt.Errorf("%w: config: %v", errUnreadable, err)
	}
	cfg, err := readConfigFile(pr.fs, fixture.ConfigPath)
	if err != nil {
		return model.State{}, pr.writes(), fmt.Errorf("%w: config: %v", errUnreadable, err)
	}
	return model.State{Secrets: m, Migrated: flag, Config: cfg}, pr.writes(), nil
}

// run runs the migrator in a new process on d under inj and returns the
// number of operations the process made (Open included) and the
// migrator's error. The process is over when it returns (d settled).
func (e *env) run(d *faults.MemFS, inj faults.Injector) (ops int, err error) {
	defer e.b.settle(e.ctx, d)
	pr, err := e.open(d, inj)
	if err != nil {
		return pr.ops(), fmt.Errorf("open: %w", err)
	}
	err = e.mig(e.ctx, pr.fs, pr.p)
	return pr.ops(), err
}

// image returns the crash image of d in mode m (seeded for power-partial).
func image(d *faults.MemFS, m faults.Mode, seed uint64) *faults.MemFS {
	return d.CrashImage(m, rand.New(rand.NewPCG(seed, 0x5c09e)))
}

func sortedKeys(m map[string]string) []string {
	return model.State{Secrets: m}.Keys()
}
