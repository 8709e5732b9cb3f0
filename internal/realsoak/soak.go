package realsoak

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/spf13/afero"
	"golang.org/x/sync/errgroup"

	"github.com/scopemig/scopemig/impl/atomicfile"
	"github.com/scopemig/scopemig/impl/config"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// Config tunes the real-process soak. Command is required.
type Config struct {
	Seed     uint64
	Duration time.Duration
	Workers  int // default 2
	Keys     int // maximum store size (default 10)
	// Command returns the child to start on one store: a process that runs
	// Child(ctx, fs, secretsFile, configFile, Password) and exits 0 on
	// success (`scopemig __child migrate …` for the CLI).
	Command  func(secretsFile, configFile string) *exec.Cmd
	Progress func(Stats)
}

// Password is the password of every store the soak seeds.
const Password = fixture.TestPassword

// ErrNoCommand: Config.Command is nil.
var ErrNoCommand = errors.New("real soak: no child command")

// Stats are the figures of a real-process soak.
type Stats struct {
	Cycles        int      `json:"cycles"`
	Kills         int      `json:"kills"`
	Seconds       float64  `json:"seconds"`
	KillsPerSec   float64  `json:"kills_per_second"`
	Violations    int      `json:"violations"`
	ViolationList []string `json:"violation_list,omitempty"`
}

// counters are shared by the workers; atomics, no lock.
type counters struct{ cycles, kills, violations atomic.Int64 }

func (c *counters) stats(start time.Time) Stats {
	s := Stats{Cycles: int(c.cycles.Load()), Kills: int(c.kills.Load()), Violations: int(c.violations.Load()), Seconds: time.Since(start).Seconds()}
	if s.Seconds > 0 {
		s.KillsPerSec = float64(s.Kills) / s.Seconds
	}
	return s
}

// Run runs kill/restart cycles until the deadline: each cycle seeds a
// fresh small store in a temp dir, starts the child on it, SIGKILLs it after a seeded random delay (up to 1.5× the measured
// length of a complete child run), checks the image (I1–I3, readable),
// restarts a child to completion and checks I4 (exactly Migrate(S0), no
// temp file left) and I8.
func Run(ctx context.Context, cfg Config) (Stats, error) {
	if cfg.Command == nil {
		return Stats{}, ErrNoCommand
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 2
	}
	if cfg.Keys <= 0 {
		cfg.Keys = 10
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	base, err := os.MkdirTemp(tmpBase(), "scopemig-real-")
	if err != nil {
		return Stats{}, fmt.Errorf("real soak: %w", err)
	}
	defer func() { _ = os.RemoveAll(base) }()
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	start := time.Now()
	var (
		cnt  counters
		mu   sync.Mutex // guards list
		list []string
	)
	var g errgroup.Group
	for w := range cfg.Workers {
		g.Go(func() error {
			rw := &worker{cfg: cfg, dir: filepath.Join(base, fmt.Sprint(w)), rng: rand.New(rand.NewPCG(cfg.Seed, uint64(w))), full: 5 * time.Millisecond}
			for i := 0; ctx.Err() == nil; i++ {
				kills, vs, err := rw.cycle(cfg.Seed + uint64(w)<<32 + uint64(i))
				if err != nil {
					return err
				}
				cnt.cycles.Add(1)
				cnt.kills.Add(int64(kills))
				if len(vs) > 0 {
					cnt.violations.Add(int64(len(vs)))
					mu.Lock()
					list = append(list, vs...)
					mu.Unlock()
				}
				if cfg.Progress != nil && w == 0 && i%50 == 0 {
					cfg.Progress(cnt.stats(start))
				}
			}
			return nil
		})
	}
	err = g.Wait()
	st := cnt.stats(start)
	st.ViolationList = list
	return st, err
}

type worker struct {
	cfg  Config
	dir  string
	rng  *rand.Rand
	full time.Duration // running estimate of a complete child run
}

func (w *worker) paths() (string, string) {
	return filepath.Join(w.dir, "data", "secrets_encrypted"), filepath.Join(w.dir, "config", "config.yaml")
}

// tmpBase is /dev/shm when it exists (fsync is cheap on tmpfs, so the
// cycle rate is bounded by process starts), else the default temp dir.
func tmpBase() string {
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		return "/dev/shm"
	}
	return ""
}

