package flinksim

import (
	"bufio"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileSink adds an exactly-once file sink named name, as Flink's FileSink
// in row format: every record is appended to the current part file as
// format(dst, v) returns it (format appends the record's bytes to dst,
// line ending included, and returns the extended slice).
//
// Every subtask writes its transactions as files in dir, which it creates
// if needed. A transaction's file is hidden while it is written
// (".NAME.inprogress") and once pre-committed at a checkpoint barrier
// (".NAME.pending"); it becomes visible, as NAME, when the checkpoint
// completes. NAME is "part-SINK-SUBTASK-UNIQUE-SEQ": SINK is the sink's
// name with every character outside [A-Za-z0-9_-] replaced by "_", UNIQUE
// is random per subtask instance, so that names never collide across
// restarts or processes, and SEQ numbers the instance's transactions. The
// visible files of dir (the names not starting with ".") therefore hold
// every record exactly once, whatever fails, once the job has finished.
//
// A transaction that receives no record makes no file. Without
// checkpointing one transaction spans the whole input and is committed at
// its end. A crash may leave hidden files of transactions that no
// checkpoint completed behind; they are never output.
func FileSink[T any](s Stream[T], name, dir string, format func(dst []byte, v T) []byte, opts ...OperatorOption) {
	if dir == "" {
		if env, err := consume(s, name, format == nil); err == nil && env != nil {
			env.addError(fmt.Errorf("%w: file sink %q needs a directory", ErrInvalidOperator, name))
		}
		return
	}
	var open func(rt *RuntimeContext) (TwoPhaseCommitSink[T, *fileTxn], error)
	if format != nil { // else SinkTwoPhase reports the nil function
		open = func(rt *RuntimeContext) (TwoPhaseCommitSink[T, *fileTxn], error) {
			return openFileSink(dir, name, rt.Subtask(), format)
		}
	}
	SinkTwoPhase(s, name, open, Codec[*fileTxn](fileTxnCodec{}), opts...)
}

// fileTxn is a transaction of FileSink: the base name of its file and
// whether the file was made (it is, lazily, at the first record). It is
// shared by pointer between the operator and the sink, so that the
// operator's checkpoints see HasFile.
type fileTxn struct {
	Name    string
	HasFile bool
	done    bool // pre-committed or aborted: takes no more records
}

func (t *fileTxn) inProgress() string { return "." + t.Name + ".inprogress" }
func (t *fileTxn) pending() string    { return "." + t.Name + ".pending" }

// fileTxnCodec encodes a fileTxn as a version byte (1), a flags byte (bit
// 0: HasFile), a uvarint length and the name. Decode accepts exactly what
// Append produces for a valid name, so a corrupt checkpoint cannot make
// the sink touch a file outside its directory.
type fileTxnCodec struct{}

const fileTxnVersion = 1

func (fileTxnCodec) Append(dst []byte, t *fileTxn) ([]byte, error) {
	var flags byte
	if t.HasFile {
		flags = 1
	}
	dst = append(dst, fileTxnVersion, flags)
	dst = binary.AppendUvarint(dst, uint64(len(t.Name)))
	return append(dst, t.Name...), nil
}

func (fileTxnCodec) Decode(src []byte) (*fileTxn, error) {
	if len(src) < 2 {
		return nil, fmt.Errorf("%w: file transaction of %d bytes", ErrDecode, len(src))
	}
	if src[0] != fileTxnVersion {
		return nil, fmt.Errorf("%w: file transaction version %d, want %d", ErrDecode, src[0], fileTxnVersion)
	}
	if src[1] > 1 {
		return nil, fmt.Errorf("%w: file transaction flags %#x", ErrDecode, src[1])
	}
	n, w := binary.Uvarint(src[2:])
	if w <= 0 || n != uint64(len(src)-2-w) {
		return nil, fmt.Errorf("%w: file transaction name length", ErrDecode)
	}
	name := string(src[2+w:])
	if err := checkPartName(name); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrDecode, err)
	}
	return &fileTxn{Name: name, HasFile: src[1] == 1}, nil
}

// maxPartName bounds part file names well below the usual 255-byte limit,
// leaving room for the hidden prefix and suffixes.
const maxPartName = 200

// checkPartName accepts the names FileSink makes: "part-" then
// [A-Za-z0-9_-], at most maxPartName bytes.
func checkPartName(name string) error {
	if !strings.HasPrefix(name, "part-") || len(name) > maxPartName {
		return fmt.Errorf("invalid part file name %q", name)
	}
	for i := 0; i < len(name); i++ {
		if !nameChar(name[i]) {
			return fmt.Errorf("invalid part file name %q", name)
		}
	}
	return nil
}

func nameChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-'
}

// sanitizeName maps name to [A-Za-z0-9_-]: every other byte becomes "_".
// It is cut to 64 bytes, and "sink" stands for an empty name.
func sanitizeName(name string) string {
	if name == "" {
		return "sink"
	}
	b := []byte(name)
	if len(b) > 64 {
		b = b[:64]
	}
	for i, c := range b {
		if !nameChar(c) {
			b[i] = '_'
		}
	}
	return string(b)
}

