package harness

import (
	"context"
	"encoding/binary"
	"errors"
	"io/fs"
	"os"
	"path"

	"github.com/spf13/afero"

	"github.com/scopemig/scopemig/faults"
	"github.com/scopemig/scopemig/faults/opfaults"
	"github.com/scopemig/scopemig/impl/secrets"
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
