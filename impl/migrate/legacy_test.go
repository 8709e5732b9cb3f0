package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/impl/encfile"
	"github.com/scopemig/scopemig/impl/migrate"
	"github.com/scopemig/scopemig/impl/secrets"
)

func quarantineContent() map[string]string {
	return map[string]string{
		"__thv_workloads_BEARER_TOKEN_a":    "scoped-a",
		"__thv_legacy_BEARER_TOKEN_a":       "lost-a",
		"__thv_legacy_BEARER_TOKEN_a#2":     "lost-a2",
		"__thv_legacy_BEARER_TOKEN_K##2":    "lost-k2", // slot 1 of "BEARER_TOKEN_K#2"
		"__thv_legacy_BEARER_TOKEN_b":       "lost-b",  // target absent
		"__thv_legacy_BEARER_TOKEN_c":       "same",
		"__thv_workloads_BEARER_TOKEN_c":    "same",
		"__thv_legacy_not-a-legacy-key":     "orphan",
		"__thv_legacy_BEARER_TOKEN_bad#x":   "unparsed",
		"user-key":                          "user",
		"__thv_registry_REGISTRY_OAUTH_abc": "reg",
	}
}

func TestListQuarantine(t *testing.T) {
	ctx := context.Background()
	got, err := migrate.ListQuarantine(ctx, secrets.NewMemory(quarantineContent()), secrets.Scheme{}, secrets.Fingerprinter{})
	require.NoError(t, err)
	byKey := map[string]migrate.QuarantineEntry{}
	var keys []string
	for _, e := range got {
		byKey[e.Key] = e
		keys = append(keys, e.Key)
	}
	require.Len(t, got, 7)
	require.IsNonDecreasing(t, keys)
	require.Equal(t, migrate.QuarantineEntry{
		Key: "__thv_legacy_BEARER_TOKEN_a#2", Original: "BEARER_TOKEN_a", Slot: 2, Parsed: true,
		Target: "__thv_workloads_BEARER_TOKEN_a", Fingerprint: secrets.Fingerprint("lost-a2"), TargetFingerprint: secrets.Fingerprint("scoped-a"),
	}, byKey["__thv_legacy_BEARER_TOKEN_a#2"])
	k2 := byKey["__thv_legacy_BEARER_TOKEN_K##2"]
	require.Equal(t, "BEARER_TOKEN_K#2", k2.Original)
	require.Equal(t, 1, k2.Slot)
	require.Equal(t, "__thv_workloads_BEARER_TOKEN_K#2", k2.Target)
	require.Empty(t, k2.TargetFingerprint)
	orphan := byKey["__thv_legacy_not-a-legacy-key"]
	require.True(t, orphan.Parsed)
	require.Empty(t, orphan.Target, "its original maps to no scope")
	bad := byKey["__thv_legacy_BEARER_TOKEN_bad#x"]
	require.False(t, bad.Parsed)
	require.Empty(t, bad.Original)
}

