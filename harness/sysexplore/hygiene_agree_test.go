package sysexplore

import (
	"testing"

	"github.com/stretchr/testify/require"

	fx "github.com/scopemig/scopemig/internal/fixture"
)

// The syscall explorer's I8 reaches the oracle's verdict on every
// agreement case, laid out in a real directory as a command left it.
func TestHygieneAgreesWithModel(t *testing.T) {
	for _, c := range fx.HygieneCases() {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, c.LayOut(dir))
			e := &explorer{cfg: Config{Layout: Layout{ConfigFile: "config/config.yaml"}, Plaintext: c.Plaintext}, s0: c.Values}
			require.Equal(t, c.Want, fx.HygieneVerdict(e.hygiene(dir)))
		})
	}
}