// cycle runs one cycle: seed, 1–3 kills each followed by a check, a
// restart to completion and its check. Violations are
// returned as lines (values as fingerprints); the error is for the driver
// itself (cannot seed, cannot start a child).
func (w *worker) cycle(seed uint64) (kills int, vs []string, err error) {
	ctx := context.Background()
	if err := os.RemoveAll(w.dir); err != nil {
		return 0, nil, err
	}
	osfs := afero.NewOsFs()
	s0 := fixture.SeededStore(seed, w.cfg.Keys)
	secretsFile, configFile := w.paths()
	p, err := encfile.Open(osfs, secretsFile, []byte(Password))
	if err != nil {
		return 0, nil, fmt.Errorf("real soak: seed: %w", err)
	}
	if len(s0.Secrets) > 0 {
		if err := p.Update(ctx, func(m map[string]string) error { maps.Copy(m, s0.Secrets); return nil }); err != nil {
			return 0, nil, fmt.Errorf("real soak: seed: %w", err)
		}
	}
	if s0.Config.Exists {
		if err := os.MkdirAll(filepath.Dir(configFile), 0o700); err != nil {
			return 0, nil, fmt.Errorf("real soak: seed config: %w", err)
		}
		if err := os.WriteFile(configFile, []byte(s0.Config.Text), 0o600); err != nil {
			return 0, nil, fmt.Errorf("real soak: seed config: %w", err)
		}
	}
	var mdl model.Model
	want := mdl.Migrate(s0, model.Keep)
	where := fmt.Sprintf("seed %d store %d keys", seed, len(s0.Secrets))

	for range 1 + w.rng.IntN(3) {
		delay := time.Duration(w.rng.Int64N(int64(w.full) + 1))
		cmd := w.child()
		if err := cmd.Start(); err != nil {
			return 0, nil, fmt.Errorf("real soak: start child: %w", err)
		}
		time.Sleep(delay)
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			kills++
		}
		// I8 before anything reopens the store: a restart removes leftovers.
		for _, v := range scanImage(secretsFile, configFile, s0, want) {
			vs = append(vs, fmt.Sprintf("%s after a kill at %v (%s): %s", v.ID, delay, where, v.Detail))
		}
		if len(vs) > 0 {
			return kills, vs, nil
		}
		st, err := observe(ctx, osfs, secretsFile, configFile)
		if err != nil {
			return kills, []string{fmt.Sprintf("I7 after a kill at %v (%s): %v", delay, where, err)}, nil
		}
		for _, v := range mdl.CheckAll(s0, st, model.Keep) {
			vs = append(vs, fmt.Sprintf("%s after a kill at %v (%s): %s", v.ID, delay, where, v.Detail))
		}
		if len(vs) > 0 {
			return kills, vs, nil
		}
	}
	begin := time.Now()
	out, err := w.child().CombinedOutput()
	w.full = (w.full*7 + time.Since(begin)) / 8
	if err != nil {
		return kills, append(vs, fmt.Sprintf("I4 restart failed (%s): %v: %s", where, err, out)), nil
	}
	st, err := observe(ctx, osfs, secretsFile, configFile)
	if err != nil {
		return kills, append(vs, fmt.Sprintf("I7 after the restart (%s): %v", where, err)), nil
	}
	for _, d := range model.Diff(want, st) {
		vs = append(vs, fmt.Sprintf("I4 after the restart (%s): %s", where, d))
	}
	vs = append(vs, leftovers(filepath.Dir(secretsFile), filepath.Dir(configFile))...)
	for _, v := range scanImage(secretsFile, configFile, s0, want) {
		vs = append(vs, fmt.Sprintf("%s after the restart (%s): %s", v.ID, where, v.Detail))
	}
	return kills, vs, nil
}

func (w *worker) child() *exec.Cmd { return w.cfg.Command(w.paths()) }

// observeReal restarts a reader on the real files (stale temp files are
// removed by encfile.Open, as a restarted ToolHive would) and reads the
// whole state.
func observe(ctx context.Context, fsys afero.Fs, secretsFile, configFile string) (model.State, error) {
	p, err := encfile.Open(fsys, secretsFile, []byte(Password))
	if err != nil {
		return model.State{}, err
	}
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return model.State{}, err
	}
	m := make(map[string]string, len(list))
	for _, d := range list {
		v, err := p.GetSecret(ctx, d.Key)
		if err != nil {
			return model.State{}, fmt.Errorf("get %q: %w", d.Key, err)
		}
		m[d.Key] = v
	}
	flag, err := config.Flag{Fs: fsys, Path: configFile}.Migrated(ctx)
	if err != nil {
		return model.State{}, err
	}
	st := model.State{Secrets: m, Migrated: flag}
	switch b, err := os.ReadFile(configFile); {
	case err == nil:
		st.Config = model.Config{Exists: true, Text: string(b)}
	case !errors.Is(err, os.ErrNotExist):
		return model.State{}, err
	}
	return st, nil
}

// leftovers (I4): no temp file is left in dataDir or configDir after a
// complete run.
func leftovers(dataDir, configDir string) []string {
	var out []string
	for _, dir := range []string{dataDir, configDir} {
		ents, err := os.ReadDir(dir)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return append(out, fmt.Sprintf("I4 cannot list %s: %v", dir, err))
		}
		for _, e := range ents {
			if atomicfile.IsTemp(e.Name()) {
				out = append(out, fmt.Sprintf("I4 temp file %s left after a complete run", e.Name()))
			}
		}
	}
	return out
}

var _ secrets.Provider = (*encfile.Store)(nil)