func TestRestoreQuarantined(t *testing.T) {
	ctx := context.Background()
	var fp secrets.Fingerprinter
	for _, tc := range []struct {
		name, key, as string
		wantErr       error
		want          func(m map[string]string) // edits the content before into the content after
		displaced     string
	}{
		{name: "target absent", key: "__thv_legacy_BEARER_TOKEN_b", want: func(m map[string]string) {
			delete(m, "__thv_legacy_BEARER_TOKEN_b")
			m["__thv_workloads_BEARER_TOKEN_b"] = "lost-b"
		}},
		{name: "target equal", key: "__thv_legacy_BEARER_TOKEN_c", want: func(m map[string]string) {
			delete(m, "__thv_legacy_BEARER_TOKEN_c")
		}},
		{name: "target different: the displaced value is quarantined in a new slot", key: "__thv_legacy_BEARER_TOKEN_a", displaced: "__thv_legacy_BEARER_TOKEN_a#3", want: func(m map[string]string) {
			delete(m, "__thv_legacy_BEARER_TOKEN_a")
			m["__thv_workloads_BEARER_TOKEN_a"] = "lost-a"
			m["__thv_legacy_BEARER_TOKEN_a#3"] = "scoped-a"
		}},
		{name: "slot 2, target different", key: "__thv_legacy_BEARER_TOKEN_a#2", displaced: "__thv_legacy_BEARER_TOKEN_a#3", want: func(m map[string]string) {
			delete(m, "__thv_legacy_BEARER_TOKEN_a#2")
			m["__thv_workloads_BEARER_TOKEN_a"] = "lost-a2"
			m["__thv_legacy_BEARER_TOKEN_a#3"] = "scoped-a"
		}},
		{name: "key with #", key: "__thv_legacy_BEARER_TOKEN_K##2", want: func(m map[string]string) {
			delete(m, "__thv_legacy_BEARER_TOKEN_K##2")
			m["__thv_workloads_BEARER_TOKEN_K#2"] = "lost-k2"
		}},
		{name: "--as a free name", key: "__thv_legacy_not-a-legacy-key", as: "restored", want: func(m map[string]string) {
			delete(m, "__thv_legacy_not-a-legacy-key")
			m["restored"] = "orphan"
		}},
		{name: "no destination", key: "__thv_legacy_not-a-legacy-key", wantErr: migrate.ErrNoDestination},
		{name: "unparsed, no destination", key: "__thv_legacy_BEARER_TOKEN_bad#x", wantErr: migrate.ErrNoDestination},
		{name: "--as a taken name", key: "__thv_legacy_BEARER_TOKEN_a", as: "user-key", wantErr: migrate.ErrDestinationTaken},
		{name: "--as into quarantine", key: "__thv_legacy_BEARER_TOKEN_a", as: "__thv_legacy_x", wantErr: secrets.ErrInvalidName},
		{name: "not a quarantine key", key: "__thv_workloads_BEARER_TOKEN_a", wantErr: migrate.ErrNotQuarantineKey},
		{name: "missing", key: "__thv_legacy_BEARER_TOKEN_zzz", wantErr: secrets.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := quarantineContent()
			p := secrets.NewMemory(before)
			res, err := migrate.RestoreQuarantined(ctx, p, secrets.Scheme{}, tc.key, tc.as, fp)
			after, derr := dumpMemory(ctx, p)
			require.NoError(t, derr)
			if tc.wantErr != nil {
				require.ErrorIs(t, err, tc.wantErr)
				require.Equal(t, before, after, "an error writes nothing")
				return
			}
			require.NoError(t, err)
			want := maps.Clone(before)
			tc.want(want)
			require.Equal(t, want, after)
			require.Equal(t, tc.displaced, res.Displaced)
			require.Equal(t, distinctValues(before), distinctValues(after), "no value lost")
		})
	}
}

func TestDropQuarantined(t *testing.T) {
	ctx := context.Background()
	before := quarantineContent()
	p := secrets.NewMemory(before)
	e, err := migrate.DropQuarantined(ctx, p, secrets.Scheme{}, "__thv_legacy_BEARER_TOKEN_a#2", secrets.Fingerprinter{})
	require.NoError(t, err)
	require.Equal(t, secrets.Fingerprint("lost-a2"), e.Fingerprint)
	after, err := dumpMemory(ctx, p)
	require.NoError(t, err)
	want := maps.Clone(before)
	delete(want, "__thv_legacy_BEARER_TOKEN_a#2")
	require.Equal(t, want, after)
	for _, key := range []string{"__thv_legacy_BEARER_TOKEN_a#2", "user-key", "__thv_workloads_BEARER_TOKEN_a"} {
		_, err := migrate.DropQuarantined(ctx, p, secrets.Scheme{}, key, secrets.Fingerprinter{})
		require.Error(t, err)
		require.True(t, errors.Is(err, secrets.ErrNotFound) || errors.Is(err, migrate.ErrNotQuarantineKey), "%v", err)
		again, derr := dumpMemory(ctx, p)
		require.NoError(t, derr)
		require.Equal(t, want, again)
	}
}

