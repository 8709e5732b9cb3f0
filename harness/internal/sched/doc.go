// Package sched is the concurrency phase's deterministic scheduler: the
// simulated processes of one case run one at a time, and at every yield
// point (a provider call, a mutating filesystem operation, a lock attempt)
// a script, then a seeded random source, picks which runs next. The
// choices made form a script that replays the interleaving exactly, and
// that the harness's shrinker shortens.
package sched
