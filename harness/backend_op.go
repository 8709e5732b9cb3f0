package harness

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"sync"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/impl/secrets"
	"github.com/scopemig/scopemig/model"
)

// Op-level targets (Target.OpLevelOnly) keep their store outside the
// afero.Fs the harness passes to Open: a store on the os package, a remote
// service. opBackend runs them through the same engine as fsBackend:
//
//   - a process is a faults.FS on the disk (the flag lives there) and the
//     target's provider wrapped by opfaults.NewProvider; one clock numbers
//     the provider calls and the filesystem operations as one sequence and
//     asks the injector about each, and a crash at either takes both down
//     (process mode). Crashing before operation k+1 is crashing after
//     operation k, so the engine's crash points (before each operation,
//     and after the last) are exactly the distinct ones;
//   - the harness cannot clone, image or inspect the store, so the disk
//     also records the store's content (settle: read through a restarted
//     provider, the durable truth, into opStoreFile) and every process
//     started on a disk first resets the store to that record (through
//     the provider: list, delete what must go, write what is missing; see
//     resetExternal). Cloning a disk, imaging it and keying the verdict
//     memo by its content then work as on fsBackend;
//   - nothing is claimed about power loss, torn writes or files: the only
//     crash mode is process, I6 reads "an operation that returned is
//     visible after a restart", and the checks that need the store's files
//     (I4's file-set comparison, I8's plaintext scan and permissions) and
//     the concurrency phase are reported as skipped phases with zero cases.
//
// A target's Open must tolerate being called again while providers of
// earlier (crashed) processes still exist: the harness never closes them.
// Verify runs an op-level target on one worker (one external store).
type opBackend struct{ t Target }

// opStoreFile is where a disk of an op-level target records the store's
// content (opBackend.settle); the target never needs to look there.
const opStoreFile = "/.scopemig-oplevel/store"

// Names of the phases an op-level target cannot run, reported with zero
// cases so that nobody mistakes them for passed.
const (
	skippedFileSet     = "I4 file set (skipped: op-level target)"
	skippedHygiene     = "I8 hygiene (skipped: op-level target)"
	skippedConcurrency = "concurrency (skipped: op-level target)"
)

func (b opBackend) start(ctx context.Context, d *faults.MemFS, inj faults.Injector) (*process, error) {
	if inj == nil {
		inj = faults.None{}
	}
	clock := &opClock{inner: inj}
	pr := &process{fs: faults.NewFS(d, clock), clock: clock}
	p, err := openProvider(b.t, pr.fs)
	if err != nil {
		return pr, err
	}
	want, ok, err := readOpStore(d)
	if err != nil {
		return pr, err
	}
	if ok {
		if err := resetExternal(ctx, p, want); err != nil {
			return pr, err
		}
	}
	w := opfaults.NewProvider(p, clock)
	clock.link(pr.fs, w)
	pr.p = w.Provider()
	return pr, nil
}

func (opBackend) fill(ctx context.Context, p secrets.Provider, m map[string]string) error {
	return resetExternal(ctx, p, m)
}

// settle reads the store through a restarted provider (what survived the
// processes on d) into d's record. When the store cannot be read the
// record is removed: the next process then sees the store as it is, and
// the engine's restart reports it unreadable.
func (b opBackend) settle(ctx context.Context, d *faults.MemFS) {
	p, err := openProvider(b.t, faults.NewFS(d, nil))
	var m map[string]string
	if err == nil {
		m, err = dump(ctx, p)
	}
	if err == nil {
		err = writeOpStore(d, m)
	}
	if err != nil {
		_ = d.Remove(opStoreFile)
	}
}

func (opBackend) seeded(d *faults.MemFS, m map[string]string) error { return writeOpStore(d, m) }
func (opBackend) onDisk() bool                                      { return false }
func (opBackend) lossMode() faults.Mode                             { return faults.Process }

// opClock is the faults.Injector of one op-level process: its FS and its
// opfaults.Provider both ask it, and it numbers their operations as one
// sequence before asking the plan. When the plan crashes the process at
// either, it crashes the other too (process mode): an op-level provider
// keeps no state on that filesystem, so crashing it when the operation is
// decided (rather than after a crash-after call returns) makes no
// difference to what survives.
type opClock struct {
	inner faults.Injector

	mu     sync.Mutex         // guards the fields below
	n      int                // operations numbered
	writes int                // of which mutating
	fs     *faults.FS         // the process's filesystem, once linked
	w      *opfaults.Provider // the process's provider, once linked
}

var _ faults.Injector = (*opClock)(nil)

// link sets the two sides of the process.
func (c *opClock) link(fs *faults.FS, w *opfaults.Provider) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.fs, c.w = fs, w
}

