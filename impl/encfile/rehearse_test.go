package encfile_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/afero"
	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/secrets"
)

// TestRehearsalRefusesWhatUpdateRefuses: a Rehearsal's Update fails with
// exactly the error Store.Update fails with on the same file and the same
// change (an over-limit result, an invalid value), accepts what it
// accepts, and writes nothing: not the file, not a lock, not a temp.
func TestRehearsalRefusesWhatUpdateRefuses(t *testing.T) {
	ctx := context.Background()
	pw := []byte("pw")
	big := strings.Repeat("x", encfile.MaxPlaintext-200)
	for _, tc := range []struct {
		name string
		fn   func(m map[string]string) error
		want error
	}{
		{"grows past 32 MiB", func(m map[string]string) error {
			for i := range 20 {
				m[strings.Repeat("k", 10)+string(rune('a'+i))] = "0123456789"
			}
			return nil
		}, encfile.ErrTooLarge},
		{"invalid UTF-8 value", func(m map[string]string) error { m["bad"] = "\xff"; return nil }, encfile.ErrInvalidValue},
		{"fn fails", func(map[string]string) error { return secrets.ErrNotFound }, secrets.ErrNotFound},
		{"a change that fits", func(m map[string]string) error { m["small"] = "v"; return nil }, nil},
		{"no change", func(map[string]string) error { return nil }, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "secrets_encrypted")
			content := map[string]string{"big": "small"}
			if tc.want == encfile.ErrTooLarge {
				content["big"] = big
			}
			data, err := encfile.Encode(encfile.KeyFromPassword(pw), content, nil)
			require.NoError(t, err)
			fsys := afero.NewOsFs()
			require.NoError(t, afero.WriteFile(fsys, path, data, 0o600))
			before := treeSnapshot(t, dir)

			snap, err := encfile.Inspect(ctx, fsys, path, pw)
			require.NoError(t, err)
			rehearsed := snap.Rehearse().Update(ctx, tc.fn)
			require.Equal(t, before, treeSnapshot(t, dir), "a rehearsal writes nothing")
			require.Equal(t, content, snap.Content(), "the snapshot is not changed")

			st, err := encfile.Open(fsys, path, pw)
			require.NoError(t, err)
			real := st.Update(ctx, tc.fn)
			if tc.want == nil {
				require.NoError(t, rehearsed)
				require.NoError(t, real)
				return
			}
			require.ErrorIs(t, rehearsed, tc.want)
			require.Equal(t, real.Error(), rehearsed.Error(), "the same refusal, word for word")
			var tl *encfile.ContentTooLargeError
			if errors.As(rehearsed, &tl) {
				require.Equal(t, len(data), tl.FileSize, "names the file's size now")
			}
		})
	}
}
