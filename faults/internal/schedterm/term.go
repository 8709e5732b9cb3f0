// Package schedterm is the syntax of package faults' fault schedules:
// terms "name(arg,...)" joined with ";", "none" for no fault, where an
// argument is key=value or a nested term. A value is a bare word or a Go
// quoted string (for paths and keys holding spaces or punctuation).
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

// Arg is one argument of a term: Key=Value, or a nested term (Sub).
type Arg struct {
	Key, Value string
	Sub        *Term
}

// Term is one parsed "name(arg,...)".
type Term struct {
	Name string
	Args []Arg
}

// Take removes and returns the value of the first key=value argument
// named key; ok is false if there is none.
func (t *Term) Take(key string) (string, bool) {
	for i, a := range t.Args {
		if a.Sub == nil && a.Key == key {
			t.Args = append(t.Args[:i:i], t.Args[i+1:]...)
			return a.Value, true
		}
	}
	return "", false
}

// TakeOnce is Take, failing when key is given twice.
func (t *Term) TakeOnce(key string) (string, bool, error) {
	v, ok := t.Take(key)
	if _, again := t.Take(key); again {
		return "", false, fmt.Errorf("%s: argument %q twice: %w", t.Name, key, ErrSyntax)
	}
	return v, ok, nil
}

// Done fails if arguments are left over.
func (t *Term) Done() error {
	if len(t.Args) > 0 {
		a := t.Args[0]
		if a.Sub != nil {
			return fmt.Errorf("%s: unexpected %s(...): %w", t.Name, a.Sub.Name, ErrSyntax)
		}
		return fmt.Errorf("%s: unknown argument %q: %w", t.Name, a.Key, ErrSyntax)
	}
	return nil
}

// NonNegInt parses v (argument key of t) as a decimal int >= 0 in
// canonical form.
func (t *Term) NonNegInt(key, v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || strconv.Itoa(n) != v {
		return 0, fmt.Errorf("%s: %s=%q: want a number >= 0: %w", t.Name, key, v, ErrSyntax)
	}
	return n, nil
}

// Uint64 parses v (argument key of t) as a decimal uint64 in canonical
// form.
func (t *Term) Uint64(key, v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != v {
		return 0, fmt.Errorf("%s: %s=%q: want a number >= 0: %w", t.Name, key, v, ErrSyntax)
	}
	return n, nil
}

// Value prints v as Parse reads it back: bare when it is a non-empty word
// of safe characters, else Go-quoted.
func Value(v string) string {
	if v == "" || strings.ContainsFunc(v, func(r rune) bool { return !bare(r) }) {
		return strconv.Quote(v)
	}
	return v
}

// bare reports whether r may appear in an unquoted value or a name.
func bare(r rune) bool {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9':
		return true
	}
	return strings.ContainsRune("_-./*?[]^!+:@~%", r)
}

// parser reads one schedule.
type parser struct {
	s   string
	pos int
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("at char %d: %s: %w", p.pos, fmt.Sprintf(format, a...), ErrSyntax)
}

func (p *parser) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\n\r", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

// word reads a run of bare characters (possibly empty).
func (p *parser) word() string {
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] < 0x80 && bare(rune(p.s[p.pos])) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *parser) peek() byte {
	if p.pos < len(p.s) {
		return p.s[p.pos]
	}
	return 0
}

// term reads name(arg,...); the name has been read.
func (p *parser) term(name string) (*Term, error) {
	if name == "" {
		return nil, p.errorf("want a name")
	}
	p.space()
	if p.peek() != '(' {
		return nil, p.errorf("want name(...) after %q", name)
	}
	p.pos++
	t := &Term{Name: name}
	p.space()
	if p.peek() == ')' {
		p.pos++
		return t, nil
	}
	for {
		p.space()
		key := p.word()
		if key == "" {
			return nil, p.errorf("want an argument in %s(...)", name)
		}
		p.space()
		switch p.peek() {
		case '=':
			p.pos++
			p.space()
			v, err := p.value()
			if err != nil {
				return nil, err
			}
			t.Args = append(t.Args, Arg{Key: key, Value: v})
		case '(':
			sub, err := p.term(key)
			if err != nil {
				return nil, err
			}
			t.Args = append(t.Args, Arg{Sub: sub})
		default:
			return nil, p.errorf("want %s=value or %s(...)", key, key)
		}
		p.space()
		switch p.peek() {
		case ',':
			p.pos++
		case ')':
			p.pos++
			return t, nil
		default:
			return nil, p.errorf("want , or ) in %s(...)", name)
		}
	}
}

// value reads a bare word or a quoted string.
func (p *parser) value() (string, error) {
	if p.peek() == '"' {
		q, err := strconv.QuotedPrefix(p.s[p.pos:])
		if err != nil {
			return "", p.errorf("bad quoted value")
		}
		p.pos += len(q)
		v, err := strconv.Unquote(q)
		if err != nil {
			return "", p.errorf("bad quoted value")
		}
		return v, nil
	}
	v := p.word()
	if v == "" {
		return "", p.errorf("want a value")
	}
	return v, nil
}

// Parse splits s ("a(...);b(...)", spaces allowed around tokens) into
// terms. "" and "none" give no term.
func Parse(s string) ([]*Term, error) {
	p := &parser{s: s}
	p.space()
	if p.pos == len(s) {
		return nil, nil
	}
	var out []*Term
	for {
		p.space()
		name := p.word()
		if name != "none" {
			t, err := p.term(name)
			if err != nil {
				return nil, err
			}
			out = append(out, t)
		}
		p.space()
		if p.pos == len(s) {
			return out, nil
		}
		if p.peek() != ';' {
			return nil, p.errorf("want ; between terms")
		}
		p.pos++
	}
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
		return zero, fmt.Errorf("schedule %q: %w", s, err)
	}
	parts := make([]T, 0, len(terms))
	for _, t := range terms {
		in, err := parse(t)
		if err != nil {
			return zero, fmt.Errorf("schedule %q: %w", s, err)
		}
		parts = append(parts, in)
	}
	return seq(parts...), nil
}
