// Package fstest holds test helpers shared by the stores' tests.
package fstest

import (
	"os"
	"path/filepath"
)

// Tree maps every path under root (a real directory) to its mode and, for
// a regular file, its content: two equal Trees mean not one byte, mode or
// entry changed.
func Tree(root string) (map[string]string, error) {
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		v := fi.Mode().String()
		if fi.Mode().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += ":" + string(b)
		}
		out[p] = v
		return nil
	})
	return out, err
}