func dumpMemory(ctx context.Context, p secrets.Provider) (map[string]string, error) {
	list, err := p.ListSecrets(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, d := range list {
		v, err := p.GetSecret(ctx, d.Key)
		if err != nil {
			return nil, err
		}
		out[d.Key] = v
	}
	return out, nil
}

// distinctValues returns the set of values of m.
func distinctValues(m map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, v := range m {
		out[v] = true
	}
	return out
}

// TestQuarantineOpsCrashSweep crashes a restore (default destination with
// a swap, and --as) and a drop on an encrypted store at every mutating
// operation, in every crash mode (process, torn, power, power-partial), and
// checks the restarted store: readable, holding exactly the content before
// or the content after (never a third state), so no value is lost; and a
// retry then converges to the content after. The same fault layer and
// crash images as the harness's sweeps (faults.MemFS / faults.FS).
func TestQuarantineOpsCrashSweep(t *testing.T) {
	ctx := context.Background()
	const path = "/data/secrets_encrypted"
	pw := []byte("pw")
	var fp secrets.Fingerprinter
	seedDisk := func(t *testing.T) *faults.MemFS {
		d := faults.NewMemFS()
		require.NoError(t, d.MkdirAll("/data", 0o700))
		st, err := encfile.Open(faults.NewFS(d, nil), path, pw)
		require.NoError(t, err)
		require.NoError(t, st.Update(ctx, func(m map[string]string) error { maps.Copy(m, quarantineContent()); return nil }))
		return d.CrashImage(faults.Process, nil)
	}
	read := func(t *testing.T, d *faults.MemFS) map[string]string {
		st, err := encfile.Open(faults.NewFS(d, nil), path, pw)
		require.NoError(t, err, "the store is readable after every crash")
		m, err := st.Snapshot(ctx)
		require.NoError(t, err)
		return m
	}
	ops := []struct {
		name string
		run  func(u secrets.Updater) error
	}{
		{"restore-swap", func(u secrets.Updater) error {
			_, err := migrate.RestoreQuarantined(ctx, u, secrets.Scheme{}, "__thv_legacy_BEARER_TOKEN_a", "", fp)
			return err
		}},
		{"restore-as", func(u secrets.Updater) error {
			_, err := migrate.RestoreQuarantined(ctx, u, secrets.Scheme{}, "__thv_legacy_BEARER_TOKEN_K##2", "restored", fp)
			return err
		}},
		{"drop", func(u secrets.Updater) error {
			_, err := migrate.DropQuarantined(ctx, u, secrets.Scheme{}, "__thv_legacy_BEARER_TOKEN_a#2", fp)
			return err
		}},
	}
	for _, op := range ops {
		t.Run(op.name, func(t *testing.T) {
			d0 := seedDisk(t)
			before := read(t, d0.Clone())
			// The content after, from an uninterrupted run.
			clean := d0.Clone()
			st, err := encfile.Open(faults.NewFS(clean, nil), path, pw)
			require.NoError(t, err)
			require.NoError(t, op.run(st))
			after := read(t, clean)
			require.NotEqual(t, before, after)
			for _, mode := range faults.Modes() {
				crashes := 0
				for k := 0; ; k++ {
					inj := faults.CrashAt{Op: k, Mode: mode, Seed: uint64(k) + 1}
					replay := fmt.Sprintf("go test ./impl/migrate -run 'TestQuarantineOpsCrashSweep/%s' (schedule %s)", op.name, inj)
					proc := faults.NewFS(d0.Clone(), inj)
					st, err := encfile.Open(proc, path, pw)
					if err == nil {
						err = op.run(st)
					}
					if !proc.Crashed() {
						require.NoError(t, err, replay)
						break
					}
					crashes++
					img, err := proc.Image()
					require.NoError(t, err, replay)
					got := read(t, img.Clone())
					if !maps.Equal(got, before) {
						require.Equal(t, after, got, "a crash image holds the content before or after, nothing else; %s", replay)
					}
					// Retry on the restarted store.
					st, err = encfile.Open(faults.NewFS(img, nil), path, pw)
					require.NoError(t, err, replay)
					err = op.run(st)
					if maps.Equal(got, after) {
						require.ErrorIs(t, err, secrets.ErrNotFound, "already done: %s", replay)
					} else {
						require.NoError(t, err, replay)
					}
					require.Equal(t, after, read(t, img), "the retry converges; %s", replay)
				}
				require.Positive(t, crashes, "mode %s: the operation writes, so some crash point exists", mode)
			}
		})
	}
}
