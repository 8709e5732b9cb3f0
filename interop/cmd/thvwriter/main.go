// Command thvwriter is one write by ToolHive's own code, in its own process,
// for the concurrency checks of docs/upstream.md:
//
//	thvwriter secret SECRETS_FILE SCOPE NAME   # value from THVWRITER_VALUE
//	thvwriter config CONFIG_FILE REGISTRY_URL
//
// "secret" is secrets.NewScopedProvider(NewEncryptedManager(...), SCOPE)
// .SetSecret(NAME, value), as pkg/auth/tokensource persists a rotated
// refresh token (password from TOOLHIVE_SECRETS_PASSWORD). "config" is
// config.UpdateConfigAtPath setting registry_url. Exit 0 when written.
package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	thconfig "github.com/stacklok/toolhive/pkg/config"
	thsecrets "github.com/stacklok/toolhive/pkg/secrets"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "thvwriter:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	switch {
	case len(args) == 4 && args[0] == "secret":
		key := sha256.Sum256([]byte(os.Getenv("TOOLHIVE_SECRETS_PASSWORD")))
		p, err := thsecrets.NewEncryptedManager(args[1], key[:])
		if err != nil {
			return err
		}
		return thsecrets.NewScopedProvider(p, thsecrets.SecretScope(args[2])).SetSecret(context.Background(), args[3], os.Getenv("THVWRITER_VALUE"))
	case len(args) == 3 && args[0] == "config":
		return thconfig.UpdateConfigAtPath(args[1], func(c *thconfig.Config) error {
			c.RegistryUrl = args[2]
			return nil
		})
	}
	return errors.New("usage: thvwriter secret SECRETS_FILE SCOPE NAME | thvwriter config CONFIG_FILE REGISTRY_URL")
}
