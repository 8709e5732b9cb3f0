package secrets

import (
	"context"
	"errors"
)

// Sentinel errors. Callers test them with errors.Is; every provider wraps
// them with context using %w.
var (
	// ErrNotFound reports a missing key.
	ErrNotFound = errors.New("secret not found")
	// ErrReservedKeyName reports a user operation on a system (__thv_) key.
	ErrReservedKeyName = errors.New("reserved secret key name")
	// ErrReadOnly reports a write to a provider that cannot write.
	ErrReadOnly = errors.New("provider is read-only")
	// ErrInvalidName reports a key or scope that the scheme or store rejects.
	ErrInvalidName = errors.New("invalid secret name")
	// ErrInvalidScheme reports a Scheme that fails validation.
	ErrInvalidScheme = errors.New("invalid key scheme")
)

// SecretDescription describes one key returned by ListSecrets.
type SecretDescription struct {
	Key         string `json:"key"`
	Description string `json:"description,omitempty"`
}

// Capabilities tells which operations a provider supports.
type Capabilities struct {
	CanRead    bool `json:"can_read"`
	CanWrite   bool `json:"can_write"`
	CanDelete  bool `json:"can_delete"`
	CanList    bool `json:"can_list"`
	CanCleanup bool `json:"can_cleanup"`
}

// IsReadOnly reports whether the provider can neither write nor delete.
func (c Capabilities) IsReadOnly() bool { return !c.CanWrite && !c.CanDelete }

// Provider is the store contract, method for method ToolHive's
// secrets.Provider. A missing key is reported by an error that satisfies
// errors.Is(err, ErrNotFound).
type Provider interface {
	GetSecret(ctx context.Context, name string) (string, error)
	SetSecret(ctx context.Context, name, value string) error
	DeleteSecret(ctx context.Context, name string) error
	ListSecrets(ctx context.Context) ([]SecretDescription, error)
	DeleteSecrets(ctx context.Context, names []string) error
	Cleanup() error
	Capabilities() Capabilities
}

// Updater is implemented by providers that can run a locked
// read-modify-write of the whole store as one atomic transaction.
//
// Update reads the current content under the store's lock, calls fn with a
// private copy, and, if fn returns nil and changed the map, replaces the
// content atomically and durably before releasing the lock. If fn returns an
// error nothing is written and the error is returned (wrapped). If fn leaves
// the map unchanged, nothing is written.
type Updater interface {
	Update(ctx context.Context, fn func(secrets map[string]string) error) error
}

// Syncer is implemented by providers that can make every change they
// acknowledged durable again on demand (fsync the store and its directory).
// The migration Runner calls it before it sets the one-shot flag, so that
// the flag never vouches for data a failed sync left only in the page cache
// (an earlier run may have moved the data, then failed to sync it).
type Syncer interface {
	Sync(ctx context.Context) error
}
