package faults_test

import (
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
)

func genErrno() *rapid.Generator[syscall.Errno] {
	return rapid.OneOf(rapid.SampledFrom(faults.Errnos()), rapid.Custom(func(t *rapid.T) syscall.Errno {
		return syscall.Errno(rapid.IntRange(200, 4000).Draw(t, "rawErrno")) // unnamed: printed as a number
	}))
}

// genPredicate draws a predicate of up to depth levels of any/all.
func genPredicate(depth int) *rapid.Generator[faults.Predicate] {
	return rapid.Custom(func(t *rapid.T) faults.Predicate {
		max := 3
		if depth > 0 {
			max = 5
		}
		switch rapid.IntRange(0, max).Draw(t, "pred") {
		case 0:
			return faults.OpIndex(rapid.IntRange(0, 1<<20).Draw(t, "op"))
		case 1:
			return faults.OfKind(rapid.SampledFrom(faults.OpKinds()).Draw(t, "opkind"))
		case 2:
			return faults.PathGlob(rapid.OneOf(rapid.SampledFrom([]string{"/d/*", "", "a b", `q"uote`, "x,y", "(p)", "[ab]*"}), rapid.String()).Draw(t, "path"))
		case 3:
			return faults.OneIn{N: rapid.IntRange(0, 1000).Draw(t, "oneIn"), Seed: rapid.Uint64().Draw(t, "seed")}
		case 4:
			return faults.Any(rapid.SliceOfN(genPredicate(depth-1), 0, 3).Draw(t, "any")...)
		default:
			return faults.All(rapid.SliceOfN(genPredicate(depth-1), 0, 3).Draw(t, "all")...)
		}
	})
}

func genAction() *rapid.Generator[faults.Action] {
	return rapid.Custom(func(t *rapid.T) faults.Action {
		if rapid.Bool().Draw(t, "crash") {
			return faults.Action{
				Kind:  faults.Crash,
				Mode:  rapid.SampledFrom(faults.Modes()).Draw(t, "mode"),
				Seed:  rapid.Uint64().Draw(t, "seed"),
				After: rapid.Bool().Draw(t, "after"),
			}
		}
		return faults.Action{Kind: faults.Fail, Errno: genErrno().Draw(t, "errno")}
	})
}

func genInjector() *rapid.Generator[faults.Injector] {
	return rapid.Custom(func(t *rapid.T) faults.Injector {
		switch rapid.IntRange(0, 2).Draw(t, "kind") {
		case 0:
			return faults.CrashAt{
				Op:    rapid.IntRange(0, 1<<20).Draw(t, "op"),
				Mode:  rapid.SampledFrom(faults.Modes()).Draw(t, "mode"),
				Seed:  rapid.Uint64().Draw(t, "seed"),
				After: rapid.Bool().Draw(t, "after"),
			}
		case 1:
			return faults.ErrorAt{Op: rapid.IntRange(0, 1<<20).Draw(t, "op"), Errno: genErrno().Draw(t, "errno")}
		default:
			return faults.On(genPredicate(2).Draw(t, "when"), genAction().Draw(t, "do"))
		}
	})
}

func TestScheduleRoundTrip(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		parts := rapid.SliceOfN(genInjector(), 0, 5).Draw(t, "parts")
		inj := faults.Seq(parts...)
		s := inj.String()
		back, err := faults.ParseSchedule(s)
		require.NoError(t, err, s)
		require.Equal(t, inj, back, s)
		require.Equal(t, s, back.String())
		// Same decisions.
		for k := range 50 {
			op := faults.Op{Index: k, Kind: faults.OpKinds()[k%len(faults.OpKinds())], Path: []string{"/d/f", "a b", "x"}[k%3]}
			require.Equal(t, inj.Inject(op), back.Inject(op))
		}
	})
}

