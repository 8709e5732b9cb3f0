package sysexplore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/scopemig/scopemig/model"
)

// ErrBadConfig: the exploration cannot start (no command, no starting
// directory, the command fails on the starting store, ...).
var ErrBadConfig = errors.New("bad exploration")

// explorer is one Explore call.
type explorer struct {
	cfg     Config
	rd      reader
	work    string      // private scratch directory
	s0      model.State // the starting store
	s0Dir   string      // a pristine copy of From
	cfgDoc  map[string]any
	cfgHas  bool
	s0Perm  map[string]os.FileMode // starting permission bits per path
	s0Sums  map[string][32]byte    // starting content per file
	trace   Trace
	recRoot string                       // the root of the recording run (the trace's paths)
	names   []string                     // the file set of a complete run
	seen    map[string][]model.Violation // image hash -> its violations (restart included)
	seq     int
	rep     Report
	first   map[string]int // invariant+mode -> index in rep.Violations
}

// Explore records cfg.Argv on a copy of cfg.From, then crashes it at every
// recorded file-mutating syscall in every mode and checks each image and
// each restart against the model. Violations are in the report; the error
// is non-nil only when exploring is impossible (ErrUnsupported,
// ErrBadConfig) or ctx ended.
func Explore(ctx context.Context, cfg Config) (Report, error) {
	e, err := newExplorer(cfg)
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(e.work)
	if err := e.prepare(ctx); err != nil {
		return e.rep, err
	}
	for _, m := range e.cfg.Modes {
		if err := e.mode(ctx, m); err != nil {
			return e.rep, err
		}
	}
	return e.rep, nil
}

func newExplorer(cfg Config) (*explorer, error) {
	if len(cfg.Argv) == 0 {
		return nil, fmt.Errorf("%w: no command", ErrBadConfig)
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("%w: no starting directory (--from)", ErrBadConfig)
	}
	if fi, err := os.Stat(cfg.From); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: --from %s is not a directory", ErrBadConfig, cfg.From)
	}
	if len(cfg.Modes) == 0 {
		cfg.Modes = Modes()
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Subsets <= 0 {
		cfg.Subsets = 2
	}
	if cfg.Env == nil {
		cfg.Env = os.Environ()
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 64
	}
	if cfg.Replay == nil {
		cfg.Replay = ReplayCommand
	}
	if cfg.Password == "" {
		for _, kv := range cfg.Env {
			if v, ok := strings.CutPrefix(kv, "TOOLHIVE_SECRETS_PASSWORD="); ok {
				cfg.Password = v
			}
		}
	}
	var rd reader = nativeReader{layout: cfg.Layout, password: []byte(cfg.Password)}
	if cfg.Dump != nil {
		rd = dumpReader{argv: cfg.Dump, env: cfg.Env}
	} else if cfg.Password == "" {
		return nil, fmt.Errorf("%w: the native store reader needs the password (TOOLHIVE_SECRETS_PASSWORD) or --dump", ErrBadConfig)
	}
	base := cfg.WorkDir
	if base == "" {
		base = os.TempDir()
	}
	work, err := os.MkdirTemp(base, "sysexplore-")
	if err != nil {
		return nil, err
	}
	if work, err = filepath.EvalSymlinks(work); err != nil {
		return nil, err
	}
	e := &explorer{cfg: cfg, rd: rd, work: work, seen: map[string][]model.Violation{}, first: map[string]int{}}
	e.rep = Report{Command: cfg.Argv, From: cfg.From, Policy: cfg.Policy.String(), Violations: []Violation{}}
	return e, nil
}

// fresh returns a new copy of From under the work directory.
func (e *explorer) fresh(tag string) (string, error) {
	e.seq++
	dir := filepath.Join(e.work, tag+strconv.Itoa(e.seq))
	return dir, copyTree(e.cfg.From, dir)
}

