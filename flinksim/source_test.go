package flinksim_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// logSource is a user-defined source over a partitioned log, as a Kafka
// topic is: one split per partition, its position the next offset. Its
// splits are pointers that the reader moves in place, which is what the
// job's copies of the splits must make safe.
//
// With pauseEvery set, a reader pauses after each pauseEvery records it
// emits until a checkpoint completes (it is a CheckpointListener), then
// says it is available again: so a failure after that point restores
// positions past the start, on either executor.
type logSource struct {
	partitions [][]int
	pauseEvery int
	readers    atomic.Int32 // readers made, over every attempt
}

type logSplit struct {
	Partition int
	Offset    int
}

func (s *logSplit) String() string { return fmt.Sprintf("p%d@%d", s.Partition, s.Offset) }

type logSplitCodec struct{}

func (logSplitCodec) Append(dst []byte, s *logSplit) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(s.Partition))
	return binary.AppendUvarint(dst, uint64(s.Offset)), nil
}

func (logSplitCodec) Decode(b []byte) (*logSplit, error) {
	p, n := binary.Uvarint(b)
	o, m := binary.Uvarint(b[max(n, 0):])
	if n <= 0 || m <= 0 || n+m != len(b) {
		return nil, fmt.Errorf("%w: log split %x", flinksim.ErrDecode, b)
	}
	return &logSplit{Partition: int(p), Offset: int(o)}, nil
}

func (l *logSource) Splits(int) ([]*logSplit, error) {
	splits := make([]*logSplit, len(l.partitions))
	for i := range splits {
		splits[i] = &logSplit{Partition: i}
	}
	return splits, nil
}

func (l *logSource) SplitCodec() flinksim.Codec[*logSplit] { return logSplitCodec{} }

func (l *logSource) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int, *logSplit], error) {
	l.readers.Add(1)
	return &logReader{log: l, ctx: ctx}, nil
}

// logReader reads its splits in turn, one record per PollNext.
type logReader struct {
	log     *logSource
	ctx     *flinksim.ReaderContext
	splits  []*logSplit
	noMore  bool
	emitted int
	paused  bool
}

func (r *logReader) NotifyCheckpointComplete(int64) error {
	if r.paused {
		r.paused = false
		r.ctx.Available()
	}
	return nil
}

func (r *logReader) NotifyCheckpointAborted(int64) {}

func (r *logReader) AddSplits(splits []*logSplit) error {
	for _, s := range splits {
		if s.Partition >= len(r.log.partitions) {
			return fmt.Errorf("no partition %d", s.Partition)
		}
	}
	r.splits = append(r.splits, splits...)
	return nil
}

func (r *logReader) NotifyNoMoreSplits() { r.noMore = true }

func (r *logReader) PollNext(out flinksim.Collector[int]) (flinksim.InputStatus, error) {
	if r.paused {
		return flinksim.NothingAvailable, nil
	}
	for len(r.splits) > 0 {
		s := r.splits[0]
		if p := r.log.partitions[s.Partition]; s.Offset < len(p) {
			out.Collect(p[s.Offset])
			s.Offset++
			r.emitted++
			if r.log.pauseEvery > 0 && r.emitted%r.log.pauseEvery == 0 {
				r.paused = true
				return flinksim.NothingAvailable, nil
			}
			return flinksim.MoreAvailable, nil
		}
		r.splits = r.splits[1:]
	}
	if r.noMore {
		return flinksim.EndOfInput, nil
	}
	return flinksim.NothingAvailable, nil
}

func (r *logReader) SnapshotState(int64) ([]*logSplit, error) { return r.splits, nil }

func (r *logReader) Close() error { return nil }

// newLog returns a log of n partitions holding the records 0..records-1,
// record i in partition i mod n, in order.
func newLog(n, records int) *logSource {
	l := &logSource{partitions: make([][]int, n)}
	for i := range records {
		l.partitions[i%n] = append(l.partitions[i%n], i)
	}
	return l
}

