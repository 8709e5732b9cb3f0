package harness

import (
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// describe prints a state as keys with value fingerprints.
func describe(s map[string]string) string {
	parts := make([]string, 0, len(s))
	for _, k := range slices.Sorted(maps.Keys(s)) {
		parts = append(parts, fmt.Sprintf("%q=%s", k, secrets.Fingerprint(s[k])))
	}
	return "{" + strings.Join(parts, " ") + "}"
}

func describeState(s model.State) string {
	return fmt.Sprintf("store %s migrated=%v, %s", describe(s.Secrets), s.Migrated, describeConfig(s.Config))
}

// simNonces returns the nonce source of one simulated process of the
// built-in encfile target: the same deterministic stream for every process
// (ChaCha8 from a zero seed; not a secret, and it need not be). Reusing nonces across simulated processes only matters to
// an attacker holding several ciphertexts of one real key; the harness's
// stores are throwaway test data under fixture.TestPassword, and I8 still checks
// that no image holds a value in plaintext.
func simNonces() io.Reader { return rand.NewChaCha8([32]byte{}) }
