package main

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
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

// The real-process soak kills children with SIGKILL and finds no
// violation in the project's own migration.
func TestRealSoakKillsChildren(t *testing.T) {
	st, err := realSoak(context.Background(), realConfig{Seed: 3, Duration: 2 * time.Second, Workers: 2, Exe: os.Args[0], Env: []string{childEnv + "=1"}})
	require.NoError(t, err)
	require.Empty(t, st.ViolationList)
	require.Positive(t, st.Kills)
	require.Positive(t, st.KillsPerSec)
}
