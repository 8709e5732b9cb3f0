package harness

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// Every generated config parses, and each class (absent, empty, the
// fixture, generated with an anchor, with a comment, with the flag false)
// is drawn.
func TestGenConfigClasses(t *testing.T) {
	rng := fixture.RandChooser{R: rand.New(rand.NewPCG(1, 2))}
	seen := map[string]int{}
	for range 2000 {
		c := fixture.GenConfig(rng)
		d, err := model.ParseConfig(c)
		require.NoError(t, err, "%q", c.Text)
		switch {
		case !c.Exists:
			seen["absent"]++
		case c.Text == "":
			seen["empty"]++
		case c.Text == fixture.FixtureConfig:
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
