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
