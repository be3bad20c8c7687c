package snapshot

import (
	"fmt"
	"io"
	"sync/atomic"
)

// Op names an operation of an [FS] or of a file it opened, for [FaultyFS].
type Op uint8

// The operations a [FaultyFS] counts and can fail. OpAny matches every operation.
const (
	OpAny Op = iota
	OpCreate
	OpOpen
	OpSize
	OpRead
	OpWrite
	OpSync
	OpClose
	OpRename
	OpRemove
	OpRemoveAll
	OpMkdirAll
	OpReadDir
	OpSyncDir
	numOps
)

var opNames = [numOps]string{
	OpAny: "any", OpCreate: "create", OpOpen: "open", OpSize: "size", OpRead: "read",
	OpWrite: "write", OpSync: "sync", OpClose: "close", OpRename: "rename",
	OpRemove: "remove", OpRemoveAll: "removeall", OpMkdirAll: "mkdirall",
	OpReadDir: "readdir", OpSyncDir: "syncdir",
}

// String returns the operation's lower-case name.
func (op Op) String() string {
	if op < numOps {
		return opNames[op]
	}
	return fmt.Sprintf("Op(%d)", uint8(op))
}

// FaultyFS wraps an [FS], numbers every operation on it and on the files it
// opens, and fails chosen ones with an error matching [ErrInjected]. A failed
// operation does nothing, except Close, which still releases the file.
//
// Tests use the numbering to act at every step of a sequence: run it once to
// learn [FaultyFS.Count], then again failing, or crashing before, step k for
// every k. FaultyFS is safe for concurrent use; with concurrent callers the
// numbering follows the order in which calls arrive.
type FaultyFS struct {
	inner  FS
	faults []Fault
	before func(op Op, name string, seq int64)
	counts [numOps]atomic.Int64 // counts[OpAny] is the total
}

// Fault selects an operation to fail: the N-th (counting from 1) call of Op
// since the FaultyFS was made. With Op == OpAny, the N-th operation of any kind.
type Fault struct {
	Op Op
	N  int64
}

// FaultyOption configures a [FaultyFS].
type FaultyOption func(*FaultyFS)

// FailOn makes the FaultyFS fail the operations f selects.
func FailOn(f ...Fault) FaultyOption {
	return func(ffs *FaultyFS) { ffs.faults = append(ffs.faults, f...) }
}

// BeforeOp makes the FaultyFS call hook before every operation, with the
// operation, the name it acts on, and its sequence number among all operations
// (counting from 1). A hook that calls [MemFS.CrashClone] on the inner
// filesystem captures the disk as a crash just before that operation would leave it.
func BeforeOp(hook func(op Op, name string, seq int64)) FaultyOption {
	return func(ffs *FaultyFS) { ffs.before = hook }
}

// NewFaultyFS returns a FaultyFS wrapping inner.
func NewFaultyFS(inner FS, opts ...FaultyOption) *FaultyFS {
	ffs := &FaultyFS{inner: inner}
	for _, opt := range opts {
		opt(ffs)
	}
	return ffs
}

// Count returns how many calls of op have been made; Count(OpAny) is the total.
func (ffs *FaultyFS) Count(op Op) int64 {
	if op >= numOps {
		return 0
	}
	return ffs.counts[op].Load()
}

// step numbers one operation, runs the hook and returns the injected error, if any.
func (ffs *FaultyFS) step(op Op, name string) error {
	n := ffs.counts[op].Add(1)
	seq := ffs.counts[OpAny].Add(1)
	if ffs.before != nil {
		ffs.before(op, name, seq)
	}
	for _, f := range ffs.faults {
		if (f.Op == op && f.N == n) || (f.Op == OpAny && f.N == seq) {
			return fmt.Errorf("%s %s (operation %d): %w", op, name, seq, ErrInjected)
		}
	}
	return nil
}

// Create implements [FS].
func (ffs *FaultyFS) Create(name string) (File, error) {
	if err := ffs.step(OpCreate, name); err != nil {
		return nil, err
	}
	f, err := ffs.inner.Create(name)
	if err != nil {
		return nil, err
	}
	return &faultyFile{fs: ffs, name: name, inner: f}, nil
}

// Open implements [FS].
func (ffs *FaultyFS) Open(name string) (io.ReadCloser, error) {
	if err := ffs.step(OpOpen, name); err != nil {
		return nil, err
	}
	r, err := ffs.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return &faultyReader{fs: ffs, name: name, inner: r}, nil
}

// Size implements [FS].
func (ffs *FaultyFS) Size(name string) (int64, error) {
	if err := ffs.step(OpSize, name); err != nil {
		return 0, err
	}
	return ffs.inner.Size(name)
}

// Rename implements [FS].
func (ffs *FaultyFS) Rename(oldname, newname string) error {
	if err := ffs.step(OpRename, oldname); err != nil {
		return err
	}
	return ffs.inner.Rename(oldname, newname)
}

// Remove implements [FS].
func (ffs *FaultyFS) Remove(name string) error {
	if err := ffs.step(OpRemove, name); err != nil {
		return err
	}
	return ffs.inner.Remove(name)
}

// RemoveAll implements [FS].
func (ffs *FaultyFS) RemoveAll(name string) error {
	if err := ffs.step(OpRemoveAll, name); err != nil {
		return err
	}
	return ffs.inner.RemoveAll(name)
}

// MkdirAll implements [FS].
func (ffs *FaultyFS) MkdirAll(dir string) error {
	if err := ffs.step(OpMkdirAll, dir); err != nil {
		return err
	}
	return ffs.inner.MkdirAll(dir)
}

// ReadDir implements [FS].
func (ffs *FaultyFS) ReadDir(dir string) ([]string, error) {
	if err := ffs.step(OpReadDir, dir); err != nil {
		return nil, err
	}
	return ffs.inner.ReadDir(dir)
}

// SyncDir implements [FS].
func (ffs *FaultyFS) SyncDir(dir string) error {
	if err := ffs.step(OpSyncDir, dir); err != nil {
		return err
	}
	return ffs.inner.SyncDir(dir)
}

type faultyFile struct {
	fs    *FaultyFS
	name  string
	inner File
}

func (f *faultyFile) Write(p []byte) (int, error) {
	if err := f.fs.step(OpWrite, f.name); err != nil {
		return 0, err
	}
	return f.inner.Write(p)
}

func (f *faultyFile) Sync() error {
	if err := f.fs.step(OpSync, f.name); err != nil {
		return err
	}
	return f.inner.Sync()
}

func (f *faultyFile) Close() error {
	injected := f.fs.step(OpClose, f.name)
	if err := f.inner.Close(); injected == nil {
		return err
	}
	return injected
}

type faultyReader struct {
	fs    *FaultyFS
	name  string
	inner io.ReadCloser
}

func (r *faultyReader) Read(p []byte) (int, error) {
	if err := r.fs.step(OpRead, r.name); err != nil {
		return 0, err
	}
	return r.inner.Read(p)
}

func (r *faultyReader) Close() error {
	injected := r.fs.step(OpClose, r.name)
	if err := r.inner.Close(); injected == nil {
		return err
	}
	return injected
}
