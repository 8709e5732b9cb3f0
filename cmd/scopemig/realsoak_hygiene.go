package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/scopemig/scopemig/model"
)

// scanRealImage (I8) scans the files a killed child left, before anything
// reopens the store (opening removes stale temp files, and the evidence
// with them): no file in dataDir or configDir holds a value of the given
// states in plaintext (values of at least 12 bytes, so that ciphertext
// cannot match by chance); every file in dataDir is 0600 and dataDir
// 0700. Violations are lines, values never printed.
func scanRealImage(dataDir, configDir string, states ...model.State) []string {
	var vals [][]byte
	for _, s := range states {
		for _, v := range s.Secrets {
			if len(v) >= 12 {
				vals = append(vals, []byte(v))
			}
		}
	}
	var out []string
	if fi, err := os.Stat(dataDir); err == nil && fi.Mode().Perm() != 0o700 {
		out = append(out, fmt.Sprintf("I8 data directory has mode %v", fi.Mode().Perm()))
	}
	for _, dir := range []string{dataDir, configDir} {
		ents, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return append(out, fmt.Sprintf("I8 cannot list %s: %v", dir, err))
		}
		for _, e := range ents {
			if !e.Type().IsRegular() {
				continue
			}
			p := filepath.Join(dir, e.Name())
			if fi, err := e.Info(); err == nil && dir == dataDir && fi.Mode().Perm() != 0o600 {
				out = append(out, fmt.Sprintf("I8 %s has mode %v", e.Name(), fi.Mode().Perm()))
			}
			b, err := os.ReadFile(p)
			if err != nil {
				if errors.Is(err, os.ErrNotExist) {
					continue
				}
				out = append(out, fmt.Sprintf("I8 cannot read %s: %v", e.Name(), err))
				continue
			}
			for _, v := range vals {
				if bytes.Contains(b, v) {
					out = append(out, fmt.Sprintf("I8 %s holds a secret value in plaintext", e.Name()))
					break
				}
			}
		}
	}
	return out
}
