package faults

import (
	"fmt"
	"strconv"
	"strings"
)

// term is one parsed "name(key=value,...)" of a schedule.
type term struct {
	name string
	args map[string]string
}

// take removes and returns argument key; ok is false if it is missing.
func (t *term) take(key string) (string, bool) {
	v, ok := t.args[key]
	delete(t.args, key)
	return v, ok
}

// done fails if arguments are left over.
func (t *term) done() error {
	for k := range t.args {
		return fmt.Errorf("%s: unknown argument %q: %w", t.name, k, ErrSyntax)
	}
	return nil
}

// parseTerms splits s ("a(...);b(...)", spaces allowed around tokens) into
// terms. "" and "none" give no term.
func parseTerms(s string) ([]term, error) {
	var out []term
	for part := range strings.SplitSeq(s, ";") {
		part = strings.TrimSpace(part)
		if part == "" && s != "" && strings.TrimSpace(s) != "" {
			return nil, fmt.Errorf("schedule %q: empty term: %w", s, ErrSyntax)
		}
		if part == "" || part == "none" {
			continue
		}
		open := strings.IndexByte(part, '(')
		if open <= 0 || !strings.HasSuffix(part, ")") {
			return nil, fmt.Errorf("term %q: want name(key=value,...): %w", part, ErrSyntax)
		}
		t := term{name: strings.TrimSpace(part[:open]), args: map[string]string{}}
		body := strings.TrimSpace(part[open+1 : len(part)-1])
		if body != "" {
			for kv := range strings.SplitSeq(body, ",") {
				k, v, ok := strings.Cut(kv, "=")
				k, v = strings.TrimSpace(k), strings.TrimSpace(v)
				if !ok || k == "" || v == "" {
					return nil, fmt.Errorf("term %q: argument %q: %w", part, kv, ErrSyntax)
				}
				if _, dup := t.args[k]; dup {
					return nil, fmt.Errorf("term %q: argument %q twice: %w", part, k, ErrSyntax)
				}
				t.args[k] = v
			}
		}
		out = append(out, t)
	}
	return out, nil
}

// nonNegInt parses a decimal int >= 0.
func nonNegInt(t *term, key string, required bool) (int, error) {
	v, ok := t.take(key)
	if !ok {
		if required {
			return 0, fmt.Errorf("%s: missing %s: %w", t.name, key, ErrSyntax)
		}
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || strconv.Itoa(n) != v {
		return 0, fmt.Errorf("%s: %s=%q: want a number >= 0: %w", t.name, key, v, ErrSyntax)
	}
	return n, nil
}

func seedArg(t *term) (uint64, error) {
	v, ok := t.take("seed")
	if !ok {
		return 0, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != v {
		return 0, fmt.Errorf("%s: seed=%q: %w", t.name, v, ErrSyntax)
	}
	return n, nil
}

func errnoArg(t *term) (Action, error) {
	v, ok := t.take("errno")
	if !ok {
		return Action{Errno: orEIO(0)}, nil
	}
	e, err := ParseErrno(v)
	if err != nil {
		return Action{}, fmt.Errorf("%s: %w", t.name, err)
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
	terms, err := parseTerms(s)
	if err != nil {
		return nil, err
	}
	injs := make([]Injector, 0, len(terms))
	for i := range terms {
		in, err := parseInjector(&terms[i])
		if err != nil {
			return nil, fmt.Errorf("schedule %q: %w", s, err)
		}
		injs = append(injs, in)
	}
	return Seq(injs...), nil
}

func parseInjector(t *term) (Injector, error) {
	var in Injector
	switch t.name {
	case "crash":
		op, err := nonNegInt(t, "op", true)
		if err != nil {
			return nil, err
		}
		c := CrashAt{Op: op}
		if v, ok := t.take("mode"); ok {
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
		if v, ok := t.take("kind"); ok {
			k, err := ParseOpKind(v)
			if err != nil {
				return nil, fmt.Errorf("err: %w", err)
			}
			in = ErrorOn{Kind: k, Errno: a.Errno}
			break
		}
		op, err := nonNegInt(t, "op", true)
		if err != nil {
			return nil, err
		}
		in = ErrorAt{Op: op, Errno: a.Errno}
	case "rand":
		n, err := nonNegInt(t, "one_in", true)
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
		return nil, fmt.Errorf("unknown fault %q: %w", t.name, ErrSyntax)
	}
	if err := t.done(); err != nil {
		return nil, err
	}
	return in, nil
}

// ParseOpSchedule parses a provider fault schedule, the exact inverse of
// OpInjector.String:
//
//	none                          no fault ("" too)
//	opcrash(call=K,when=W)        OpCrashAt (W: before (default) or after)
//	operr(call=K)                 OpErrorAt
//	T1;T2;...                     OpSeq(T1, T2, ...)
func ParseOpSchedule(s string) (OpInjector, error) {
	terms, err := parseTerms(s)
	if err != nil {
		return nil, err
	}
	injs := make([]OpInjector, 0, len(terms))
	for i := range terms {
		in, err := parseOpInjector(&terms[i])
		if err != nil {
			return nil, fmt.Errorf("op schedule %q: %w", s, err)
		}
		injs = append(injs, in)
	}
	return OpSeq(injs...), nil
}

func parseOpInjector(t *term) (OpInjector, error) {
	if t.name != "opcrash" && t.name != "operr" {
		return nil, fmt.Errorf("unknown op fault %q: %w", t.name, ErrSyntax)
	}
	call, err := nonNegInt(t, "call", true)
	if err != nil {
		return nil, err
	}
	var in OpInjector
	switch t.name {
	case "opcrash":
		c := OpCrashAt{Call: call}
		if v, ok := t.take("when"); ok {
			if c.When, err = ParseWhen(v); err != nil {
				return nil, fmt.Errorf("opcrash: %w", err)
			}
		}
		in = c
	default:
		in = OpErrorAt{Call: call}
	}
	if err := t.done(); err != nil {
		return nil, err
	}
	return in, nil
}