func (c *opClock) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func (c *opClock) mutations() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// Inject implements faults.Injector: op gets the next index of the
// process, then the plan decides.
func (c *opClock) Inject(op faults.Op) faults.Action {
	c.mu.Lock()
	op.Index = c.n
	c.n++
	if mutating(op.Kind) {
		c.writes++
	}
	fs, w := c.fs, c.w
	c.mu.Unlock()
	a := c.inner.Inject(op)
	if a.Kind == faults.Crash {
		if isCall(op.Kind) && fs != nil {
			fs.Crash(faults.Process, 0) // the provider crashes itself
		} else if !isCall(op.Kind) && w != nil {
			w.Crash() // the filesystem crashes itself
		}
	}
	return a
}

// String implements faults.Injector.
func (c *opClock) String() string { return c.inner.String() }

// isCall reports whether k is a provider call.
func isCall(k faults.OpKind) bool { return k >= faults.OpGetSecret }

// mutating reports whether an operation of kind k may change the state: a
// filesystem operation (FS counts only those) or a provider call that
// writes.
func mutating(k faults.OpKind) bool {
	switch k {
	case faults.OpGetSecret, faults.OpListSecrets, faults.OpCapabilities:
		return false
	}
	return true
}

// writeOpStore records m on d, durably (synced file and directory).
func writeOpStore(d *faults.MemFS, m map[string]string) error {
	dir := path.Dir(opStoreFile)
	if err := d.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	var b []byte
	for _, k := range sortedKeys(m) {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(m[k])))
		b = append(b, m[k]...)
	}
	f, err := d.OpenFile(opStoreFile, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	df, err := d.Open(dir)
	if err != nil {
		return err
	}
	defer func() { _ = df.Close() }()
	return df.Sync()
}

// errOpStore reports a record that does not decode.
var errOpStore = errors.New("corrupt op-level store record")

// readOpStore returns the store content recorded on d; ok is false when
// there is no record.
func readOpStore(d *faults.MemFS) (map[string]string, bool, error) {
	b, err := afero.ReadFile(d, opStoreFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	m := map[string]string{}
	next := func() (string, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || uint64(len(b)-w) < n {
			return "", errOpStore
		}
		s := string(b[w : w+int(n)])
		b = b[w+int(n):]
		return s, nil
	}
	for len(b) > 0 {
		k, err := next()
		if err != nil {
			return nil, false, err
		}
		v, err := next()
		if err != nil {
			return nil, false, err
		}
		m[k] = v
	}
	return m, true, nil
}

// errNotReset reports an op-level store that does not hold what the
// harness reset it to through its own provider: the store ignored a write
// or a delete it acknowledged, a violation (I7), not a target error.
var errNotReset = errors.New("the store does not hold what it was reset to")

// resetExternal makes the store behind p (an op-level store, which the
// harness cannot replace by a fresh disk) hold exactly want: one Update
// when p is an Updater, else one DeleteSecrets of the keys want lacks and
// one SetSecret per missing or different value. It reads the store back
// and fails when it does not hold want.
func resetExternal(ctx context.Context, p secrets.Provider, want map[string]string) error {
	cur, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store to reset it: %w", err)
	}
	if maps.Equal(cur, want) {
		return nil
	}
	if err := applyReset(ctx, p, cur, want); err != nil {
		return err
	}
	got, err := dump(ctx, p)
	if err != nil {
		return fmt.Errorf("read the store after a reset: %w", err)
	}
	if !maps.Equal(got, want) {
		d := model.Diff(model.State{Secrets: want}, model.State{Secrets: got})
		return fmt.Errorf("%w: %s", errNotReset, d[0])
	}
	return nil
}

func applyReset(ctx context.Context, p secrets.Provider, cur, want map[string]string) error {
	if u, ok := p.(secrets.Updater); ok {
		return u.Update(ctx, func(m map[string]string) error {
			maps.DeleteFunc(m, func(k, _ string) bool { _, keep := want[k]; return !keep })
			maps.Copy(m, want)
			return nil
		})
	}
	var stale []string
	for _, k := range sortedKeys(cur) {
		if _, keep := want[k]; !keep {
			stale = append(stale, k)
		}
	}
	if len(stale) > 0 {
		if err := p.DeleteSecrets(ctx, stale); err != nil {
			return fmt.Errorf("reset: delete %d keys: %w", len(stale), err)
		}
	}
	for _, k := range sortedKeys(want) {
		if v, ok := cur[k]; ok && v == want[k] {
			continue
		}
		if err := p.SetSecret(ctx, k, want[k]); err != nil {
			return fmt.Errorf("reset: set %q: %w", k, err)
		}
	}
	return nil
}
