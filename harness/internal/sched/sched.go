package sched

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
)

// ErrBadSchedule reports a concurrency schedule string that cannot be
// parsed or replayed.
var ErrBadSchedule = errors.New("bad concurrency schedule")

// procState is where a simulated process stands in a sched.
type procState uint8

const (
	procReady   procState = iota // runnable (waiting for the token, or holding it)
	procWaiting                  // blocked on a lock another process holds
	procDone                     // returned or crashed
)

// Sched is a deterministic cooperative scheduler of simulated processes:
// exactly one process (goroutine) holds the token and runs; at every yield
// point (a provider call, a mutating fs operation, a lock attempt) the
// scheduler picks which ready process runs next. A choice point is a yield
// where more than one process is ready; the choices made there form the
// schedule, which replays the interleaving exactly.
//
// Choices come from script while it lasts, then from rng when rng is set,
// else "keep running the current process if it can" (the fewest
// switches: what the shrinker converges to).
type Sched struct {
	mu     sync.Mutex      // guards the fields below
	state  []procState     // by process id
	wake   []chan struct{} // by process id; capacity 1: the token handoff
	cur    int             // the process holding the token (-1 before start)
	script []int           // replayed choices
	rng    *rand.Rand      // random choices after the script; nil: none
	trace  []int           // every choice made, in order
	clock  int64           // logical time of history events
}

// New returns a scheduler of n processes that replays script, then draws
// from rng (nil: keeps the current process running).
func New(n int, script []int, rng *rand.Rand) *Sched {
	s := &Sched{state: make([]procState, n), wake: make([]chan struct{}, n), cur: -1, script: script, rng: rng}
	for i := range s.wake {
		s.wake[i] = make(chan struct{}, 1)
	}
	return s
}

// Tick returns the next logical timestamp.
func (s *Sched) Tick() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock++
	return s.clock
}

// Start hands the token to the first process; every process goroutine
// must call Enter first.
func (s *Sched) Start() {
	s.mu.Lock()
	next := s.pickLocked()
	s.mu.Unlock()
	if next >= 0 {
		s.wake[next] <- struct{}{}
	}
}

// Enter blocks process id until it holds the token.
func (s *Sched) Enter(id int) { <-s.wake[id] }

// Yield is a scheduling point of process id (which holds the token).
func (s *Sched) Yield(id int) {
	s.mu.Lock()
	next := s.pickLocked()
	s.mu.Unlock()
	s.handoff(id, next)
}

// Block parks process id until a lock is released (or every live process
// is blocked: then they all retry).
func (s *Sched) Block(id int) {
	s.mu.Lock()
	s.state[id] = procWaiting
	next := s.pickLocked()
	s.mu.Unlock()
	s.handoff(id, next)
}

// Released wakes every process waiting for a lock (they retry).
func (s *Sched) Released() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unblockLocked()
}

// Exit ends process id and passes the token on.
func (s *Sched) Exit(id int) {
	s.mu.Lock()
	s.state[id] = procDone
	s.unblockLocked() // a crash released its locks without telling us
	next := s.pickLocked()
	s.mu.Unlock()
	if next >= 0 {
		s.wake[next] <- struct{}{}
	}
}

func (s *Sched) handoff(id, next int) {
	if next == id {
		return
	}
	s.wake[next] <- struct{}{}
	<-s.wake[id]
}

func (s *Sched) unblockLocked() {
	for i, st := range s.state {
		if st == procWaiting {
			s.state[i] = procReady
		}
	}
}

// pickLocked chooses the next process to run and makes it current; -1 when
// every process is done.
func (s *Sched) pickLocked() int {
	ready := s.readyLocked()
	if len(ready) == 0 {
		s.unblockLocked() // all blocked: let them retry (a lock of a dead process)
		if ready = s.readyLocked(); len(ready) == 0 {
			s.cur = -1
			return -1
		}
	}
	next := ready[0]
	if len(ready) > 1 {
		next = s.chooseLocked(ready)
		s.trace = append(s.trace, next)
	}
	s.cur = next
	return next
}

func (s *Sched) readyLocked() []int {
	var ready []int
	for i, st := range s.state {
		if st == procReady {
			ready = append(ready, i)
		}
	}
	return ready
}

func (s *Sched) chooseLocked(ready []int) int {
	k := len(s.trace)
	if k < len(s.script) {
		for _, r := range ready {
			if r == s.script[k] {
				return r
			}
		}
	} else if s.rng != nil {
		return ready[s.rng.IntN(len(ready))]
	}
	for _, r := range ready {
		if r == s.cur {
			return r
		}
	}
	return ready[0]
}

// Choices returns the schedule made so far.
func (s *Sched) Choices() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.trace...)
}

// FormatScript renders choices as digits ("0110"), or "-" when empty.
func FormatScript(c []int) string {
	if len(c) == 0 {
		return "-"
	}
	var b strings.Builder
	for _, p := range c {
		b.WriteString(strconv.Itoa(p))
	}
	return b.String()
}

// ParseScript reads FormatScript's output.
func ParseScript(s string) ([]int, error) {
	if s == "-" || s == "" {
		return nil, nil
	}
	out := make([]int, len(s))
	for i, r := range s {
		if r < '0' || r > '9' {
			return nil, fmt.Errorf("%w: schedule script %q", ErrBadSchedule, s)
		}
		out[i] = int(r - '0')
	}
	return out, nil
}

// Switches counts the context switches of a script.
func Switches(c []int) int {
	n := 0
	for i := 1; i < len(c); i++ {
		if c[i] != c[i-1] {
			n++
		}
	}
	return n
}
