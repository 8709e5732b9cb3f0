package migrate_test

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestQuarantineByOriginalKey: restore and drop accept the original key
// `legacy list` shows when exactly one slot holds a value of it (that slot
// is the one acted on); with several slots they fail with ErrAmbiguousKey,
// naming every slot, and write nothing; a key that names no slot fails
// with ErrNotQuarantineKey (issue 21 item 9).
func TestQuarantineByOriginalKey(t *testing.T) {
	ctx := context.Background()

	p := secrets.NewMemory(quarantineContent())
	res, err := migrate.RestoreQuarantined(ctx, p, secrets.Scheme{}, "BEARER_TOKEN_b", "", secrets.Fingerprinter{})
	require.NoError(t, err)
	require.Equal(t, "__thv_legacy_BEARER_TOKEN_b", res.Entry.Key, "the one slot of BEARER_TOKEN_b")
	require.Equal(t, 1, res.Entry.Slot)
	require.Equal(t, "__thv_workloads_BEARER_TOKEN_b", res.Destination)
	got, err := dumpMemory(ctx, p)
	require.NoError(t, err)
	require.Equal(t, "lost-b", got["__thv_workloads_BEARER_TOKEN_b"])
	require.NotContains(t, got, "__thv_legacy_BEARER_TOKEN_b")

	// "#" in an original key: slot 1 of BEARER_TOKEN_K#2 is __thv_legacy_BEARER_TOKEN_K##2.
	p = secrets.NewMemory(quarantineContent())
	e, err := migrate.DropQuarantined(ctx, p, secrets.Scheme{}, "BEARER_TOKEN_K#2", secrets.Fingerprinter{})
	require.NoError(t, err)
	require.Equal(t, "__thv_legacy_BEARER_TOKEN_K##2", e.Key)

	for _, tc := range []struct {
		name, key string
		want      error
	}{
		{"two slots", "BEARER_TOKEN_a", migrate.ErrAmbiguousKey},
		{"no slot", "BEARER_TOKEN_zzz", migrate.ErrNotQuarantineKey},
		{"a scoped key", "__thv_workloads_BEARER_TOKEN_a", migrate.ErrNotQuarantineKey},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := quarantineContent()
			p := secrets.NewMemory(maps.Clone(before))
			_, rerr := migrate.RestoreQuarantined(ctx, p, secrets.Scheme{}, tc.key, "", secrets.Fingerprinter{})
			_, derr := migrate.DropQuarantined(ctx, p, secrets.Scheme{}, tc.key, secrets.Fingerprinter{})
			for _, err := range []error{rerr, derr} {
				require.ErrorIs(t, err, tc.want)
				if tc.want == migrate.ErrAmbiguousKey {
					require.Contains(t, err.Error(), `"__thv_legacy_BEARER_TOKEN_a" (slot 1, `+secrets.Fingerprint("lost-a")+`)`)
					require.Contains(t, err.Error(), `"__thv_legacy_BEARER_TOKEN_a#2" (slot 2, `+secrets.Fingerprint("lost-a2")+`)`)
					require.NotContains(t, err.Error(), "lost-a", "fingerprints, never values")
				}
			}
			after, err := dumpMemory(ctx, p)
			require.NoError(t, err)
			require.Equal(t, before, after, "nothing written")
		})
	}
}