// prepare reads S0, records a complete run and checks its result.
func (e *explorer) prepare(ctx context.Context) error {
	var err error
	if e.s0Dir, err = e.fresh("s0-"); err != nil {
		return fmt.Errorf("%w: copy %s: %v", ErrBadConfig, e.cfg.From, err)
	}
	if e.s0, err = e.rd.read(ctx, e.s0Dir); err != nil {
		return fmt.Errorf("%w: the starting store: %v", ErrBadConfig, err)
	}
	e.rep.Store = e.s0.String()
	if e.cfgDoc, e.cfgHas, err = readConfigDoc(filepath.Join(e.s0Dir, e.cfg.Layout.config())); err != nil {
		return fmt.Errorf("%w: the starting config %v", ErrBadConfig, err)
	}
	if e.s0Perm, err = perms(e.s0Dir); err != nil {
		return err
	}
	if e.s0Sums, err = sums(e.s0Dir); err != nil {
		return err
	}
	if e.recRoot, err = e.fresh("rec-"); err != nil {
		return err
	}
	spec := runSpec{Argv: e.argv(e.recRoot), Env: e.cfg.Env, Root: e.recRoot, Capture: true, Seed: e.cfg.Seed}
	if f, ok := e.cfg.Output.(*os.File); ok {
		spec.Stdout, spec.Stderr = f, f
	}
	// A command whose syscalls depend on scheduling (Go's runtime rand
	// per thread, goroutines) is recorded again until its trace is the
	// one asked for (a replay names it).
	var res runResult
	for attempt := 1; ; attempt++ {
		res, err = record(ctx, spec)
		if err != nil {
			return err
		}
		if res.Trace.Exit != 0 {
			return fmt.Errorf("%w: the command exits %d on the starting store (no crash)", ErrBadConfig, res.Trace.Exit)
		}
		if e.cfg.TraceID == "" || !e.powerModes() || traceID(res.Trace, e.recRoot) == e.cfg.TraceID {
			break
		}
		if attempt == e.cfg.Attempts {
			return fmt.Errorf("%w: %d recordings, none is trace %s (the command is nondeterministic)", ErrBadConfig, attempt, e.cfg.TraceID)
		}
		if err := os.RemoveAll(e.recRoot); err != nil {
			return err
		}
		if err := copyTree(e.cfg.From, e.recRoot); err != nil {
			return err
		}
	}
	e.trace = res.Trace
	e.rep.TraceID = traceID(e.trace, e.recRoot)
	e.rep.Points = e.trace.Points()
	for _, o := range e.trace.Ops {
		if o.Index > 0 {
			e.rep.Trace = append(e.rep.Trace, o.Describe(e.recRoot))
		}
	}
	if e.names, err = treeNames(e.recRoot); err != nil {
		return err
	}
	// The complete run itself: converged, config kept, hygiene.
	vs := e.checkFinal(ctx, e.recRoot, model.I4)
	e.add(vs, Process, e.rep.Points+1, 0, "none (complete run)", e.rep.TraceID)
	return nil
}

func (e *explorer) argv(dir string) []string {
	return append([]string{e.cfg.Argv[0]}, substitute(e.cfg.Argv[1:], dir)...)
}

// powerModes reports whether a power mode is explored (they replay the
// recording, so a replay needs the very recording).
func (e *explorer) powerModes() bool {
	return slices.ContainsFunc(e.cfg.Modes, func(m Mode) bool { return m != Process })
}

// points lists the crash points to explore: every one, or cfg.Point.
func (e *explorer) points(withEnd bool) []int {
	n := e.trace.Points()
	if e.cfg.Point > 0 {
		return []int{e.cfg.Point}
	}
	end := n
	if withEnd {
		end = n + 1
	}
	out := make([]int, 0, end)
	for k := 1; k <= end; k++ {
		out = append(out, k)
	}
	return out
}

