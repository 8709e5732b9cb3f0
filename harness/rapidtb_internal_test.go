package harness

import (
	"flag"
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// The rapid this module builds with defines every flag Verify sets: an
// upgrade that renames one fails here, not silently in a replay.
func TestRapidDefinesTheFlagsVerifySets(t *testing.T) {
	require.NoError(t, rapidFlagsIn(flag.CommandLine))
}

func TestRapidFlagMissingIsAnError(t *testing.T) {
	fs := flag.NewFlagSet("old-rapid", flag.ContinueOnError)
	fs.Uint64("rapid.seed", 0, "")
	fs.Int("rapid.checks", 100, "")
	fs.Bool("rapid.nofailfile", false, "")
	err := rapidFlagsIn(fs)
	require.ErrorIs(t, err, ErrRapidFlag)
	require.ErrorContains(t, err, "-rapid.shrinktime")

	restore, err := setFlags(fs, [][2]string{{"rapid.seed", "7"}, {"rapid.shrinktime", "1s"}})
	require.ErrorIs(t, err, ErrRapidFlag)
	require.Nil(t, restore)
	require.Equal(t, "0", fs.Lookup("rapid.seed").Value.String(), "the seed set before the failure is put back")
}

// A flag whose type changed upstream rejects the value: an error, and the
// flags set before it are put back.
func TestRapidFlagRejectingAValueIsAnError(t *testing.T) {
	fs := flag.NewFlagSet("new-rapid", flag.ContinueOnError)
	fs.Uint64("rapid.seed", 0, "")
	fs.Bool("rapid.checks", false, "") // say, upstream made it a switch
	_, err := setFlags(fs, [][2]string{{"rapid.seed", "7"}, {"rapid.checks", "100"}})
	require.ErrorIs(t, err, ErrRapidFlag)
	require.ErrorContains(t, err, "-rapid.checks")
	require.Equal(t, "0", fs.Lookup("rapid.seed").Value.String())

	restore, err := setFlags(fs, [][2]string{{"rapid.seed", "7"}, {"rapid.checks", "true"}})
	require.NoError(t, err)
	require.Equal(t, "7", fs.Lookup("rapid.seed").Value.String())
	restore()
	require.Equal(t, "0", fs.Lookup("rapid.seed").Value.String())
	require.Equal(t, "false", fs.Lookup("rapid.checks").Value.String())
}

// The rapid version docs/harness.md names is the one go.mod pins.
func TestRapidVersionDocumented(t *testing.T) {
	gomod, err := os.ReadFile("../go.mod")
	require.NoError(t, err)
	pinned := regexp.MustCompile(`(?m)^\s*pgregory\.net/rapid (v\S+)`).FindSubmatch(gomod)
	require.NotNil(t, pinned, "go.mod requires pgregory.net/rapid")
	doc, err := os.ReadFile("../docs/harness.md")
	require.NoError(t, err)
	require.Contains(t, string(doc), "pgregory.net/rapid "+string(pinned[1]), "docs/harness.md names the pinned rapid version")
}
