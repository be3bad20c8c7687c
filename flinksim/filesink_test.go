package flinksim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fileSinkRecords and fileSinkKeys size the test job: fileSinkRecords
// records with keys i % fileSinkKeys, counted per key.
const (
	fileSinkRecords = 4000
	fileSinkKeys    = 17
)

// fileSinkJob builds: paced generator → keyBy → running count per key in
// ValueState → FileSink writing "key<TAB>count" lines into dir.
func fileSinkJob(env *Environment, dir string) {
	src := Generate(env, "numbers", fileSinkRecords, func(i int64) (int, error) {
		if i%200 == 199 {
			time.Sleep(time.Millisecond) // pace the job so that it takes a few checkpoints
		}
		return int(i % fileSinkKeys), nil
	})
	counts := Process(KeyBy(src, func(k int) int { return k }), "count",
		func(rt *KeyedRuntimeContext[int]) (KeyedProcessFunction[int, int, [2]int64], error) {
			c := NewValueState[int64](rt, "c")
			return ProcessFunc[int, int, [2]int64](func(_ *KeyedContext[int], k int, out Collector[[2]int64]) error {
				n, _ := c.Value()
				n++
				c.Update(n)
				out.Collect([2]int64{int64(k), n})
				return nil
			}), nil
		})
	FileSink(counts, "out file", dir, func(dst []byte, v [2]int64) []byte {
		dst = strconv.AppendInt(dst, v[0], 10)
		dst = append(dst, '\t')
		dst = strconv.AppendInt(dst, v[1], 10)
		return append(dst, '\n')
	})
}

// fileSinkWant is the committed output of fileSinkJob on every run: per
// key, the counts 1 to the key's number of records, sorted.
func fileSinkWant() []string {
	n := make([]int, fileSinkKeys)
	var lines []string
	for i := range fileSinkRecords {
		k := i % fileSinkKeys
		n[k]++
		lines = append(lines, fmt.Sprintf("%d\t%d", k, n[k]))
	}
	slices.Sort(lines)
	return lines
}

var partFileName = regexp.MustCompile(`^part-out_file-[0-9]+-[0-9a-f]{16}-[0-9]{6,}$`)

// readCommitted returns the lines of the visible files of dir, sorted,
// and the names of its hidden files. Every visible file must be a part
// file; every hidden one an in-progress or pending part file.
func readCommitted(t *testing.T, dir string) (lines, hidden []string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			base, ok := strings.CutSuffix(strings.TrimPrefix(name, "."), ".inprogress")
			if !ok {
				base, ok = strings.CutSuffix(strings.TrimPrefix(name, "."), ".pending")
			}
			assert.True(t, ok && partFileName.MatchString(base), "hidden file %q", name)
			hidden = append(hidden, name)
			continue
		}
		assert.Regexp(t, partFileName, name)
		data, err := os.ReadFile(filepath.Join(dir, name))
		require.NoError(t, err)
		assert.NotEmpty(t, data, "committed file %s is empty", name)
		assert.True(t, strings.HasSuffix(string(data), "\n"), "committed file %s ends inside a line", name)
		lines = append(lines, strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")...)
	}
	slices.Sort(lines)
	return lines, hidden
}

func TestFileSinkExactlyOnce(t *testing.T) {
	want := fileSinkWant()
	for p := 1; p <= 3; p++ {
		for _, mode := range []string{"no-checkpoints", "checkpoints", "checkpoints-sim"} {
			t.Run(fmt.Sprintf("p=%d/%s", p, mode), func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "out", "nested")
				opts := []Option{WithParallelism(p), WithBatchSize(16)}
				if mode != "no-checkpoints" {
					opts = append(opts, WithCheckpointing(CheckpointConfig{Interval: time.Millisecond}))
				}
				if mode == "checkpoints-sim" {
					opts = append(opts, WithSimulation(uint64(p), nil))
				}
				env := NewEnvironment(opts...)
				fileSinkJob(env, dir)
				res, err := env.Execute(context.Background(), "filesink")
				require.NoError(t, err)
				got, hidden := readCommitted(t, dir)
				assert.Equal(t, want, got)
				assert.Empty(t, hidden, "a finished failure-free job leaves no hidden files")
				t.Logf("%d checkpoints", res.Checkpoints.NumberOfCompletedCheckpoints)
			})
		}
	}
}