// mode explores every crash point in mode m.
func (e *explorer) mode(ctx context.Context, m Mode) error {
	start := time.Now()
	mr := ModeReport{Mode: m}
	before := len(e.seen)
	switch m {
	case Process:
		for _, k := range e.points(false) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := e.processPoint(ctx, k); err != nil {
				return err
			}
			mr.Points++
		}
	case Power, PowerPartial:
		disk, err := loadDisk(e.s0Dir)
		if err != nil {
			return err
		}
		seeds := []uint64{0}
		if m == PowerPartial {
			seeds = seeds[:0]
			for i := range e.cfg.Subsets {
				seeds = append(seeds, e.cfg.Seed+uint64(i))
			}
		}
		for _, k := range e.points(true) {
			for _, seed := range seeds {
				if err := ctx.Err(); err != nil {
					return err
				}
				img, err := powerImage(disk, e.recRoot, e.trace.Before(k), m, seed, k)
				if err != nil {
					e.inconclusive(m, k, seed, err)
					continue
				}
				dir := filepath.Join(e.work, fmt.Sprintf("%s-%d-%d", m, k, seed))
				if err := writeDisk(img, dir); err != nil {
					return err
				}
				sys := "none (after the complete run)"
				if o, ok := e.trace.Point(k); ok {
					sys = o.Describe(e.recRoot)
				}
				e.checkPoint(ctx, dir, m, k, seed, sys, e.rep.TraceID)
				_ = os.RemoveAll(dir)
				mr.Points++
			}
		}
	}
	mr.Distinct = len(e.seen) - before
	mr.Seconds = time.Since(start).Seconds()
	if mr.Seconds > 0 {
		mr.PointsPerSec = float64(mr.Points) / mr.Seconds
	}
	e.rep.Modes = append(e.rep.Modes, mr)
	return nil
}

