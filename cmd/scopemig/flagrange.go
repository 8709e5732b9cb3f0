package main

import (
	"errors"
	"fmt"
	"time"
)

// errBadFlagValue reports a numeric flag outside its range. Commands refuse
// it before running anything rather than fall back on a default the user
// did not ask for.
var errBadFlagValue = errors.New("bad flag value")

// atLeast returns an error wrapping errBadFlagValue when v < lo; note says
// what the lowest values mean, for the message.
func atLeast[T int | time.Duration](flag string, v, lo T, note string) error {
	if v < lo {
		return fmt.Errorf("%w: %s %v, want at least %v (%s)", errBadFlagValue, flag, v, lo, note)
	}
	return nil
}

// lockTimeout is the value of --lock-timeout: a Go duration, 0 for no
// limit; a negative one is refused when the flag is parsed (it would
// otherwise have to mean something nobody asked for).
type lockTimeout time.Duration

func (l *lockTimeout) String() string { return time.Duration(*l).String() }

func (l *lockTimeout) Type() string { return "duration" }

func (l *lockTimeout) Set(s string) error {
	d, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if d < 0 {
		return fmt.Errorf("%w: a negative wait (0 waits without limit)", errBadFlagValue)
	}
	*l = lockTimeout(d)
	return nil
}
