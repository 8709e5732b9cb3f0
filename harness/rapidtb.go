package harness

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"pgregory.net/rapid"
)

// recTB is the rapid.TB Verify hands to rapid.Check: it records output and
// failure instead of failing a Go test.
type recTB struct {
	name   string
	failed bool
	logs   []string
}

var _ rapid.TB = (*recTB)(nil)

func (t *recTB) Helper()      {}
func (t *recTB) Name() string { return t.name }
func (t *recTB) Logf(format string, args ...any) {
	t.logs = append(t.logs, fmt.Sprintf(format, args...))
}
func (t *recTB) Log(args ...any) { t.logs = append(t.logs, fmt.Sprint(args...)) }
func (t *recTB) Skipf(format string, args ...any) {
	t.Logf(format, args...)
}
func (t *recTB) Skip(args ...any)                  { t.Log(args...) }
func (t *recTB) SkipNow()                          {}
func (t *recTB) Errorf(format string, args ...any) { t.failed = true; t.Logf(format, args...) }
func (t *recTB) Error(args ...any)                 { t.failed = true; t.Log(args...) }
func (t *recTB) Fatalf(format string, args ...any) { t.failed = true; t.Logf(format, args...) }
func (t *recTB) Fatal(args ...any)                 { t.failed = true; t.Log(args...) }
func (t *recTB) FailNow()                          { t.failed = true }
func (t *recTB) Fail()                             { t.failed = true }
func (t *recTB) Failed() bool                      { return t.failed }

// ErrRapidFlag reports that pgregory.net/rapid no longer registers, or no
// longer accepts, one of the -rapid.* flags Verify sets (rapid has no
// per-call configuration, so the seed, the number of checks, the fail files
// and the shrink budget all go through its process-global flags). Without
// it the seed would silently not apply and a failure would not replay. The
// harness is built and tested against the rapid version pinned in go.mod
// (docs/harness.md, "rapid").
var ErrRapidFlag = errors.New("rapid flag missing or changed")

// rapidFlagNames are the -rapid.* flags Verify sets around each Check.
var rapidFlagNames = [...]string{"rapid.seed", "rapid.checks", "rapid.nofailfile", "rapid.shrinktime"}

// rapidFlagsIn returns an error wrapping ErrRapidFlag naming the first of
// rapidFlagNames that fs does not define.
func rapidFlagsIn(fs *flag.FlagSet) error {
	for _, name := range rapidFlagNames {
		if fs.Lookup(name) == nil {
			return missingRapidFlag(name)
		}
	}
	return nil
}

func missingRapidFlag(name string) error {
	return fmt.Errorf("%w: -%s is not defined: this rapid is not the version the harness pins (see docs/harness.md)", ErrRapidFlag, name)
}

// setFlags sets each name to its value in fs and returns the function that
// puts the old values back. Nothing is left changed when it fails: a
// missing flag or a rejected value is an error wrapping ErrRapidFlag.
func setFlags(fs *flag.FlagSet, values [][2]string) (restore func(), err error) {
	var undo []func()
	restore = func() {
		for i := len(undo) - 1; i >= 0; i-- {
			undo[i]()
		}
	}
	for _, nv := range values {
		f := fs.Lookup(nv[0])
		if f == nil {
			restore()
			return nil, missingRapidFlag(nv[0])
		}
		old := f.Value.String()
		if err := f.Value.Set(nv[1]); err != nil {
			restore()
			return nil, fmt.Errorf("%w: -%s rejects %q: %w", ErrRapidFlag, nv[0], nv[1], err)
		}
		undo = append(undo, func() { _ = f.Value.Set(old) })
	}
	return restore, nil
}

// rapidSettings are the rapid flags shared by every check in flight.
type rapidSettings struct {
	shrink    time.Duration
	failFiles bool
}