// fileSink is one subtask's FileSink. It writes one transaction's file at
// a time.
type fileSink[T any] struct {
	dir    string
	prefix string // "part-SINK-SUBTASK-UNIQUE-"
	seq    int64
	format func(dst []byte, v T) []byte
	buf    []byte

	cur *fileTxn // the transaction whose file is open, if any
	f   *os.File
	w   *bufio.Writer
}

func openFileSink[T any](dir, name string, subtask int, format func([]byte, T) []byte) (*fileSink[T], error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("file sink %q: %w", name, err)
	}
	var unique [8]byte
	if _, err := rand.Read(unique[:]); err != nil {
		return nil, fmt.Errorf("file sink %q: random name: %w", name, err)
	}
	prefix := fmt.Sprintf("part-%s-%d-%s-", sanitizeName(name), subtask, hex.EncodeToString(unique[:]))
	return &fileSink[T]{dir: dir, prefix: prefix, format: format}, nil
}

func (s *fileSink[T]) path(name string) string { return filepath.Join(s.dir, name) }

// BeginTransaction names a new transaction; its file is made by the first
// Write.
func (s *fileSink[T]) BeginTransaction() (*fileTxn, error) {
	s.seq++
	return &fileTxn{Name: fmt.Sprintf("%s%06d", s.prefix, s.seq)}, nil
}

// Write appends v to txn's file, creating it first if needed.
func (s *fileSink[T]) Write(txn *fileTxn, v T) error {
	if txn.done {
		return fmt.Errorf("file sink: write to transaction %s after its pre-commit or abort", txn.Name)
	}
	if s.cur != txn {
		if s.cur != nil {
			return fmt.Errorf("file sink: write to transaction %s while %s is open", txn.Name, s.cur.Name)
		}
		f, err := os.OpenFile(s.path(txn.inProgress()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return fmt.Errorf("file sink: create part file: %w", err)
		}
		s.cur, s.f, txn.HasFile = txn, f, true
		if s.w == nil {
			s.w = bufio.NewWriterSize(f, 64<<10)
		} else {
			s.w.Reset(f)
		}
	}
	s.buf = s.format(s.buf[:0], v)
	if _, err := s.w.Write(s.buf); err != nil {
		return fmt.Errorf("file sink: write %s: %w", s.f.Name(), err)
	}
	return nil
}

// PreCommit makes txn's file durable and renames it to its pending name.
func (s *fileSink[T]) PreCommit(txn *fileTxn) error {
	txn.done = true
	if !txn.HasFile {
		return nil
	}
	if s.cur != txn {
		return fmt.Errorf("file sink: pre-commit of transaction %s whose file is not open", txn.Name)
	}
	f := s.f
	s.cur, s.f = nil, nil
	err := s.w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("file sink: pre-commit %s: %w", f.Name(), err)
	}
	if err := os.Rename(s.path(txn.inProgress()), s.path(txn.pending())); err != nil {
		return fmt.Errorf("file sink: pre-commit: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("file sink: pre-commit %s: %w", txn.Name, err)
	}
	return nil
}

// Commit renames txn's pending file to its visible name. A transaction
// committed before, by any subtask or process, commits again as a no-op.
func (s *fileSink[T]) Commit(txn *fileTxn) error {
	if !txn.HasFile {
		return nil
	}
	err := os.Rename(s.path(txn.pending()), s.path(txn.Name))
	if errors.Is(err, fs.ErrNotExist) {
		if _, serr := os.Stat(s.path(txn.Name)); serr != nil {
			if errors.Is(serr, fs.ErrNotExist) {
				return fmt.Errorf("file sink: commit of %s: %w: neither its pending file %s nor the committed file exists in %s",
					txn.Name, ErrTransactionGone, txn.pending(), s.dir)
			}
			return fmt.Errorf("file sink: commit of %s: %w", txn.Name, serr)
		}
		err = nil // committed before
	}
	if err != nil {
		return fmt.Errorf("file sink: commit: %w", err)
	}
	// Also after an earlier commit: its process may have died before
	// making the rename durable.
	if err := syncDir(s.dir); err != nil {
		return fmt.Errorf("file sink: commit of %s: %w", txn.Name, err)
	}
	return nil
}

// Abort removes txn's in-progress or pending file, if any. A committed
// file is left alone.
func (s *fileSink[T]) Abort(txn *fileTxn) error {
	txn.done = true
	var errs []error
	if s.cur == txn {
		if err := s.f.Close(); err != nil {
			errs = append(errs, fmt.Errorf("file sink: abort %s: %w", txn.Name, err))
		}
		s.cur, s.f = nil, nil
		s.w.Reset(nil)
	}
	for _, name := range []string{txn.inProgress(), txn.pending()} {
		if err := os.Remove(s.path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("file sink: abort: %w", err))
		}
	}
	return errors.Join(errs...)
}

// syncDir makes the names in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}