// TestUserSourceExactlyOnceAcrossFailures: a user-defined source restarted
// from its checkpoints, at the split positions they recorded, delivers
// every record of every partition once to a transactional sink, with
// failures in the sink and in the source itself.
//
// The readers pause until a checkpoint completes, so the later failures
// restore split positions past the start (the test checks the restore
// trace says so), and their resumption tests Available and the reader's
// checkpoint notifications.
//
// Mutants this catches: the source operator's snapshot leaving out the
// splits (the restored readers get none: records lost); readers handed
// the enumeration's split values instead of decoded copies (the restart
// before any checkpoint resumes from offsets the failed attempt moved:
// records skipped); checkpoint notifications not passed to the reader
// (it never resumes: the job hangs until the deadline).
func TestUserSourceExactlyOnceAcrossFailures(t *testing.T) {
	const records = 3000
	forEachExecutor(t, func(t *testing.T, ex executor) {
		log := newLog(5, records)
		log.pauseEvery = 400
		faults := flinksim.NewFaultInjector(
			// Before the first checkpoint: a fresh start again.
			flinksim.Fault{Operator: "sink", Subtask: 1, Point: flinksim.FaultRecord, After: 40},
			flinksim.Fault{Operator: "log", Subtask: 0, Point: flinksim.FaultRecord, After: 700},
			flinksim.Fault{Operator: "sink", Subtask: 0, Point: flinksim.FaultRecord, After: 900},
		)
		var restored atomic.Int32 // restores of "log" with a split past its start
		env := ex.newEnv(flinksim.WithParallelism(2), flinksim.WithBatchSize(16),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(5, 0)),
			flinksim.WithFaults(faults),
			flinksim.WithTracer(func(ev flinksim.TraceEvent) {
				if ev.Kind == flinksim.TraceRestore && ev.Operator == "log" && strings.Contains(ev.Detail, "@") && !strings.Contains(ev.Detail, "@0") {
					restored.Add(1)
				}
			}))
		out := flinksim.NewTransactionalCollector[int]()
		src := flinksim.FromSource(env, "log", flinksim.Source[int, *logSplit](log))
		flinksim.CollectTransactional(flinksim.Rebalance(src), "sink", out)
		job := startJob(t, env)
		require.NoError(t, job.Wait(cpDeadline(t)))
		assert.Empty(t, faults.Unstruck())
		assert.Equal(t, int64(3), job.Restarts())
		assertSameMultiset(t, seq(0, records), out.Committed(), "committed output")
		assert.Equal(t, int32(8), log.readers.Load(), "2 readers per attempt, 4 attempts")
		assert.Positive(t, restored.Load(), "no restore resumed a split past its start")
	})
}

// TestUserSourceRescaledRestore: a savepoint of a user-defined source at
// one parallelism restores at another; the splits are dealt out again and
// every record is delivered once, in partition order.
//
// Mutant this catches: the restore dealing splits by j%oldParallelism
// (some splits given to no subtask: records lost).
func TestUserSourceRescaledRestore(t *testing.T) {
	const records = 2000
	for _, c := range []struct{ from, to int }{{3, 2}, {2, 5}, {4, 1}} {
		t.Run(fmt.Sprintf("%d-to-%d", c.from, c.to), func(t *testing.T) {
			store, _ := cpMemStore(t)
			log := newLog(7, records)
			out := flinksim.NewTransactionalCollector[int]()
			build := func(env *flinksim.Environment) {
				src := flinksim.FromSource(env, "log", flinksim.Source[int, *logSplit](log))
				flinksim.CollectTransactional(src, "sink", out)
			}
			hook := &cpSavepointHook{ready: make(chan *flinksim.JobClient, 1), at: 120, name: "mid"}
			env := flinksim.NewEnvironment(flinksim.WithParallelism(c.from), flinksim.WithBatchSize(8),
				flinksim.WithSimulation(uint64(c.from), hook), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
			build(env)
			first := startJob(t, env)
			hook.ready <- first
			require.ErrorIs(t, first.Wait(cpDeadline(t)), flinksim.ErrCanceled)
			require.True(t, hook.done, "the savepoint should have completed")

			env = cpRestoredEnv(store, "savepoints/mid", c.to, false)
			build(env)
			res, err := env.Execute(t.Context(), "restored")
			require.NoError(t, err)
			in := cpRecordsIn(res, "sink")
			assert.Positive(t, in, "the savepoint should leave records to the restored job")
			assert.Less(t, in, int64(records), "the savepoint should hold positions past the start")
			got := out.Committed()
			assertSameMultiset(t, seq(0, records), got, "committed output of both jobs")
			// Each partition's records arrive in offset order: i before i+7.
			last := make(map[int]int)
			for _, v := range got {
				if prev, ok := last[v%7]; ok {
					assert.Greater(t, v, prev, "partition %d out of order", v%7)
				}
				last[v%7] = v
			}
		})
	}
}

// TestFromSliceIsNonParallel: FromSlice runs as one subtask whatever the
// environment's parallelism, as Flink's fromCollection, so two records for
// one key keep their order; a Parallelism option other than 1 is refused.
//
// Mutant this catches: FromSlice split over the environment's parallelism
// (the source has 4 subtasks; the key's records race).
func TestFromSliceIsNonParallel(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(4))
		items := make([]kv, 400)
		for i := range items {
			items[i] = kv{K: fmt.Sprint(i % 3), V: i}
		}
		src := flinksim.FromSlice(env, "items", items)
		pass := flinksim.Process(flinksim.KeyBy(src, kvKey), "pass",
			func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, kv, kv], error) {
				return flinksim.ProcessFunc[string, kv, kv](func(_ *flinksim.KeyedContext[string], r kv, out flinksim.Collector[kv]) error {
					out.Collect(r)
					return nil
				}), nil
			})
		seen := flinksim.Collect(pass, "seen")
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		var sources int
		for _, s := range job.Subtasks() {
			if s.Task == "items" {
				sources++
			}
		}
		assert.Equal(t, 1, sources, "source subtasks")
		last := map[string]int{}
		for _, r := range seen.Values() {
			if prev, ok := last[r.K]; ok {
				assert.Greater(t, r.V, prev, "key %s out of order", r.K)
			}
			last[r.K] = r.V
		}
	})

	env := flinksim.NewEnvironment()
	flinksim.Collect(flinksim.FromSlice(env, "items", []int{1}, flinksim.Parallelism(2)), "out")
	_, err := env.Execute(t.Context(), "refused")
	require.ErrorIs(t, err, flinksim.ErrInvalidParallelism)
	assert.ErrorContains(t, err, `"items" is a non-parallel source`)
}