// rapidFlags guards rapid's process-global settings (the -rapid.* flags,
// which rapid reads inside Check): this is the only package-level variable
// of the harness, and it exists because rapid offers no per-call
// configuration. Checks run concurrently (Verify's workers shard the rapid
// cases). Rapid reads -rapid.seed and -rapid.checks only when a Check
// starts, before its first call of the property, so a check holds mu from
// setting them until that first call (a hand-off: the next check may then
// set its own). It reads -rapid.shrinktime and -rapid.nofailfile later,
// so those are written only when no check is in flight (inflight == 0):
// a check whose settings differ from the running ones waits. The flags'
// previous values are restored when the last check ends.
var rapidFlags struct {
	mu       sync.Mutex // guards the fields below and rapid's flags
	idle     *sync.Cond // signalled when inflight drops to 0; uses mu
	inflight int
	cur      rapidSettings // valid while inflight > 0
	restore  func()        // puts back the flags as they were before the first check in flight
}

// checkRapid runs prop under rapid with the given seed and number of checks
// and reports whether it failed. It is safe for concurrent use. It returns
// an error wrapping ErrRapidFlag, without running prop, when rapid's flags
// cannot be set.
func checkRapid(name string, seed uint64, checks int, shrink time.Duration, failFiles bool, prop func(*rapid.T)) (failed bool, logs []string, err error) {
	g := &rapidFlags
	want := rapidSettings{shrink: shrink, failFiles: failFiles}
	g.mu.Lock()
	if g.idle == nil {
		g.idle = sync.NewCond(&g.mu)
	}
	for g.inflight > 0 && g.cur != want {
		g.idle.Wait()
	}
	if g.inflight == 0 {
		// Save every flag this check and the ones joining it may set.
		restore, err := setFlags(flag.CommandLine, [][2]string{
			{"rapid.seed", strconv.FormatUint(seed, 10)},
			{"rapid.checks", strconv.Itoa(checks)},
			{"rapid.nofailfile", strconv.FormatBool(!failFiles)},
			{"rapid.shrinktime", shrink.String()},
		})
		if err != nil {
			g.mu.Unlock()
			return false, nil, err
		}
		g.restore, g.cur = restore, want
		// rapid asks testing.Short(), which panics outside `go test`
		// unless the testing flags are registered and parsed.
		if flag.Lookup("test.short") == nil {
			testing.Init()
		}
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
	} else if _, err := setFlags(flag.CommandLine, [][2]string{
		{"rapid.seed", strconv.FormatUint(seed, 10)},
		{"rapid.checks", strconv.Itoa(checks)},
	}); err != nil {
		g.mu.Unlock()
		return false, nil, err
	}
	g.inflight++
	held := true
	handOff := func() { // rapid has read seed and checks
		if held {
			held = false
			g.mu.Unlock()
		}
	}
	tb := &recTB{name: name}
	func() {
		defer handOff()
		rapid.Check(tb, func(t *rapid.T) { handOff(); prop(t) })
	}()
	g.mu.Lock()
	g.inflight--
	if g.inflight == 0 {
		g.restore()
		g.idle.Broadcast()
	}
	g.mu.Unlock()
	return tb.failed, tb.logs, nil
}

// checkRapidN runs checks cases of a rapid phase of Verify (one shard):
// named after the target and the phase, with fail files when the config
// asks for them.
//
// A rapid that rejects its flags cannot run: the error is kept for Verify
// to return (the phase reports no case), never turned into a verdict.
func (v *verifier) checkRapidN(phase string, seed uint64, checks int, prop func(*rapid.T)) (failed bool, logs []string) {
	name := v.rep.Target + "/" + phase
	if v.cfg.FailFiles != "" {
		name = v.cfg.FailFiles + "/" + name
	}
	failed, logs, err := checkRapid(name, seed, checks, rapidShrinkBound, v.cfg.FailFiles != "", prop)
	if err != nil {
		v.setErr(err)
	}
	return failed, logs
}

// rapidShrinkBound is rapid's -rapid.shrinktime for Verify. rapid stops
// minimizing at that deadline, so a shrink cut by it depends on the speed
// of the machine, and with it the reported minimal case and crash-state
// count. Shrinking ends on its own when no smaller failing case is found
// (a few seconds for every mutant on one core); the bound only stops a
// runaway shrink, and is far enough that a loaded machine, or several
// workers shrinking at once, still gets the same report as an idle one.
const rapidShrinkBound = 10 * time.Minute
