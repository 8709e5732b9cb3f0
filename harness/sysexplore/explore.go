package sysexplore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/harness/internal/report"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/record"
	"github.com/scopemig/scopemig/harness/sysexplore/internal/trace"
	"github.com/scopemig/scopemig/model"
)

// ErrBadConfig: the exploration cannot start (no command, no starting
// directory, a mode that does not apply, the command fails on the
// starting store, ...). It is harness.ErrBadConfig: one error for both
// explorers.
var ErrBadConfig = report.ErrBadConfig

// explorer is one Explore call.
type explorer struct {
	cfg      Config
	rd       reader
	work     string                 // private scratch directory
	s0       model.State            // the starting store
	s0Dir    string                 // a pristine copy of From
	cfgRaw   []byte                 // the starting config (nil: none)
	s0Perm   map[string]os.FileMode // starting permission bits per path
	s0Sums   map[string][32]byte    // starting content per file
	trace    trace.Trace
	recRoot  string          // the root of the recording run (the trace's paths)
	names    []string        // the file set of a complete run
	seen     map[string]bool // image hashes merged into the report (distinct images)
	memo     imageMemo       // image hash -> its violations (restart included)
	snaps    map[int]string  // process-mode images taken by the recording: crash point -> directory
	snapSize int64           // bytes in snaps
	seq      atomic.Int64    // names the fresh copies (workers run at once)
	rep      Report
	first    map[string]int       // invariant+mode -> index in rep.Violations
	stacks   map[int]record.Stack // crash point -> user stack in the recording
	killed   map[int]record.Stack // crash point -> user stack of the process-mode image (the run killed there, or the recording)
	sym      symbolizer
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
	defer func() { _ = os.RemoveAll(e.work) }()
	if err := e.prepare(ctx); err != nil {
		return e.rep, err
	}
	for _, m := range e.cfg.Modes {
		fsms := []FSModel{""}
		if m != faults.Process {
			fsms = e.cfg.FS
		}
		for _, fsm := range fsms {
			if err := e.mode(ctx, m, fsm); err != nil {
				e.annotate()
				return e.rep, err
			}
		}
	}
	if false {
		if err := error(nil); err != nil {
			e.annotate()
			return e.rep, err
		}
	}
	e.annotate()
	return e.rep, nil
}

func newExplorer(cfg Config) (*explorer, error) {
	if len(cfg.Argv) == 0 {
		return nil, fmt.Errorf("%w: no command", ErrBadConfig)
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("%w: no starting directory (Config.From)", ErrBadConfig)
	}
	if fi, err := os.Stat(cfg.From); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%w: the starting directory %s is not a directory", ErrBadConfig, cfg.From)
	}
	if len(cfg.Modes) == 0 {
		cfg.Modes = Modes()
	}
	if err := checkModes(cfg.Modes); err != nil {
		return nil, err
	}
	if len(cfg.FS) == 0 {
		cfg.FS = []FSModel{Strict}
	}
	for _, f := range cfg.FS {
		if !slices.Contains(FSModels(), f) {
			return nil, fmt.Errorf("%w: unknown persistence model %q (want strict or ext4-ordered)", ErrBadConfig, f)
		}
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
	if cfg.RunTimeout <= 0 {
		cfg.RunTimeout = 2 * time.Minute
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 64
	}
	var rd reader = nativeReader{layout: cfg.Layout, password: []byte(cfg.Password)}
	if cfg.Dump != nil {
		rd = dumpReader{argv: cfg.Dump, env: cfg.Env}
	} else if cfg.Password == "" {
		return nil, fmt.Errorf("%w: the native store reader needs the store's password (Config.Password), or a Dump command", ErrBadConfig)
	}
	base := cfg.WorkDir
	if base == "" {
		base = defaultWorkDir()
	}
	work, err := os.MkdirTemp(base, "sysexplore-")
	if err != nil {
		return nil, err
	}
	if work, err = filepath.EvalSymlinks(work); err != nil {
		return nil, err
	}
	e := &explorer{cfg: cfg, rd: rd, work: work, seen: map[string]bool{}, first: map[string]int{}}
	e.rep = Report{Command: cfg.Argv, From: cfg.From, Policy: cfg.Policy.String(), Violations: []Violation{}}
	return e, nil
}

