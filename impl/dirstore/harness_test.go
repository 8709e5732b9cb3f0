package dirstore_test

import (
	"testing"

	"github.com/scopemig/scopemig/harness"
)

func TestHarness(t *testing.T) {
	harness.Run(t, harness.DirstoreTarget())
}
