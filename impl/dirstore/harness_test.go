package dirstore_test

import (
	"testing"

	"github.com/scopemig/scopemig/harness"
)

func TestHarness(t *testing.T) {
	for _, target := range harness.Targets() {
		if target.Name == "dirstore" {
			harness.Run(t, target)
			return
		}
	}
	t.Fatal("no built-in dirstore target")
}
