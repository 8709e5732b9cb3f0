package secrets_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// module is this module's path.
const module = "github.com/scopemig/scopemig"

// The product packages (impl/...) take nothing from the proof machine:
// none of them depends, directly or through another package, on a package
// of this module outside impl/ (harness, faults, model, internal/...: the
// simulation's code). What a simulation needs from a product package it
// passes through that package's documented API (options such as
// encfile.WithCache or dirstore.WithRand) or by wrapping its afero.Fs or
// its Provider from outside. Test files may import anything.
func TestProductDependsOnNoHarnessPackage(t *testing.T) {
	goBin, err := exec.LookPath("go")
	require.NoError(t, err, "the go command runs this check")
	out, err := exec.Command(goBin, "list", "-deps", "-f", "{{.ImportPath}}", module+"/impl/...").CombinedOutput()
	require.NoError(t, err, "go list: %s", out)
	var product, foreign []string
	for _, p := range strings.Fields(string(out)) {
		switch {
		case p == module+"/impl" || strings.HasPrefix(p, module+"/impl/"):
			product = append(product, p)
		case p == module || strings.HasPrefix(p, module+"/"):
			foreign = append(foreign, p)
		}
	}
	require.NotEmpty(t, product, "go list found the product packages")
	require.Contains(t, product, module+"/impl/encfile")
	require.Empty(t, foreign, "product packages depend on packages outside impl/")
}