func TestFileSinkExactlyOnceWithFaults(t *testing.T) {
	want := fileSinkWant()
	for _, f := range []Fault{
		{Operator: "count", Subtask: 1, Point: FaultRecord, After: 1500},
		{Operator: "count", Subtask: 0, Point: FaultRecord, After: 300},
		{Operator: "out file", Subtask: 1, Point: FaultSnapshot, After: 3},
		{Operator: "out file", Subtask: 0, Point: FaultCommit, After: 2},
		{Operator: "out file", Subtask: 1, Point: FaultRestore},
	} {
		for _, sim := range []bool{false, true} {
			t.Run(fmt.Sprintf("%v/sim=%v", f, sim), func(t *testing.T) {
				dir := t.TempDir()
				faults := NewFaultInjector(f)
				// A restore fault needs a restore: a first fault makes one.
				if f.Point == FaultRestore {
					faults = NewFaultInjector(Fault{Operator: "count", Subtask: 0, Point: FaultRecord, After: 1000}, f)
				}
				opts := []Option{
					WithParallelism(2), WithBatchSize(16),
					WithCheckpointing(CheckpointConfig{Interval: time.Millisecond}),
					WithRestartStrategy(FixedDelayRestart(3, 0)),
					WithFaults(faults),
				}
				if sim {
					opts = append(opts, WithSimulation(11, nil))
				}
				env := NewEnvironment(opts...)
				fileSinkJob(env, dir)
				res, err := env.Execute(context.Background(), "filesink")
				require.NoError(t, err)
				assert.Equal(t, len(faults.faults), faults.Struck(), "every fault struck")
				assert.Equal(t, int64(len(faults.faults)), res.Restarts)
				got, hidden := readCommitted(t, dir)
				assert.Equal(t, want, got)
				t.Logf("%d checkpoints, %d hidden files left", res.Checkpoints.NumberOfCompletedCheckpoints, len(hidden))
			})
		}
	}
}

// A job that fails for good leaves hidden files of its open and
// pre-committed transactions; they are not output, and what is visible is
// committed output: no record twice, every count of a key a prefix 1..n.
func TestFileSinkHiddenFilesAreNotOutput(t *testing.T) {
	dir := t.TempDir()
	env := NewEnvironment(WithParallelism(2), WithBatchSize(16),
		WithCheckpointing(CheckpointConfig{Interval: time.Millisecond}),
		WithRestartStrategy(NoRestart()),
		WithFaults(NewFaultInjector(Fault{Operator: "out file", Subtask: 0, Point: FaultCommit, After: 3})))
	fileSinkJob(env, dir)
	_, err := env.Execute(context.Background(), "filesink")
	require.ErrorIs(t, err, ErrInjected)
	got, hidden := readCommitted(t, dir)
	require.NotEmpty(t, hidden, "the failed job leaves pending files")
	assert.Less(t, len(got), fileSinkRecords)
	counts := map[string][]int{}
	for _, l := range got {
		k, n, ok := strings.Cut(l, "\t")
		require.True(t, ok, l)
		v, err := strconv.Atoi(n)
		require.NoError(t, err)
		counts[k] = append(counts[k], v)
	}
	for k, ns := range counts {
		slices.Sort(ns)
		for i, n := range ns {
			require.Equal(t, i+1, n, "key %s: counts %v", k, ns)
		}
	}
}

func TestFileSinkInvalid(t *testing.T) {
	format := func(dst []byte, s string) []byte { return append(dst, s...) }
	for name, build := range map[string]func(s Stream[string]){
		"nil format": func(s Stream[string]) { FileSink(s, "out", t.TempDir(), nil) },
		"empty dir":  func(s Stream[string]) { FileSink(s, "out", "", format) },
	} {
		env := NewEnvironment(WithParallelism(1))
		build(FromSlice(env, "src", []string{"a"}))
		_, err := env.Execute(context.Background(), "invalid")
		assert.ErrorIs(t, err, ErrInvalidOperator, name)
	}
	// A directory that cannot be made fails the job with a clear error.
	file := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(file, nil, 0o600))
	env := NewEnvironment(WithParallelism(1))
	FileSink(FromSlice(env, "src", []string{"a"}), "out", filepath.Join(file, "dir"), format)
	_, err := env.Execute(context.Background(), "bad dir")
	var oe *OperatorError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "out", oe.Operator)
	assert.Contains(t, err.Error(), `file sink "out"`)
}

func TestFileSinkNoRecordsNoFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	env := NewEnvironment(WithParallelism(2), WithCheckpointing(CheckpointConfig{Interval: time.Millisecond}))
	FileSink(FromSlice(env, "src", []string{}), "out", dir, func(dst []byte, s string) []byte { return append(dst, s...) })
	_, err := env.Execute(context.Background(), "empty")
	require.NoError(t, err)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err, "the directory is made at open")
	assert.Empty(t, entries)
}

