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

// rapidFlags guards rapid's process-global settings (the -rapid.* flags,
// which rapid reads at each Check): Verify sets the seed, the number of
// checks and the shrink budget for the duration of one Check. This is the
// only package-level variable of the harness, and it exists because rapid
// offers no per-call configuration.
var rapidFlags sync.Mutex

// checkRapid runs prop under rapid with the given seed and number of checks
// and reports whether it failed.
func checkRapid(name string, seed uint64, checks int, shrink time.Duration, failFiles bool, prop func(*rapid.T)) (failed bool, logs []string) {
	rapidFlags.Lock()
	defer rapidFlags.Unlock()
	set := func(name, value string) func() {
		f := flag.Lookup(name)
		if f == nil {
			return func() {}
		}
		old := f.Value.String()
		_ = f.Value.Set(value)
		return func() { _ = f.Value.Set(old) }
	}
	defer set("rapid.seed", strconv.FormatUint(seed, 10))()
	defer set("rapid.checks", strconv.Itoa(checks))()
	defer set("rapid.nofailfile", strconv.FormatBool(!failFiles))()
	defer set("rapid.shrinktime", shrink.String())()
	// rapid asks testing.Short(), which panics outside `go test` unless the
	// testing flags are registered and parsed.
	if flag.Lookup("test.short") == nil {
		testing.Init()
	}
	if !flag.Parsed() {
		_ = flag.CommandLine.Parse(nil)
	}
	tb := &recTB{name: name}
	rapid.Check(tb, prop)
	return tb.failed, tb.logs
}

// checkRapid runs one rapid phase of Verify: named after the target and the
// phase, with fail files when the config asks for them.
func (v *verifier) checkRapid(phase string, seed uint64, prop func(*rapid.T)) (failed bool, logs []string) {
	name := v.rep.Target + "/" + phase
	if v.cfg.FailFiles != "" {
		name = v.cfg.FailFiles + "/" + name
	}
	return checkRapid(name, seed, v.cfg.Checks, 10*time.Second, v.cfg.FailFiles != "", prop)
}
