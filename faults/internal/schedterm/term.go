// Package schedterm is the syntax shared by the fault schedules of package
// faults (filesystem faults) and package faults/opfaults (provider
// faults): terms "name(key=value,...)" joined with ";", "none" for no
// fault.
package schedterm

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrSyntax reports a schedule that does not parse (faults.ErrSyntax is
// this value).
var ErrSyntax = errors.New("faults: bad schedule syntax")

// Term is one parsed "name(key=value,...)" of a schedule.
type Term struct {
	Name string
	args map[string]string
}

// Take removes and returns argument key; ok is false if it is missing.
func (t *Term) Take(key string) (string, bool) {
	v, ok := t.args[key]
	delete(t.args, key)
	return v, ok
}

// Done fails if arguments are left over.
func (t *Term) Done() error {
	for k := range t.args {
		return fmt.Errorf("%s: unknown argument %q: %w", t.Name, k, ErrSyntax)
	}
	return nil
}

// NonNegInt takes argument key as a decimal int >= 0 (0 when it is
// missing and not required).
func (t *Term) NonNegInt(key string, required bool) (int, error) {
	v, ok := t.Take(key)
	if !ok {
		if required {
			return 0, fmt.Errorf("%s: missing %s: %w", t.Name, key, ErrSyntax)
		}
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || strconv.Itoa(n) != v {
		return 0, fmt.Errorf("%s: %s=%q: want a number >= 0: %w", t.Name, key, v, ErrSyntax)
	}
	return n, nil
}

// Parse splits s ("a(...);b(...)", spaces allowed around tokens) into
// terms. "" and "none" give no term.
func Parse(s string) ([]Term, error) {
	var out []Term
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
		t := Term{Name: strings.TrimSpace(part[:open]), args: map[string]string{}}
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

// Join prints the parts of a schedule joined with ";" ("none" when
// empty), the syntax Parse reads back.
func Join[T fmt.Stringer](s []T) string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, len(s))
	for i, in := range s {
		parts[i] = in.String()
	}
	return strings.Join(parts, ";")
}

// ParseWith parses schedule s: each term with parse, the results combined
// with seq. Errors name the schedule.
func ParseWith[T any](s string, parse func(*Term) (T, error), seq func(...T) T) (T, error) {
	var zero T
	terms, err := Parse(s)
	if err != nil {
		return zero, err
	}
	parts := make([]T, 0, len(terms))
	for i := range terms {
		in, err := parse(&terms[i])
		if err != nil {
			return zero, fmt.Errorf("schedule %q: %w", s, err)
		}
		parts = append(parts, in)
	}
	return seq(parts...), nil
}