// newTestFileSink opens a sink of strings in dir, named like the sink of
// fileSinkJob.
func newTestFileSink(t *testing.T, dir string, subtask int) *fileSink[string] {
	t.Helper()
	s, err := openFileSink(dir, "out file", subtask, func(dst []byte, v string) []byte { return append(append(dst, v...), '\n') })
	require.NoError(t, err)
	return s
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestFileSinkTransactionLifecycle(t *testing.T) {
	dir := t.TempDir()
	s := newTestFileSink(t, dir, 3)
	txn, err := s.BeginTransaction()
	require.NoError(t, err)
	assert.Regexp(t, partFileName, txn.Name)
	assert.Contains(t, txn.Name, "part-out_file-3-")
	assert.Empty(t, dirNames(t, dir), "the file is made lazily")

	require.NoError(t, s.Write(txn, "a"))
	require.NoError(t, s.Write(txn, "b"))
	assert.True(t, txn.HasFile)
	assert.Equal(t, []string{txn.inProgress()}, dirNames(t, dir))

	// Another transaction cannot be written while one is open.
	other, err := s.BeginTransaction()
	require.NoError(t, err)
	assert.NotEqual(t, txn.Name, other.Name)
	assert.Error(t, s.Write(other, "x"))

	require.NoError(t, s.PreCommit(txn))
	assert.Equal(t, []string{txn.pending()}, dirNames(t, dir))
	assert.Error(t, s.Write(txn, "c"), "no writes after the pre-commit")

	require.NoError(t, s.Commit(txn))
	assert.Equal(t, []string{txn.Name}, dirNames(t, dir))
	data, err := os.ReadFile(filepath.Join(dir, txn.Name))
	require.NoError(t, err)
	assert.Equal(t, "a\nb\n", string(data))

	// An empty transaction makes no file at all.
	empty, err := s.BeginTransaction()
	require.NoError(t, err)
	require.NoError(t, s.PreCommit(empty))
	require.NoError(t, s.Commit(empty))
	require.NoError(t, s.Abort(empty))
	assert.Equal(t, []string{txn.Name}, dirNames(t, dir))
}

func TestFileSinkCommitIdempotent(t *testing.T) {
	dir := t.TempDir()
	s := newTestFileSink(t, dir, 0)
	txn, _ := s.BeginTransaction()
	require.NoError(t, s.Write(txn, "x"))
	require.NoError(t, s.PreCommit(txn))
	require.NoError(t, s.Commit(txn))
	require.NoError(t, s.Commit(txn), "a second commit is a no-op")

	// The transaction as restored from a checkpoint, committed by another
	// subtask of another process.
	restored, err := fileTxnCodec{}.Decode(mustAppend(t, Codec[*fileTxn](fileTxnCodec{}), txn))
	require.NoError(t, err)
	require.NoError(t, newTestFileSink(t, dir, 1).Commit(restored))
	assert.Equal(t, []string{txn.Name}, dirNames(t, dir))

	// A pending transaction restored elsewhere commits there.
	txn2, _ := s.BeginTransaction()
	require.NoError(t, s.Write(txn2, "y"))
	require.NoError(t, s.PreCommit(txn2))
	restored2, err := fileTxnCodec{}.Decode(mustAppend(t, Codec[*fileTxn](fileTxnCodec{}), txn2))
	require.NoError(t, err)
	require.NoError(t, newTestFileSink(t, dir, 1).Commit(restored2))
	require.NoError(t, s.Commit(txn2))
	assert.ElementsMatch(t, []string{txn.Name, txn2.Name}, dirNames(t, dir))

	// Both files gone: the output was lost, which Commit must not hide; it
	// says the transaction is gone, so a restore logs it and goes on.
	require.NoError(t, os.Remove(filepath.Join(dir, txn.Name)))
	err = s.Commit(txn)
	require.ErrorIs(t, err, ErrTransactionGone)
	assert.Contains(t, err.Error(), txn.Name)
	assert.Contains(t, err.Error(), txn.pending())

	// A transaction that never had its files is an error, not a success.
	err = newTestFileSink(t, dir, 0).Commit(&fileTxn{Name: "part-x-0-0000000000000000-000001", HasFile: true})
	assert.Error(t, err)
}

func TestFileSinkAbortIdempotent(t *testing.T) {
	dir := t.TempDir()
	s := newTestFileSink(t, dir, 0)

	// Abort of the open transaction closes and removes its file.
	open, _ := s.BeginTransaction()
	require.NoError(t, s.Write(open, "x"))
	require.NoError(t, s.Abort(open))
	require.NoError(t, s.Abort(open))
	assert.Empty(t, dirNames(t, dir))
	assert.Error(t, s.Write(open, "y"), "no writes after the abort")

	// The sink goes on with a new transaction.
	pending, _ := s.BeginTransaction()
	require.NoError(t, s.Write(pending, "p"))
	require.NoError(t, s.PreCommit(pending))
	committed, _ := s.BeginTransaction()
	require.NoError(t, s.Write(committed, "c"))
	require.NoError(t, s.PreCommit(committed))
	require.NoError(t, s.Commit(committed))

	// Abort of a pending transaction, from another sink, twice.
	other := newTestFileSink(t, dir, 1)
	require.NoError(t, other.Abort(&fileTxn{Name: pending.Name}), "HasFile false: the file is removed all the same")
	require.NoError(t, other.Abort(pending))
	// Abort of an in-progress file of a dead process.
	dead, _ := other.BeginTransaction()
	require.NoError(t, os.WriteFile(filepath.Join(dir, dead.inProgress()), []byte("z\n"), 0o644))
	require.NoError(t, s.Abort(&fileTxn{Name: dead.Name}))
	// Abort never removes a committed file.
	require.NoError(t, s.Abort(committed))
	assert.Equal(t, []string{committed.Name}, dirNames(t, dir))
}

func TestFileSinkSanitizeName(t *testing.T) {
	for in, want := range map[string]string{
		"":                       "sink",
		"out":                    "out",
		"a b/../c":               "a_b____c",
		"Ünï-cøde_1":             "__n__-c__de_1",
		strings.Repeat("x", 100): strings.Repeat("x", 64),
	} {
		assert.Equal(t, want, sanitizeName(in), "%q", in)
	}
	dir := t.TempDir()
	s, err := openFileSink(dir, "../../etc/passwd", 0, func(dst []byte, v string) []byte { return append(dst, v...) })
	require.NoError(t, err)
	txn, _ := s.BeginTransaction()
	require.NoError(t, s.Write(txn, "x"))
	require.NoError(t, s.PreCommit(txn))
	require.NoError(t, s.Commit(txn))
	names := dirNames(t, dir)
	require.Len(t, names, 1)
	assert.True(t, strings.HasPrefix(names[0], "part-______etc_passwd-0-"), names[0])
}

func TestFileTxnCodec(t *testing.T) {
	c := fileTxnCodec{}
	for _, txn := range []*fileTxn{
		{Name: "part-a-0-0123456789abcdef-000001"},
		{Name: "part-a-0-0123456789abcdef-000002", HasFile: true},
	} {
		got, err := c.Decode(mustAppend(t, Codec[*fileTxn](c), txn))
		require.NoError(t, err)
		assert.Equal(t, txn, got)
	}
	for _, bad := range [][]byte{
		nil,
		{1},
		{2, 0, 0},                          // version
		{1, 2, 0},                          // flags
		{1, 0, 5, 'p'},                     // short name
		append([]byte{1, 0, 3}, "../x"...), // long name
		append([]byte{1, 0, 7}, "part-/x"...),
		append([]byte{1, 0, 6}, ".part-"...),
		append([]byte{1, 0, 4}, "x-ab"...),
		{1, 0, 0}, // empty name
	} {
		_, err := c.Decode(bad)
		assert.ErrorIs(t, err, ErrDecode, "%q", bad)
	}
}

// FuzzFileTxnDecode checks that Decode never panics, accepts only safe
// names, and that what it accepts encodes back to the same bytes.
func FuzzFileTxnDecode(f *testing.F) {
	c := fileTxnCodec{}
	f.Add(mustAppend(f, Codec[*fileTxn](c), &fileTxn{Name: "part-a-0-0123456789abcdef-000001", HasFile: true}))
	f.Add(mustAppend(f, Codec[*fileTxn](c), &fileTxn{Name: "part-x"}))
	f.Add([]byte{1, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01})
	f.Add(append([]byte{1, 1, 9}, "part-../x"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		txn, err := c.Decode(b)
		if err != nil {
			if !errors.Is(err, ErrDecode) {
				t.Fatalf("error %v does not match ErrDecode", err)
			}
			return
		}
		if err := checkPartName(txn.Name); err != nil {
			t.Fatalf("decoded an unsafe name: %v", err)
		}
		if filepath.Base(txn.Name) != txn.Name || strings.HasPrefix(txn.Name, ".") {
			t.Fatalf("decoded name %q is not a plain visible file name", txn.Name)
		}
		if again := mustAppend(t, Codec[*fileTxn](c), txn); string(again) != string(b) {
			t.Fatalf("Append(Decode(%x)) = %x", b, again)
		}
	})
}

// mustAppend encodes v with c, which must succeed.
func mustAppend[T any](t testing.TB, c Codec[T], v T) []byte {
	t.Helper()
	b, err := c.Append(nil, v)
	if err != nil {
		t.Fatalf("Append(%v): %v", v, err)
	}
	return b
}