// fresh returns a new copy of From under the work directory.
func (e *explorer) fresh(tag string) (string, error) {
	dir := filepath.Join(e.work, tag+strconv.FormatInt(e.seq.Add(1), 10))
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
	if e.cfgRaw, err = readConfigBytes(filepath.Join(e.s0Dir, e.cfg.Layout.config())); err != nil {
		return fmt.Errorf("%w: the starting config: %v", ErrBadConfig, err)
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
	spec := record.Spec{Argv: e.argv(e.recRoot), Env: e.cfg.Env, Root: e.recRoot, Capture: true, Seed: e.cfg.Seed, Timeout: e.cfg.RunTimeout, Filter: !e.cfg.FullTrace}
	if f, ok := e.cfg.Output.(*os.File); ok {
		spec.Stdout, spec.Stderr = f, f
	}
	if e.snapshots() {
		spec.Snapshot = e.takeSnapshot
	}
	res, err := record.Record(ctx, spec)
	if err != nil {
		return err
	}
	for _, k := range res.Unsnapped {
		delete(e.snaps, k) // crashed for real instead
	}
	if res.Trace.Exit != 0 {
		return fmt.Errorf("%w: the command exits %d on the starting store (no crash)", ErrBadConfig, res.Trace.Exit)
	}
	e.trace, e.stacks = res.Trace, res.Stacks
	e.rep.Tracing = tracing(res)
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
	e.add(vs, faults.Process, e.rep.Points+1, 0, "none (complete run)", "")
	return nil
}

func (e *explorer) argv(dir string) []string {
	return append([]string{e.cfg.Argv[0]}, substitute(e.cfg.Argv[1:], dir)...)
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

// rerecord records the command again on a fresh copy (replays of a
// nondeterministic command).
func (e *explorer) rerecord(ctx context.Context) error {
	root, err := e.fresh("rec-")
	if err != nil {
		return err
	}
	res, err := record.Record(ctx, record.Spec{Argv: e.argv(root), Env: e.cfg.Env, Root: root, Capture: true, Seed: e.cfg.Seed, Timeout: e.cfg.RunTimeout, Filter: !e.cfg.FullTrace})
	if err != nil {
		return err
	}
	if res.Trace.Exit != 0 {
		return fmt.Errorf("%w: the command exits %d on the starting store (no crash)", ErrBadConfig, res.Trace.Exit)
	}
	_ = os.RemoveAll(e.recRoot)
	e.recRoot, e.trace, e.stacks = root, res.Trace, res.Stacks
	return nil
}

// imageID fingerprints a crash image by what the model sees (12 hex
// digits): the store content read from it (values as fingerprints), the
// config's bytes and the file names. Random nonces and temp names do not
// change it; a different crash state does.
func (e *explorer) imageID(ctx context.Context, dir string) string {
	h := sha256.New()
	st, err := e.rd.read(ctx, dir)
	if err != nil {
		fmt.Fprintf(h, "unreadable %v\n", errors.Is(err, errUnreadable))
	} else {
		fmt.Fprintln(h, st.String())
	}
	cfg, _ := readConfigBytes(filepath.Join(dir, e.cfg.Layout.config()))
	fmt.Fprintf(h, "config %v %x\n", cfg == nil, sha256.Sum256(cfg))
	names, _ := treeNames(dir)
	fmt.Fprintln(h, strings.Join(names, "\x00"))
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// diverged compares the killed run with the recording: the same ops
// (name, directory, byte count, result) before crash point k and the same
// op at k. It returns why not, or "". (Temp file names and written bytes
// may differ: random names, random nonces.)
func (e *explorer) diverged(res record.Result, dir string, k int) string {
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
func traceID(tr trace.Trace, root string) string {
	h := sha256.New()
	for _, o := range tr.Ops {
		fmt.Fprintln(h, shape(o, root, true))
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// shape is what must repeat: the syscall, the directory of its path, and
// (done ops) the byte count and result.
func shape(o trace.Op, root string, done bool) string {
	s := fmt.Sprintf("%d %s %s %s", o.Index, o.Name, relDir(o.Path, root), relDir(o.NewPath, root))
	if done {
		s += fmt.Sprintf(" %d %d", o.Len, o.Ret)
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

// add records violations at a crash point (the first per invariant and
// mode in full, later ones counted).
func (e *explorer) add(vs []model.Violation, m faults.Mode, k int, seed uint64, sys, trace string) {
	e.addFS(vs, m, "", k, seed, sys, trace)
}

// addFS is add for a power mode under the persistence model fsm.
func (e *explorer) addFS(vs []model.Violation, m faults.Mode, fsm FSModel, k int, seed uint64, sys, trace string) {
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
		key := string(v.ID) + "/" + string(m) + "/" + string(fsm)
		viol := Violation{Invariant: v.ID, Name: invName(v.ID), Mode: m, FS: fsm, Point: k, Seed: seed, Syscall: sys, Detail: v.Detail, Count: 1, Image: trace}
		if e.cfg.Replay != nil {
			viol.Replay = e.cfg.Replay(e.cfg, viol)
		}
		if i, ok := e.first[key]; ok {
			// Keep the smallest crash point (the complete run, checked
			// first, is point N+1).
			old := e.rep.Violations[i]
			if k < old.Point {
				viol.Count = old.Count + 1
				e.rep.Violations[i] = viol
			} else {
				e.rep.Violations[i].Count++
			}
			continue
		}
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

func invName(id model.InvariantID) string { return id.Name() }

// inconclusive describes a point that could not be explored.
func inconclusive(m faults.Mode, k int, seed uint64, err error) string {
	return fmt.Sprintf("%s point %d seed %d: %v", m, k, seed, err)
}

// tracing says how a recording was traced (Report.Tracing).
func tracing(r record.Result) string {
	switch {
	case r.Filtered:
		return "seccomp"
	case r.NoFilter != "":
		return "ptrace (every syscall): " + r.NoFilter
	}
	return "ptrace (every syscall)"
}

// defaultWorkDir is /dev/shm where it is a writable directory and TMPDIR
// is not set, else the system temp directory. A process crash leaves the
// same files on any file system (the page cache survives it; the power
// modes are simulated), and on a tmpfs the command's fsyncs cost nothing:
// they dominate its runs on a real disk.
func defaultWorkDir() string {
	const shm = "/dev/shm"
	if os.Getenv("TMPDIR") == "" {
		if fi, err := os.Stat(shm); err == nil && fi.IsDir() && unixWritable(shm) {
			return shm
		}
	}
	return os.TempDir()
}

// unixWritable reports whether a file can be created in dir.
func unixWritable(dir string) bool {
	f, err := os.CreateTemp(dir, "sysexplore-probe-")
	if err != nil {
		return false
	}
	name := f.Name()
	return errors.Join(f.Close(), os.Remove(name)) == nil
}

// snapBudget bounds the bytes of process-mode images kept from the
// recording; the points past it are crashed for real.
const snapBudget = 256 << 20

// snapshots reports whether the process-mode images come from the
// recording (every point, not a replay: a replay crashes for real).
func (e *explorer) snapshots() bool {
	return !e.cfg.KillRuns && e.cfg.Point == 0 && e.cfg.ImageID == "" && slices.Contains(e.cfg.Modes, faults.Process)
}

// takeSnapshot copies the recording's tree at the entry of crash point k
// (record.Spec.Snapshot).
func (e *explorer) takeSnapshot(k int) error {
	if e.snapSize > snapBudget {
		return errSnapBudget
	}
	dir := filepath.Join(e.work, "snap-"+strconv.Itoa(k))
	n, err := copyTreeN(e.recRoot, dir)
	e.snapSize += n
	if err != nil {
		return err
	}
	if e.snaps == nil {
		e.snaps = map[int]string{}
	}
	e.snaps[k] = dir
	return nil
}

// errSnapBudget: the process-mode images of the recording exceed
// snapBudget.
var errSnapBudget = errors.New("snapshot budget exhausted")
