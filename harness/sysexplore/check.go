package sysexplore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/scopemig/scopemig/model"
)

// checkImage checks a crash image: I7 (the store reads), I1, I2, I3
// against S0, I8 (hygiene) and I9 (config).
func (e *explorer) checkImage(ctx context.Context, dir string) []model.Violation {
	var out []model.Violation
	st, err := e.rd.read(ctx, dir)
	switch {
	case errors.Is(err, errUnreadable):
		out = append(out, model.Violation{ID: model.I7, Detail: err.Error()})
	case err != nil:
		out = append(out, model.Violation{ID: model.I7, Detail: "cannot read the image: " + err.Error()})
	default:
		out = append(out, model.Model{}.CheckAll(e.s0, st, e.cfg.Policy)...)
	}
	out = append(out, e.hygiene(dir)...)
	return append(out, checkConfig(e.cfgRaw, filepath.Join(dir, e.cfg.Layout.config()))...)
}

// restart runs the command to completion on the image (I4).
func (e *explorer) restart(ctx context.Context, dir string) []model.Violation {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, e.cfg.Argv[0], substitute(e.cfg.Argv[1:], dir)...)
	cmd.Env = e.cfg.Env
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return []model.Violation{{ID: model.I4, Detail: fmt.Sprintf("the restart exits %d on the crash image", ee.ExitCode())}}
		}
		return []model.Violation{{ID: model.I4, Detail: "the restart cannot run: " + err.Error()}}
	}
	return e.checkFinal(ctx, dir, model.I4)
}

// checkFinal checks the store after a complete run: exactly Migrate(S0)
// (reported as id), the file set of a complete run from S0, hygiene and
// config.
func (e *explorer) checkFinal(ctx context.Context, dir string, id model.InvariantID) []model.Violation {
	var out []model.Violation
	st, err := e.rd.read(ctx, dir)
	if err != nil {
		out = append(out, model.Violation{ID: id, Detail: "after a complete run: " + err.Error()})
	} else {
		for _, d := range model.Diff(e.want(st), st) {
			out = append(out, model.Violation{ID: id, Detail: "after a complete run " + d})
		}
	}
	names, err := treeNames(dir)
	if err != nil {
		return append(out, model.Violation{ID: id, Detail: err.Error()})
	}
	if !slices.Equal(names, e.names) {
		out = append(out, model.Violation{ID: id, Detail: fmt.Sprintf("files %v after a complete run, want %v (as after a run without crash)", names, e.names)})
	}
	out = append(out, e.hygiene(dir)...)
	return append(out, checkConfig(e.cfgRaw, filepath.Join(dir, e.cfg.Layout.config()))...)
}

// checkAck (I6): the command exited 0, so the image of a power loss right
// after it (every unsynced op dropped) must hold Migrate(S0).
func (e *explorer) checkAck(ctx context.Context, dir string) []model.Violation {
	st, err := e.rd.read(ctx, dir)
	if err != nil {
		return []model.Violation{{ID: model.I6, Detail: "power loss after exit 0: " + err.Error()}}
	}
	var out []model.Violation
	for _, d := range model.Diff(e.want(st), st) {
		out = append(out, model.Violation{ID: model.I6, Detail: "power loss after exit 0: " + d})
	}
	return out
}

// want is Migrate(S0) for comparison with st, an image read by the store
// reader: its secrets and its flag. The config file's other content is
// checked on its own, against the starting config (checkConfig, I9), since
// the readers do not load it into st.
func (e *explorer) want(st model.State) model.State {
	w := model.Model{}.Migrate(e.s0, e.cfg.Policy)
	w.Config = st.Config
	return w
}

// hygiene (I8) applies model.CheckHygiene to every regular file below
// dir: a file byte-identical to one of S0 is the user's own (not
// searched); a file or directory of S0 may keep its starting mode; the
// config and its temp files (names containing the config's name) keep
// their own modes (ToolHive's config is 0644).
func (e *explorer) hygiene(dir string) []model.Violation {
	var files []model.ImageFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		parent, err := os.Stat(filepath.Dir(p))
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		h, existed := e.s0Sums[rel]
		files = append(files, model.ImageFile{
			Path: rel, Perm: info.Mode().Perm(), DirPerm: parent.Mode().Perm(), Data: b,
			Config:     model.ConfigLike(rel, e.cfg.Layout.config()),
			Unchanged:  existed && h == sha256.Sum256(b),
			MaxPerm:    e.s0Perm[rel],
			MaxDirPerm: e.s0Perm[path.Dir(rel)],
		})
		return nil
	})
	if err != nil {
		return []model.Violation{{ID: model.I8, Detail: "cannot walk the image: " + err.Error()}}
	}
	return model.CheckHygiene(files, model.HygieneRule{Plaintext: e.cfg.Plaintext}, model.ValuesOf(e.s0))
}

// sums returns the SHA-256 of every regular file below dir.
func sums(dir string) (map[string][32]byte, error) {
	out := map[string][32]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = sha256.Sum256(b)
		return nil
	})
	return out, err
}

// perms returns the permission bits of every path below dir ("." is dir).
func perms(dir string) (map[string]os.FileMode, error) {
	out := map[string]os.FileMode{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = info.Mode().Perm()
		return nil
	})
	return out, err
}

// hashTree fingerprints a directory: every path, mode and content, a
// symlink's target and which names are hard links of one file.
func hashTree(dir string) (string, error) {
	h := sha256.New()
	links := linkGroups{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%s\x00%o\x00", strings.ReplaceAll(rel, "\x00", ""), info.Mode())
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "-> %s\x00", target)
			return nil
		}
		if first, ok := links.seen(info, rel); ok && d.Type().IsRegular() {
			fmt.Fprintf(h, "= %s\x00", first)
			return nil
		}
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fmt.Fprintf(h, "%d\x00", len(b))
			h.Write(b)
		}
		return nil
	})
	return hex.EncodeToString(h.Sum(nil)), err
}
