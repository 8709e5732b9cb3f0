// Package envstore is ToolHive's read-only environment provider: secret
// <name> is the environment variable TOOLHIVE_SECRET_<name>.
//
// As in ToolHive, a variable that is unset or set to the empty string is
// not found, listing is refused (it would expose the environment), writes
// fail, and Cleanup is a no-op. The environment is injected (New); FromOS
// reads the process environment.
package envstore
