package harness_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// slowOpen is encfile whose Open takes a millisecond: Verify runs long
// enough for any short deadline to cut it in the middle of a phase.
func slowOpen(fsys afero.Fs) (secrets.Provider, error) {
	time.Sleep(time.Millisecond)
	return encfile.Open(fsys, harness.EncfilePath, []byte(harness.TestPassword))
}

// A cancelled run is not a violation: Verify returns the context's error,
// no violation, and the phase it cut as inconclusive (cancelled).
func TestVerifyCancelledIsInconclusiveNotAViolation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	rep, err := harness.Verify(ctx, harness.Target{Name: "slow", Open: slowOpen}, harness.Config{Seed: 1})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Empty(t, rep.Violations, "a cancelled run reported violations")
	require.NotEmpty(t, rep.Inconclusive)
	last := rep.Inconclusive[len(rep.Inconclusive)-1]
	require.Equal(t, harness.InconclusiveCancelled, last.Kind)
	require.False(t, rep.OK())
}

// failingSet is encfile whose SetSecret of one name fails with a plain
// error (no fault injected): a target error.
type failingSet struct{ *encfile.Store }

var errRefused = errors.New("refused by the test target")

func (f failingSet) SetSecret(ctx context.Context, name, value string) error {
	if name == "gh" {
		return fmt.Errorf("set %q: %w", name, errRefused)
	}
	return f.Store.SetSecret(ctx, name, value)
}

// A target error where no fault was injected is inconclusive, never an
// invariant breach (it used to be reported as I6).
func TestTargetErrorIsInconclusive(t *testing.T) {
	target := harness.Target{Name: "failing-set", Open: func(fsys afero.Fs) (secrets.Provider, error) {
		s, err := encfile.Open(fsys, harness.EncfilePath, []byte(harness.TestPassword))
		return failingSet{s}, err
	}}
	rep, err := harness.Verify(context.Background(), target, harness.Config{Seed: 1, Skip: []string{"sweep", "concurrency"}})
	require.NoError(t, err)
	require.Empty(t, rep.Violations, "%v", rep.Violations)
	require.NotEmpty(t, rep.Inconclusive, "the state machine never set \"gh\"")
	require.Equal(t, harness.InconclusiveTargetError, rep.Inconclusive[0].Kind)
	require.Equal(t, "statemachine", rep.Inconclusive[0].Phase)
	require.Contains(t, rep.Inconclusive[0].Detail, errRefused.Error())
	require.False(t, rep.OK())
}
