package opfaults_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"pgregory.net/rapid"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
)

// Every provider schedule prints as what ParseSchedule reads back.
func TestScheduleRoundTrip(t *testing.T) {
	gen := rapid.Custom(func(t *rapid.T) opfaults.Injector {
		call := rapid.IntRange(0, 1<<20).Draw(t, "call")
		if rapid.Bool().Draw(t, "crash") {
			return opfaults.CrashAt{Call: call, When: rapid.SampledFrom([]opfaults.When{opfaults.Before, opfaults.After}).Draw(t, "when")}
		}
		return opfaults.ErrorAt{Call: call}
	})
	rapid.Check(t, func(t *rapid.T) {
		inj := opfaults.Seq(rapid.SliceOfN(gen, 0, 5).Draw(t, "parts")...)
		s := inj.String()
		back, err := opfaults.ParseSchedule(s)
		require.NoError(t, err, s)
		require.Equal(t, inj, back, s)
		require.Equal(t, s, back.String())
	})
}

func TestScheduleErrors(t *testing.T) {
	for _, s := range []string{"opcrash", "opcrash(when=after)", "opcrash(call=1,when=later)", "operr(call=1,when=after)", "crash(op=1)", "operr(call=x)", "opcrash(call=1);;operr(call=2)"} {
		_, err := opfaults.ParseSchedule(s)
		require.ErrorIs(t, err, faults.ErrSyntax, "%q", s)
	}
	for _, s := range []string{"", "none"} {
		inj, err := opfaults.ParseSchedule(s)
		require.NoError(t, err)
		require.Equal(t, opfaults.None{}, inj)
	}
}
