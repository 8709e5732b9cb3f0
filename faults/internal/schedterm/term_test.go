package schedterm

import (
	"errors"
	"testing"
)

type word string

func (w word) String() string { return string(w) }

// flat prints a parsed term back in canonical form.
func flat(t *Term) string {
	s := t.Name + "("
	for i, a := range t.Args {
		if i > 0 {
			s += ","
		}
		if a.Sub != nil {
			s += flat(a.Sub)
		} else {
			s += a.Key + "=" + Value(a.Value)
		}
	}
	return s + ")"
}

func TestParseAndJoin(t *testing.T) {
	parse := func(t *Term) (word, error) { return word(flat(t)), nil }
	seq := func(ws ...word) word { return word(Join(ws)) }
	got, err := ParseWith(` a( n=1 , any( k=x , k="a b" ) ) ;none; b(n=2,s="q\"(,)")`, parse, seq)
	if want := `a(n=1,any(k=x,k="a b"));b(n=2,s="q\"(,)")`; err != nil || string(got) != want {
		t.Fatalf("got %q, %v, want %q", got, err, want)
	}
	for _, s := range []string{"a", "a(n=1);", "a(n=1,", "a(n)", "a(=1)", "a(n=)", `a(n="x)`, "a(n=1)b(n=2)", ";", "a(n=1);;b()", "a(n=(1))", "(n=1)"} {
		if _, err := ParseWith(s, parse, seq); !errors.Is(err, ErrSyntax) {
			t.Errorf("%q: %v, want ErrSyntax", s, err)
		}
	}
	for _, s := range []string{"", " ", "none", " none ; none "} {
		if got, err := ParseWith(s, parse, seq); err != nil || got != "none" {
			t.Errorf("%q: %q, %v", s, got, err)
		}
	}
}

func TestTakeAndNumbers(t *testing.T) {
	terms, err := Parse("t(a=1,b=01,a=2,c=-1)")
	if err != nil {
		t.Fatal(err)
	}
	tm := terms[0]
	if _, _, err := tm.TakeOnce("a"); !errors.Is(err, ErrSyntax) {
		t.Errorf("a twice: %v", err)
	}
	v, _ := tm.Take("b")
	if _, err := tm.NonNegInt("b", v); !errors.Is(err, ErrSyntax) {
		t.Errorf("b=01 is not canonical: %v", err)
	}
	if err := tm.Done(); !errors.Is(err, ErrSyntax) {
		t.Errorf("c is left: %v", err)
	}
	if n, err := tm.Uint64("s", "18446744073709551615"); err != nil || n != 1<<64-1 {
		t.Errorf("max uint64: %d %v", n, err)
	}
}

func TestValueQuotes(t *testing.T) {
	for v, want := range map[string]string{"/d/*.tmp": "/d/*.tmp", "": `""`, "a b": `"a b"`, "x,y": `"x,y"`, "é": `"é"`} {
		if got := Value(v); got != want {
			t.Errorf("Value(%q) = %s, want %s", v, got, want)
		}
	}
}
