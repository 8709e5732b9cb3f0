package faults

import (
	"fmt"

	"github.com/scopemig/scopemig/faults/internal/schedterm"
)

// ParseSchedule parses a fault schedule, the exact inverse of
// Injector.String for every injector of this package (errors wrap
// ErrSyntax):
//
//	none                                  no fault ("" too)
//	crash(P...,mode=M,seed=S,when=W)      On(All(P...), a crash): mode defaults to process,
//	                                      seed to 0, when to before (after: the operation is made)
//	err(P...,errno=E)                     On(All(P...), a failure): errno defaults to EIO
//	rand(one_in=N,seed=S,errno=E)         err(rand(one_in=N,seed=S),errno=E)
//	T1;T2;...                             Seq(T1, T2, ...)
//
// where each predicate P is one of
//
//	op=K                                  OpIndex(K)
//	kind=K                                OfKind(K): create, write, sync, ..., setsecret, ...
//	path=GLOB                             PathGlob(GLOB), a bare word or a Go-quoted string
//	rand(one_in=N,seed=S)                 OneIn{N, S}
//	any(P...)                             Any(P...)
//	all(P...)                             All(P...)
//
// A crash or err term needs at least one predicate (all() matches every
// operation). Arguments may come in any order; spaces around tokens are
// ignored. So crash(op=5,mode=torn,seed=42) is CrashAt{5, Torn, 42},
// err(kind=sync,path="/d/*",errno=EIO) fails every sync under /d, and
// crash(any(kind=rename,kind=remove),mode=power,seed=1) cuts the power at
// the first rename or remove.
func ParseSchedule(s string) (Injector, error) {
	return schedterm.ParseWith(s, parseInjector, Seq)
}

func parseInjector(t *schedterm.Term) (Injector, error) {
	var a Action
	switch t.Name {
	case "crash":
		a.Kind = Crash
		if err := crashArgs(t, &a); err != nil {
			return nil, err
		}
	case "err":
		a.Kind = Fail
		if err := errnoArg(t, &a); err != nil {
			return nil, err
		}
	case "rand": // the short form of err(rand(one_in=N,seed=S),errno=E)
		a.Kind = Fail
		if err := errnoArg(t, &a); err != nil {
			return nil, err
		}
		p, err := parseOneIn(t)
		if err != nil {
			return nil, err
		}
		return On(p, a), nil
	default:
		return nil, fmt.Errorf("unknown fault %q: %w", t.Name, ErrSyntax)
	}
	if len(t.Args) == 0 {
		return nil, fmt.Errorf("%s: no predicate (all() matches every operation): %w", t.Name, ErrSyntax)
	}
	ps, err := parsePredicates(t)
	if err != nil {
		return nil, err
	}
	return On(All(ps...), a), nil
}

// crashArgs takes mode, seed and when from t.
func crashArgs(t *schedterm.Term, a *Action) error {
	v, ok, err := t.TakeOnce("mode")
	if err != nil {
		return err
	}
	if ok {
		if a.Mode, err = ParseMode(v); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	if v, ok, err = t.TakeOnce("seed"); err != nil {
		return err
	} else if ok {
		if a.Seed, err = t.Uint64("seed", v); err != nil {
			return err
		}
	}
	if v, ok, err = t.TakeOnce("when"); err != nil {
		return err
	} else if ok {
		switch v {
		case "before":
		case "after":
			a.After = true
		default:
			return fmt.Errorf("%s: when=%q: want before or after: %w", t.Name, v, ErrSyntax)
		}
	}
	return nil
}

// errnoArg takes errno from t (EIO when absent).
func errnoArg(t *schedterm.Term, a *Action) error {
	v, ok, err := t.TakeOnce("errno")
	if err != nil {
		return err
	}
	a.Errno = orEIO(0)
	if ok {
		if a.Errno, err = ParseErrno(v); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
	}
	return nil
}

// parsePredicates parses every argument left in t as a predicate.
func parsePredicates(t *schedterm.Term) ([]Predicate, error) {
	ps := make([]Predicate, 0, len(t.Args))
	for _, arg := range t.Args {
		p, err := parsePredicate(t.Name, arg)
		if err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	t.Args = nil
	return ps, nil
}

func parsePredicate(in string, arg schedterm.Arg) (Predicate, error) {
	if sub := arg.Sub; sub != nil {
		switch sub.Name {
		case "any", "all":
			ps, err := parsePredicates(sub)
			if err != nil {
				return nil, err
			}
			if sub.Name == "any" {
				return Any(ps...), nil
			}
			return All(ps...), nil
		case "rand":
			return parseOneIn(sub)
		}
		return nil, fmt.Errorf("%s: unknown predicate %s(...): %w", in, sub.Name, ErrSyntax)
	}
	switch arg.Key {
	case "op":
		n, err := (&schedterm.Term{Name: in}).NonNegInt("op", arg.Value)
		return OpIndex(n), err
	case "kind":
		k, err := ParseOpKind(arg.Value)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", in, err)
		}
		return OfKind(k), nil
	case "path":
		return PathGlob(arg.Value), nil
	}
	return nil, fmt.Errorf("%s: unknown argument %q: %w", in, arg.Key, ErrSyntax)
}

// parseOneIn takes one_in and seed from t, which must hold nothing else
// but what the caller took already.
func parseOneIn(t *schedterm.Term) (Predicate, error) {
	v, ok, err := t.TakeOnce("one_in")
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%s: missing one_in: %w", t.Name, ErrSyntax)
	}
	n, err := t.NonNegInt("one_in", v)
	if err != nil {
		return nil, err
	}
	r := OneIn{N: n}
	if v, ok, err = t.TakeOnce("seed"); err != nil {
		return nil, err
	} else if ok {
		if r.Seed, err = t.Uint64("seed", v); err != nil {
			return nil, err
		}
	}
	return r, t.Done()
}
