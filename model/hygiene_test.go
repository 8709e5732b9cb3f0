package model_test

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/scopemig/scopemig/internal/fixture"
	"github.com/scopemig/scopemig/model"
)

// The agreement cases, checked on the oracle itself: each explorer's test
// lays out the same images and must reach the same verdicts.
func TestCheckHygieneCases(t *testing.T) {
	for _, c := range fixture.HygieneCases() {
		t.Run(c.Name, func(t *testing.T) {
			var files []model.ImageFile
			for _, f := range c.Files {
				dir := map[string]fs.FileMode{"data": c.DataPerm, "config": c.ConfPerm}[f.Dir]
				files = append(files, model.ImageFile{Path: f.Dir + "/" + f.Name, Perm: f.Perm, DirPerm: dir, Data: []byte(f.Data),
					Config: model.ConfigLike(f.Name, "config.yaml")})
			}
			vs := model.CheckHygiene(files, model.HygieneRule{Plaintext: c.Plaintext}, model.ValuesOf(c.Values))
			require.Equal(t, c.Want, fixture.HygieneVerdict(vs))
			for _, v := range vs {
				for _, val := range c.Values.Secrets {
					require.NotContains(t, v.Detail, val, "a violation prints a value")
				}
			}
		})
	}
}

// A file that existed with wider modes may keep them; MaxPerm widens, never
// narrows.
func TestCheckHygieneWidened(t *testing.T) {
	f := model.ImageFile{Path: "f", Perm: 0o644, DirPerm: 0o755, Data: []byte("x")}
	require.Len(t, model.CheckHygiene([]model.ImageFile{f}, model.HygieneRule{}, nil), 1)
	f.MaxPerm, f.MaxDirPerm = 0o644, 0o755
	require.Empty(t, model.CheckHygiene([]model.ImageFile{f}, model.HygieneRule{}, nil))
	f.Perm = 0o666
	require.Len(t, model.CheckHygiene([]model.ImageFile{f}, model.HygieneRule{}, nil), 1)
}

// Values keeps the first key of a value, in key order, and "" names none.
func TestValuesOf(t *testing.T) {
	vs := model.ValuesOf(model.State{Secrets: map[string]string{"b": "v", "a": "v", "c": "w"}})
	require.Equal(t, model.Values{"v": "a", "w": "c"}, vs)
	vs.Add("z", "v")
	require.Equal(t, "a", vs["v"])
	files := []model.ImageFile{{Path: "f", Perm: 0o600, DirPerm: 0o700, Data: []byte("..unnamed-value..")}}
	got := model.CheckHygiene(files, model.HygieneRule{}, model.Values{"unnamed-value": ""})
	require.Len(t, got, 1)
	require.Contains(t, got[0].Detail, "f holds a secret value (")
}
