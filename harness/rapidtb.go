package harness

import (
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
	cur      rapidSettings     // valid while inflight > 0
	saved    map[string]string // flag values before the first check in flight
}

// rapidFlagNames are the flags checkRapid sets (and restores).
var rapidFlagNames = [...]string{"rapid.seed", "rapid.checks", "rapid.nofailfile", "rapid.shrinktime"}

// checkRapid runs prop under rapid with the given seed and number of checks
// and reports whether it failed. It is safe for concurrent use.
func checkRapid(name string, seed uint64, checks int, shrink time.Duration, failFiles bool, prop func(*rapid.T)) (failed bool, logs []string) {
	g := &rapidFlags
	set := func(name, value string) {
		if f := flag.Lookup(name); f != nil {
			_ = f.Value.Set(value)
		}
	}
	want := rapidSettings{shrink: shrink, failFiles: failFiles}
	g.mu.Lock()
	if g.idle == nil {
		g.idle = sync.NewCond(&g.mu)
	}
	for g.inflight > 0 && g.cur != want {
		g.idle.Wait()
	}
	if g.inflight == 0 {
		// rapid asks testing.Short(), which panics outside `go test`
		// unless the testing flags are registered and parsed.
		if flag.Lookup("test.short") == nil {
			testing.Init()
		}
		if !flag.Parsed() {
			_ = flag.CommandLine.Parse(nil)
		}
		g.saved = map[string]string{}
		for _, n := range rapidFlagNames {
			if f := flag.Lookup(n); f != nil {
				g.saved[n] = f.Value.String()
			}
		}
		set("rapid.nofailfile", strconv.FormatBool(!failFiles))
		set("rapid.shrinktime", shrink.String())
		g.cur = want
	}
	g.inflight++
	set("rapid.seed", strconv.FormatUint(seed, 10))
	set("rapid.checks", strconv.Itoa(checks))
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
		for n, v := range g.saved {
			set(n, v)
		}
		g.idle.Broadcast()
	}
	g.mu.Unlock()
	return tb.failed, tb.logs
}

// checkRapid runs one rapid phase of Verify: named after the target and the
// phase, with fail files when the config asks for them.
func (v *verifier) checkRapid(phase string, seed uint64, prop func(*rapid.T)) (failed bool, logs []string) {
	return v.checkRapidN(phase, seed, v.cfg.Checks, prop)
}

// checkRapidN is checkRapid with checks cases (one shard of a phase).
func (v *verifier) checkRapidN(phase string, seed uint64, checks int, prop func(*rapid.T)) (failed bool, logs []string) {
	name := v.rep.Target + "/" + phase
	if v.cfg.FailFiles != "" {
		name = v.cfg.FailFiles + "/" + name
	}
	return checkRapid(name, seed, checks, rapidShrinkBound, v.cfg.FailFiles != "", prop)
}

// rapidShrinkBound is rapid's -rapid.shrinktime for Verify. rapid stops
// minimizing at that deadline, so a shrink cut by it depends on the speed
// of the machine, and with it the reported minimal case and crash-state
// count. Shrinking ends on its own when no smaller failing case is found
// (a few seconds for every mutant on one core); the bound only stops a
// runaway shrink, and is far enough that a loaded machine, or several
// workers shrinking at once, still gets the same report as an idle one.
const rapidShrinkBound = 10 * time.Minute
