package mutants

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/harness"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// bufferedClient is the client of an op-level store: a service (svc) that
// outlives every simulated process, like a remote secrets manager. Its
// flaw: DeleteSecret is acknowledged at once but only sent with the next
// write call, so a process that dies in between loses a delete it
// reported done. Reads see the buffered deletes (the flaw is durability
// only). It hides svc's Update, so the Runner migrates key by key.
type bufferedClient struct {
	svc *secrets.Memory

	mu      sync.Mutex // guards pending and orders calls
	pending []string   // deletes acknowledged but not sent
}

var _ secrets.Provider = (*bufferedClient)(nil)

// flushLocked sends the buffered deletes. Caller holds mu.
func (c *bufferedClient) flushLocked(ctx context.Context) error {
	if len(c.pending) == 0 {
		return nil
	}
	if err := c.svc.DeleteSecrets(ctx, c.pending); err != nil {
		return err
	}
	c.pending = nil
	return nil
}

func (c *bufferedClient) GetSecret(ctx context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.Contains(c.pending, name) {
		return "", fmt.Errorf("get %q: %w", name, secrets.ErrNotFound)
	}
	return c.svc.GetSecret(ctx, name)
}

func (c *bufferedClient) SetSecret(ctx context.Context, name, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flushLocked(ctx); err != nil {
		return err
	}
	return c.svc.SetSecret(ctx, name, value)
}

func (c *bufferedClient) DeleteSecret(ctx context.Context, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if slices.Contains(c.pending, name) {
		return fmt.Errorf("delete %q: %w", name, secrets.ErrNotFound)
	}
	if _, err := c.svc.GetSecret(ctx, name); err != nil {
		return err
	}
	c.pending = append(c.pending, name)
	return nil
}

func (c *bufferedClient) ListSecrets(ctx context.Context) ([]secrets.SecretDescription, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	all, err := c.svc.ListSecrets(ctx)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(d secrets.SecretDescription) bool { return slices.Contains(c.pending, d.Key) }), nil
}

func (c *bufferedClient) DeleteSecrets(ctx context.Context, names []string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.flushLocked(ctx); err != nil {
		return err
	}
	return c.svc.DeleteSecrets(ctx, names)
}

func (c *bufferedClient) Cleanup() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.pending = nil
	return c.svc.Cleanup()
}

func (c *bufferedClient) Capabilities() secrets.Capabilities { return c.svc.Capabilities() }

// opLevelMutants are stores that do not live on the harness's afero.Fs,
// verified with op-level faults only. Each Target owns its service: run
// one Verify at a time on it.
func opLevelMutants() []Mutant {
	svc := secrets.NewMemory(nil)
	return []Mutant{{
		Name:        "oplevel-buffered-delete",
		Description: "an op-level (remote) store that acknowledges DeleteSecret before sending it",
		Expect:      []model.InvariantID{model.I6, model.I3},
		Target: harness.Target{
			Name:        "mutant:oplevel-buffered-delete",
			OpLevelOnly: true,
			Open: func(afero.Fs) (secrets.Provider, error) {
				return &bufferedClient{svc: svc}, nil
			},
		},
	}}
}
