package harness

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/model"
)

// The built-in fixture config is the fixture file, byte for byte.
func TestFixtureConfigMatchesTestdata(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "toolhive-v0.47.0", "config.yaml"))
	require.NoError(t, err)
	require.Equal(t, string(b), FixtureConfig)
}

// Every generated config parses, and each class (absent, empty, the
// fixture, generated with an anchor, with a comment, with the flag false)
// is drawn.
func TestGenConfigClasses(t *testing.T) {
	rng := randChooser{rand.New(rand.NewPCG(1, 2))}
	seen := map[string]int{}
	for range 2000 {
		c := genConfig(rng)
		d, err := model.ParseConfig(c)
		require.NoError(t, err, "%q", c.Text)
		switch {
		case !c.Exists:
			seen["absent"]++
		case c.Text == "":
			seen["empty"]++
		case c.Text == FixtureConfig:
			seen["fixture"]++
		default:
			seen["generated"]++
			require.NotEmpty(t, d.Fields)
		}
		for _, class := range []struct{ name, needle string }{{"anchor", "&base"}, {"comment", "# "}, {"flag-false", model.ConfigFlag + ": false"}} {
			if contains(c.Text, class.needle) {
				seen[class.name]++
			}
		}
	}
	for _, class := range []string{"absent", "empty", "fixture", "generated", "anchor", "comment", "flag-false"} {
		require.Greater(t, seen[class], 100, "class %s drawn %d times in 2000", class, seen[class])
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