// processPoint re-runs the command and SIGKILLs its tree on entry to
// crash point k: the disk the kernel leaves is the image.
func (e *explorer) processPoint(ctx context.Context, k int) error {
	dir, err := e.fresh("proc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Any run that reaches crash point k gives a real crash state of the
	// command. A command whose path depends on scheduling (Go's per-thread
	// runtime rand drives map order) may take another path than the
	// recording: the run's own op at k is reported, and its prefix's
	// fingerprint names it. A replay (TraceID set) re-runs until the run
	// took that very prefix.
	var (
		res     runResult
		reached bool
	)
	for attempt := 1; attempt <= e.cfg.Attempts; attempt++ {
		if attempt > 1 {
			if err := os.RemoveAll(dir); err != nil {
				return err
			}
			if err := copyTree(e.cfg.From, dir); err != nil {
				return err
			}
		}
		res, err = record(ctx, runSpec{Argv: e.argv(dir), Env: e.cfg.Env, Root: dir, KillAt: k, Seed: e.cfg.Seed})
		if err != nil {
			return err
		}
		if res.Killed && (e.cfg.TraceID == "" || prefixID(res, dir) == e.cfg.TraceID) {
			reached = true
			break
		}
	}
	if !reached {
		why := "no run reached crash point " + strconv.Itoa(k)
		if e.cfg.TraceID != "" {
			why = "no run took the path " + e.cfg.TraceID + " to crash point " + strconv.Itoa(k)
		}
		e.inconclusive(Process, k, 0, fmt.Errorf("nondeterministic command, %d attempts: %s", e.cfg.Attempts, why))
		return nil
	}
	if e.diverged(res, dir, k) != "" {
		e.rep.Diverged++
	}
	e.checkPoint(ctx, dir, Process, k, 0, res.At.Describe(dir), prefixID(res, dir))
	return nil
}

// prefixID fingerprints the path of a killed run: its ops before the
// crash point and the op at it (12 hex digits).
func prefixID(res runResult, root string) string {
	h := sha256.New()
	for _, o := range res.Trace.Ops {
		fmt.Fprintln(h, shape(o, root, true))
	}
	fmt.Fprintln(h, shape(res.At, root, false))
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// diverged compares the killed run with the recording: the same ops
// (name, directory, byte count, result) before crash point k and the same
// op at k. It returns why not, or "". (Temp file names and written bytes
// may differ: random names, random nonces.)
func (e *explorer) diverged(res runResult, dir string, k int) string {
	want, _ := e.trace.Point(k)
	if shape(res.At, dir, false) != shape(want, e.recRoot, false) {
		return fmt.Sprintf("crash point %d was %s in the recording, %s in the re-run", k, want.Describe(e.recRoot), res.At.Describe(dir))
	}
	before := e.trace.Before(k)
	if len(before) != len(res.Trace.Ops) {
		return fmt.Sprintf("%d ops before crash point %d in the recording, %d in the re-run", len(before), k, len(res.Trace.Ops))
	}
	for i, o := range before {
		if shape(res.Trace.Ops[i], dir, true) != shape(o, e.recRoot, true) {
			return fmt.Sprintf("before crash point %d: %s in the recording, %s in the re-run", k, o.Describe(e.recRoot), res.Trace.Ops[i].Describe(dir))
		}
	}
	return ""
}

// traceID fingerprints the shape of a trace (12 hex digits).
func traceID(tr Trace, root string) string {
	h := sha256.New()
	for _, o := range tr.Ops {
		fmt.Fprintln(h, shape(o, root, true))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// shape is what must repeat: the syscall, the directory of its path, and
// (done ops) the byte count and result.
func shape(o Op, root string, done bool) string {
	s := fmt.Sprintf("%d %s %s %s", o.Index, o.Name, relDir(o.Path, root), relDir(o.Path2, root))
	if done {
		s += fmt.Sprintf(" %d %d", o.Count, o.Ret)
	}
	return s
}

// relDir is the directory of p relative to root (temp file names may be
// random; their directory is not).
func relDir(p, root string) string {
	r, err := filepath.Rel(root, filepath.Dir(p))
	if err != nil {
		return p
	}
	return r
}

// checkPoint checks one crash image (dir) and its restart; identical
// images are checked once.
func (e *explorer) checkPoint(ctx context.Context, dir string, m Mode, k int, seed uint64, sys, trace string) {
	h, err := hashTree(dir)
	if err != nil {
		e.inconclusive(m, k, seed, err)
		return
	}
	var ack []model.Violation
	if m != Process && k == e.trace.Points()+1 {
		// The command exited 0: an acknowledgement. Nothing unsynced may
		// be needed for the migrated content (I6).
		ack = e.checkAck(ctx, dir)
	}
	vs, ok := e.seen[h]
	if !ok {
		vs = e.checkImage(ctx, dir)
		vs = append(vs, e.restart(ctx, dir)...)
		e.seen[h] = vs
	}
	vs = append(slices.Clone(vs), ack...)
	e.add(vs, m, k, seed, sys, trace)
}

// add records violations at a crash point (the first per invariant and
// mode in full, later ones counted).
func (e *explorer) add(vs []model.Violation, m Mode, k int, seed uint64, sys, trace string) {
	details := map[model.InvariantID][]string{}
	var ids []model.InvariantID
	for _, v := range vs {
		if details[v.ID] == nil {
			ids = append(ids, v.ID)
		}
		details[v.ID] = append(details[v.ID], v.Detail)
	}
	for _, id := range ids {
		v := model.Violation{ID: id, Detail: joinDetails(details[id])}
		key := string(v.ID) + "/" + string(m)
		if i, ok := e.first[key]; ok {
			e.rep.Violations[i].Count++
			continue
		}
		viol := Violation{Invariant: v.ID, Name: invName(v.ID), Mode: m, Point: k, Seed: seed, Syscall: sys, Detail: v.Detail, Count: 1, Trace: trace}
		viol.Replay = e.cfg.Replay(e.cfg, viol)
		e.first[key] = len(e.rep.Violations)
		e.rep.Violations = append(e.rep.Violations, viol)
	}
}

// joinDetails joins the details of one invariant at one point (at most 4).
func joinDetails(d []string) string {
	if len(d) > 4 {
		return strings.Join(d[:4], "; ") + fmt.Sprintf("; and %d more", len(d)-4)
	}
	return strings.Join(d, "; ")
}

func invName(id model.InvariantID) string {
	if id == I9 {
		return "config-preservation"
	}
	return id.Name()
}

func (e *explorer) inconclusive(m Mode, k int, seed uint64, err error) {
	e.rep.Inconclusive = append(e.rep.Inconclusive, fmt.Sprintf("%s point %d seed %d: %v", m, k, seed, err))
}
