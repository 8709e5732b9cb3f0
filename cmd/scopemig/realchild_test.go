package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/realsoak"
)

// childEnv makes the test binary act as the scopemig binary when the
// real-process soak starts it as a child.
const childEnv = "SCOPEMIG_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(writeError(os.Stderr, newRoot().Execute()))
	}
	if p := os.Getenv(holdLockEnv); p != "" {
		os.Exit(holdLock(p))
	}
	os.Exit(m.Run())
}

// The real soak through the CLI's own child command (`__child migrate`,
// password in the environment) kills children and finds no violation.
func TestRealSoakKillsChildren(t *testing.T) {
	st, err := realsoak.Run(context.Background(), realsoak.Config{Seed: 3, Duration: 2 * time.Second, Workers: 2, Command: childCommand(os.Args[0], []string{childEnv + "=1"})})
	require.NoError(t, err)
	require.Empty(t, st.ViolationList)
	require.Positive(t, st.Kills)
}
