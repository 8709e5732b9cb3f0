package faults

import (
	"fmt"
	"strconv"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

func seedArg(t *schedterm.Term) (uint64, error) {
	v, ok := t.Take("seed")
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != v {
		return 0, fmt.Errorf("%s: seed=%q: %w", t.Name, v, ErrSyntax)
	}
	return n, nil
}

func errnoArg(t *schedterm.Term) (Action, error) {
	v, ok := t.Take("errno")
	if !ok {
		return Action{Errno: orEIO(0)}, nil
	}
	e, err := ParseErrno(v)
	if err != nil {
		return Action{}, fmt.Errorf("%s: %w", t.Name, err)
	}
	return Action{Errno: e}, nil
}

// ParseSchedule parses a filesystem fault schedule, the exact inverse of
// Injector.String for every injector of this package:
//
//	none                                  no fault ("" too)
//	crash(op=K,mode=M,seed=S)             CrashAt (mode defaults to process, seed to 0)
//	err(op=K,errno=E)                     ErrorAt (errno defaults to EIO)
//	err(kind=K,errno=E)                   ErrorOn (K: create, write, sync, ...)
//	rand(one_in=N,seed=S,errno=E)         Randomly
//	T1;T2;...                             Seq(T1, T2, ...)
//
// Arguments may come in any order; spaces around tokens are ignored.
func ParseSchedule(s string) (Injector, error) {
	return schedterm.ParseWith(s, parseInjector, Seq)
}

func parseInjector(t *schedterm.Term) (Injector, error) {
	var in Injector
	switch t.Name {
	case "crash":
		op, err := t.NonNegInt("op", true)
		if err != nil {
			return nil, err
		}
		c := CrashAt{Op: op}
		if v, ok := t.Take("mode"); ok {
			if c.Mode, err = ParseMode(v); err != nil {
				return nil, fmt.Errorf("crash: %w", err)
			}
		}
		if c.Seed, err = seedArg(t); err != nil {
			return nil, err
		}
		in = c
	case "err":
		a, err := errnoArg(t)
		if err != nil {
			return nil, err
		}
		if v, ok := t.Take("kind"); ok {
			k, err := ParseOpKind(v)
			if err != nil {
				return nil, fmt.Errorf("err: %w", err)
			}
			in = ErrorOn{Kind: k, Errno: a.Errno}
			break
		}
		op, err := t.NonNegInt("op", true)
		if err != nil {
			return nil, err
		}
		in = ErrorAt{Op: op, Errno: a.Errno}
	case "rand":
		n, err := t.NonNegInt("one_in", true)
		if err != nil {
			return nil, err
		}
		seed, err := seedArg(t)
		if err != nil {
			return nil, err
		}
		a, err := errnoArg(t)
		if err != nil {
			return nil, err
		}
		in = Randomly{OneIn: n, Seed: seed, Errno: a.Errno}
	default:
		return nil, fmt.Errorf("unknown fault %q: %w", t.Name, ErrSyntax)
	}
	if err := t.Done(); err != nil {
		return nil, err
	}
	return in, nil
}
