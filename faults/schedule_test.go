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

func genInjector() *rapid.Generator[faults.Injector] {
	return rapid.Custom(func(t *rapid.T) faults.Injector {
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			return faults.CrashAt{
				Op:   rapid.IntRange(0, 1<<20).Draw(t, "op"),
				Mode: rapid.SampledFrom(faults.Modes()).Draw(t, "mode"),
				Seed: rapid.Uint64().Draw(t, "seed"),
			}
		case 1:
			return faults.ErrorAt{Op: rapid.IntRange(0, 1<<20).Draw(t, "op"), Errno: genErrno().Draw(t, "errno")}
		case 2:
			return faults.ErrorOn{
				Kind:  faults.OpKind(rapid.IntRange(0, int(faults.OpChtimes)).Draw(t, "opkind")),
				Errno: genErrno().Draw(t, "errno"),
			}
		default:
			return faults.Randomly{
				OneIn: rapid.IntRange(0, 1000).Draw(t, "oneIn"),
				Seed:  rapid.Uint64().Draw(t, "seed"),
				Errno: genErrno().Draw(t, "errno"),
			}
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
			op := faults.Op{Index: k, Kind: faults.OpKind(k % 14)}
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
		{"err(kind=sync,errno=EIO)", faults.ErrorOn{Kind: faults.OpSync, Errno: syscall.EIO}, ""},
		{"rand(one_in=50,seed=7,errno=EIO)", faults.Randomly{OneIn: 50, Seed: 7, Errno: syscall.EIO}, ""},
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
		"crash(op=1,seed=-3)", "crash(op=1,op=2)", "crash(op=1,extra=2)", "err(errno=EIO)", "err(op=1,errno=EWHAT)",
		"err(op=1,errno=0)", "err(kind=fly)", "rand(seed=1)", "boom(op=1)", "crash(op=1);;crash(op=2)",
		"crash(op=1);", "opcrash(call=1)", "crash(op=1,mode)",
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
	for k := faults.OpCreate; k <= faults.OpChtimes; k++ {
		back, err := faults.ParseOpKind(k.String())
		require.NoError(t, err)
		require.Equal(t, k, back)
	}
}