func TestScheduleExamples(t *testing.T) {
	for _, c := range []struct {
		in   string
		want faults.Injector
		out  string
	}{
		{"", faults.None{}, "none"},
		{"none", faults.None{}, "none"},
		{"crash(op=5,mode=torn,seed=42)", faults.CrashAt{Op: 5, Mode: faults.Torn, Seed: 42}, ""},
		{"crash(op=5)", faults.CrashAt{Op: 5}, "crash(op=5,mode=process,seed=0)"},
		{" crash( seed=1 , op=2 ,mode=power-partial ) ", faults.CrashAt{Op: 2, Mode: faults.PowerPartial, Seed: 1}, "crash(op=2,mode=power-partial,seed=1)"},
		{"err(op=3,errno=ENOSPC)", faults.ErrorAt{Op: 3, Errno: syscall.ENOSPC}, ""},
		{"err(op=3)", faults.ErrorAt{Op: 3, Errno: syscall.EIO}, "err(op=3,errno=EIO)"},
		{"err(kind=sync,errno=EIO)", faults.On(faults.OfKind(faults.OpSync), faults.Action{Kind: faults.Fail}), ""},
		{"rand(one_in=50,seed=7,errno=EIO)", faults.On(faults.OneIn{N: 50, Seed: 7}, faults.Action{Kind: faults.Fail}), "err(rand(one_in=50,seed=7),errno=EIO)"},
		{"crash(op=3,when=after)", faults.CrashAt{Op: 3, After: true}, "crash(op=3,mode=process,seed=0,when=after)"},
		{"crash(op=3,when=before)", faults.CrashAt{Op: 3}, "crash(op=3,mode=process,seed=0)"},
		{`err(kind=setsecret,path="a key*",errno=ENOSPC)`, faults.On(faults.All(faults.OfKind(faults.OpSetSecret), faults.PathGlob("a key*")), faults.Action{Kind: faults.Fail, Errno: syscall.ENOSPC}), ""},
		{"crash(any(kind=rename,all(kind=remove,path=/d/*)),mode=power,seed=1)", faults.On(faults.Any(faults.OfKind(faults.OpRename), faults.All(faults.OfKind(faults.OpRemove), faults.PathGlob("/d/*"))), faults.Action{Kind: faults.Crash, Mode: faults.Power, Seed: 1}), ""},
		{"err(all(),errno=EIO)", faults.On(faults.All(), faults.Action{Kind: faults.Fail}), ""},
		{"err(any(op=4),errno=EIO)", faults.ErrorAt{Op: 4, Errno: syscall.EIO}, "err(op=4,errno=EIO)"},
		{"crash(op=9,mode=power,seed=1);err(op=3,errno=EIO)", faults.Schedule{
			faults.CrashAt{Op: 9, Mode: faults.Power, Seed: 1}, faults.ErrorAt{Op: 3, Errno: syscall.EIO},
		}, ""},
		{"none;err(op=1,errno=EIO)", faults.ErrorAt{Op: 1, Errno: syscall.EIO}, "err(op=1,errno=EIO)"},
	} {
		got, err := faults.ParseSchedule(c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got, c.in)
		out := c.out
		if out == "" {
			out = c.in
		}
		require.Equal(t, out, got.String())
	}
	// ErrorAt's zero errno is EIO, printed as such.
	require.Equal(t, "err(op=0,errno=EIO)", faults.ErrorAt{}.String())
	require.Equal(t, syscall.EIO, faults.ErrorAt{}.Inject(faults.Op{}).Errno)
}

func TestScheduleErrors(t *testing.T) {
	for _, s := range []string{
		"crash", "crash(", "crash()", "crash(op=-1)", "crash(op=x)", "crash(op=01)", "crash(op=1,mode=flood)",
		"crash(op=1,seed=-3)", "crash(op=1,mode=torn,mode=power)", "crash(op=1,extra=2)", "err(errno=EIO)", "err(op=1,errno=EWHAT)",
		"err(op=1,errno=0)", "err(kind=fly)", "rand(seed=1)", "boom(op=1)", "crash(op=1);;crash(op=2)",
		"crash(op=1);", "opcrash(call=1)", "crash(op=1,mode)", "crash(op=1,when=later)", "err(op=1,when=after)",
		"crash(nope(op=1))", "crash(any(op=1,mode=torn))", `crash(path="unterminated)`, "crash(op=1)x", "crash(op=1,)",
		"err(rand(one_in=2,seed=1,op=3))",
	} {
		_, err := faults.ParseSchedule(s)
		require.ErrorIs(t, err, faults.ErrSyntax, "%q", s)
	}
}

func TestModeAndKindNames(t *testing.T) {
	for _, m := range faults.Modes() {
		back, err := faults.ParseMode(m.String())
		require.NoError(t, err)
		require.Equal(t, m, back)
	}
	require.Equal(t, "power-partial", faults.PowerPartial.String())
	_, err := faults.ParseMode("mode(9)")
	require.ErrorIs(t, err, faults.ErrSyntax)
	for _, k := range faults.OpKinds() {
		back, err := faults.ParseOpKind(k.String())
		require.NoError(t, err)
		require.Equal(t, k, back)
	}
}

// FuzzParseSchedule: whatever parses prints as a schedule that parses back
// to an equal injector, printed the same.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"none", "crash(op=5,mode=torn,seed=42)", "err(kind=sync,errno=EIO)",
		`crash(any(kind=rename,all(kind=remove,path="/d/a b")),mode=power,seed=1,when=after);err(op=3)`,
		"rand(one_in=5,seed=1,errno=ENOSPC)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		inj, err := faults.ParseSchedule(s)
		if err != nil {
			require.ErrorIs(t, err, faults.ErrSyntax)
			return
		}
		back, err := faults.ParseSchedule(inj.String())
		require.NoError(t, err, inj.String())
		require.Equal(t, inj, back)
		require.Equal(t, inj.String(), back.String())
	})
}
