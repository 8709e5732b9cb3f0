package harness

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// errUnreadable marks a store that a restarted process cannot open or read.
var errUnreadable = errors.New("store unreadable")

// env runs one target on simulated disks.
type env struct {
	ctx    context.Context
	target Target
	b      backend // how the target's processes run
	mig    Migrator
	model  model.Model
	policy Policy
	flags  *config.Cache // parsed config contents (by exact bytes) of observe and the Runner
}

func newEnv(ctx context.Context, t Target) *env {
	flags := config.NewCache(0)
	mig := t.Migrate
	if mig == nil {
		mig = runnerMigrator(t.Policy, flags)
	}
	// The explicit default scheme is the zero Scheme's meaning, without
	// rebuilding it on every call.
	configs := &configMemo{}
	return &env{ctx: ctx, target: t, b: newBackend(t), mig: mig, policy: t.Policy, model: model.Model{Scheme: secrets.DefaultScheme(), ParseConfig: configs.parse}, flags: flags}
}

// RunnerMigrator is the project's own migration (impl/migrate.Runner) with
// the flag in ConfigPath, as a Migrator. Its runs share a config.Cache
// (parse of each distinct config content once); it is safe for concurrent
// use.
func RunnerMigrator(p Policy) Migrator { return runnerMigrator(p, config.NewCache(0)) }

func runnerMigrator(p Policy, flags *config.Cache) Migrator {
	pol := migrate.Keep
	if p == model.Drop {
		pol = migrate.Drop
	}
	sch := secrets.DefaultScheme() // what the zero Scheme means, built once
	return func(ctx context.Context, fsys afero.Fs, prov secrets.Provider) error {
		r := migrate.Runner{Provider: prov, Flag: config.Flag{Fs: fsys, Path: ConfigPath, Cache: flags}, Policy: pol, Scheme: sch}
		_, err := r.Run(ctx)
		return err
	}
}

// newDisk returns an empty simulated disk with the config directory made.
func newDisk() (*faults.MemFS, error) {
	d := faults.NewMemFS()
	if err := d.MkdirAll(ConfigDir, 0o700); err != nil {
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
	if err := writeConfigFile(pr.fs, ConfigPath, s.Config); err != nil {
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
	flag, err := config.Flag{Fs: pr.fs, Path: ConfigPath, Cache: e.flags}.Migrated(e.ctx)
	if err != nil {
		return model.State{}, pr.writes(), fmt.Errorf("%w: config: %v", errUnreadable, err)
	}
	cfg, err := readConfigFile(pr.fs, ConfigPath)
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
