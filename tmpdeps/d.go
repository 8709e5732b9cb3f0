package tmpdeps
import (
 _ "pgregory.net/rapid"
 _ "github.com/stretchr/testify/require"
 _ "github.com/spf13/afero"
 _ "golang.org/x/sync/errgroup"
 _ "github.com/spf13/cobra"
 _ "gopkg.in/yaml.v3"
 _ "github.com/gofrs/flock"
 _ "github.com/anishathalye/porcupine"
)