// badSource is a source whose parts fail as a test asks.
type badSource struct {
	splitsErr error
	nilCodec  bool
	nilReader bool
	status    flinksim.InputStatus
	encodeErr error
}

func (b *badSource) Splits(int) ([]int, error) { return []int{0}, b.splitsErr }

func (b *badSource) SplitCodec() flinksim.Codec[int] {
	if b.nilCodec {
		return nil
	}
	return failingCodec{err: b.encodeErr}
}

func (b *badSource) NewReader(*flinksim.ReaderContext) (flinksim.SourceReader[int, int], error) {
	if b.nilReader {
		return nil, nil
	}
	return &badReader{src: b}, nil
}

type failingCodec struct{ err error }

func (c failingCodec) Append(dst []byte, v int) ([]byte, error) {
	if c.err != nil && v > 0 {
		return nil, c.err
	}
	return binary.AppendVarint(dst, int64(v)), nil
}

func (c failingCodec) Decode(b []byte) (int, error) {
	v, n := binary.Varint(b)
	if n != len(b) {
		return 0, flinksim.ErrDecode
	}
	return int(v), nil
}

type badReader struct {
	src  *badSource
	next int
}

func (r *badReader) AddSplits([]int) error { return nil }
func (r *badReader) NotifyNoMoreSplits()   {}
func (r *badReader) PollNext(out flinksim.Collector[int]) (flinksim.InputStatus, error) {
	r.next++
	out.Collect(r.next)
	return r.src.status, nil
}
func (r *badReader) SnapshotState(int64) ([]int, error) { return []int{r.next}, nil }
func (r *badReader) Close() error                       { return nil }

// TestUserSourceErrors: a source that cannot work fails the job with an
// error that says which part and why; never a hang, never a silent end.
func TestUserSourceErrors(t *testing.T) {
	errSplits := errors.New("no metadata")
	for _, c := range []struct {
		name string
		src  *badSource
		ckpt bool
		is   error
		msg  string
	}{
		{"splits", &badSource{splitsErr: errSplits}, false, errSplits, "splits: no metadata"},
		{"nil codec", &badSource{nilCodec: true}, false, flinksim.ErrInvalidOperator, "needs a Source with a split codec"},
		{"nil reader", &badSource{nilReader: true}, false, flinksim.ErrInvalidOperator, "nil reader"},
		{"bad status", &badSource{status: 7}, false, flinksim.ErrInvalidOperator, "PollNext returned InputStatus(7)"},
		{"split encode", &badSource{encodeErr: flinksim.ErrEncode}, true, flinksim.ErrEncode, "snapshot for checkpoint 1: split"},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := []flinksim.Option{flinksim.WithSimulation(1, nil), flinksim.WithRestartStrategy(flinksim.NoRestart())}
			if c.ckpt {
				opts = append(opts, flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Millisecond}))
			}
			env := flinksim.NewEnvironment(opts...)
			flinksim.Sink(flinksim.FromSource(env, "src", flinksim.Source[int, int](c.src)), "sink", func(int) error { return nil })
			_, err := env.Execute(cpDeadline(t), "bad")
			require.ErrorIs(t, err, c.is)
			assert.ErrorContains(t, err, c.msg)
		})
	}
	env := flinksim.NewEnvironment()
	flinksim.FromSource[int, int](env, "src", nil)
	_, err := env.Execute(t.Context(), "nil")
	require.ErrorIs(t, err, flinksim.ErrInvalidOperator)
}
