package schedterm

import (
	"errors"
	"strings"
	"testing"
)

type word string

func (w word) String() string { return string(w) }

func TestParseAndJoin(t *testing.T) {
	parse := func(t *Term) (word, error) {
		n, err := t.NonNegInt("n", true)
		if err != nil {
			return "", err
		}
		if err := t.Done(); err != nil {
			return "", err
		}
		return word(t.Name + "(n=" + strings.Repeat("i", n) + ")"), nil
	}
	seq := func(ws ...word) word { return word(Join(ws)) }
	got, err := ParseWith(" a( n=1 ) ;b(n=2)", parse, seq)
	if err != nil || got != "a(n=i);b(n=ii)" {
		t.Fatalf("got %q, %v", got, err)
	}
	for _, s := range []string{"a", "a(n=1);", "a(n=-1)", "a(n=1,n=2)", "a(n=1,x=2)", "a()", "a(n)"} {
		if _, err := ParseWith(s, parse, seq); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want ErrSyntax", s, err)
		}
	}
	if got, err := ParseWith("none", parse, seq); err != nil || got != "none" {
		t.Errorf("none: %q, %v", got, err)
	}
}
