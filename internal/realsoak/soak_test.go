package realsoak

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"
)

// childEnv makes the test binary act as a soak child: it runs Child on the
// paths in its arguments.
const childEnv = "REALSOAK_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := Child(context.Background(), afero.NewOsFs(), os.Args[1], os.Args[2], []byte(Password)); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func testChild(secretsFile, configFile string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], secretsFile, configFile)
	cmd.Env = append(os.Environ(), childEnv+"=1")
	return cmd
}

// The real-process soak kills children with SIGKILL and finds no
// violation in the project's own migration.
func TestRunKillsChildren(t *testing.T) {
	st, err := Run(context.Background(), Config{Seed: 3, Duration: 2 * time.Second, Workers: 2, Command: testChild})
	require.NoError(t, err)
	require.Empty(t, st.ViolationList)
	require.Positive(t, st.Kills)
	require.Positive(t, st.KillsPerSec)
}

// A child that leaves the store readable by others is caught: the soak
// reports I8, so it is not a check that cannot fail.
func TestRunCatchesAWorldReadableStore(t *testing.T) {
	bad := func(secretsFile, configFile string) *exec.Cmd {
		c := testChild(secretsFile, configFile)
		c.Args = []string{"/bin/sh", "-c", `"$0" "$1" "$2" && chmod 644 "$1"`, os.Args[0], secretsFile, configFile}
		c.Path = "/bin/sh"
		return c
	}
	st, err := Run(context.Background(), Config{Seed: 3, Duration: 500 * time.Millisecond, Workers: 1, Command: bad})
	require.NoError(t, err)
	require.NotEmpty(t, st.ViolationList)
	require.Contains(t, st.ViolationList[0], "I8")
}

// Without a child command the soak refuses to start.
func TestRunNeedsACommand(t *testing.T) {
	_, err := Run(context.Background(), Config{})
	require.ErrorIs(t, err, ErrNoCommand)
}
