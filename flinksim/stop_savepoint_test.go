package flinksim_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// cpStopMidway runs the keyed-count job at parallelism par on the
// simulation and stops it with savepoint name about at trace line at,
// draining or not. It returns the savepoint's record; the job must have
// ended FINISHED by itself.
func cpStopMidway(t *testing.T, store *snapshot.Store, out *flinksim.TransactionalCollector[keyCount], par, at int, name string, drain bool) flinksim.CheckpointRecord {
	t.Helper()
	hook := &cpSavepointHook{ready: make(chan *flinksim.JobClient, 1), at: at, name: name, stop: true, drain: drain}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(par), flinksim.WithBatchSize(8), flinksim.WithSimulation(uint64(par*31+at), hook),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: 20 * time.Millisecond}))
	cpKeyedCounts(env, out, false)
	job := startJob(t, env)
	hook.ready <- job
	require.NoError(t, job.Wait(cpDeadline(t)))
	require.Equal(t, flinksim.JobFinished, job.Status())
	require.True(t, hook.done, "the stop's savepoint should have completed")
	for _, r := range job.Checkpoints().History {
		if r.Savepoint == name {
			require.Equal(t, flinksim.CheckpointCompleted, r.Status)
			return r
		}
	}
	t.Fatalf("savepoint %q not in the history", name)
	return flinksim.CheckpointRecord{}
}

// TestStopWithSavepointResumesExactly: a job stopped with a savepoint —
// drained or not — and resumed from it at another parallelism commits
// exactly the output of an uninterrupted run: nothing committed beyond the
// savepoint by the stopped job, nothing lost. With TriggerSavepoint and
// Cancel instead, a periodic checkpoint after the savepoint committed
// output beyond it, which the resumed job emitted again.
//
// Mutants this catches: the stop's savepoint not committing the sinks
// (144 records left pre-committed, never committed); the tasks told their
// input ended on a stop without drain (caught by
// TestStopWithoutDrainDoesNotFlush). The sources not suspended after the
// stop's barrier is not caught here — the transactional sink aborts what
// arrives after the savepoint — but by
// TestStopWithoutDrainEmitsNothingPastTheSavepoint.
func TestStopWithSavepointResumesExactly(t *testing.T) {
	want := cpStraightCounts(t)
	for _, c := range []struct {
		from, to int
		drain    bool
	}{{2, 3, false}, {3, 1, false}, {1, 4, true}, {4, 2, true}} {
		t.Run(fmt.Sprintf("%d-to-%d/drain=%v", c.from, c.to, c.drain), func(t *testing.T) {
			store, _ := cpMemStore(t)
			out := flinksim.NewTransactionalCollector[keyCount]()
			sp := cpStopMidway(t, store, out, c.from, 150, "stop", c.drain)
			before := len(out.Committed())
			assert.Positive(t, before, "the stop should commit up to its savepoint")
			assert.Less(t, before, cpRestoreRecords)
			assert.Zero(t, out.Uncommitted(), "nothing may stay pre-committed past the stop")

			env := cpRestoredEnv(store, sp.Ref, c.to, false)
			cpKeyedCounts(env, out, false)
			_, err := env.Execute(t.Context(), "resumed")
			require.NoError(t, err)
			got := sortedCounts(out.Committed())
			assertSameMultiset(t, want, got, "committed output of both jobs")
		})
	}
}

// flushRecorder is a SinkWriter that records whether it was told its
// input ended.
type flushRecorder struct{ ended *atomic.Bool }

func (w flushRecorder) Write(int64) error { return nil }
func (w flushRecorder) Flush(endOfInput bool) error {
	if endOfInput {
		w.ended.Store(true)
	}
	return nil
}

// TestStopWithoutDrainDoesNotFlush: a stop without drain tells no
// operator that its input ended (a flush would emit what a resumed job
// emits again); a stop with drain does, before its savepoint.
//
// Mutant this catches: a stopped task ending its data when it closes
// (EndInput, Flush(true), on the stop without drain).
func TestStopWithoutDrainDoesNotFlush(t *testing.T) {
	for _, drain := range []bool{false, true} {
		t.Run(fmt.Sprintf("drain=%v", drain), func(t *testing.T) {
			ended := &atomic.Bool{}
			env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: func() *snapshot.Store { s, _ := cpMemStore(t); return s }()}))
			src := flinksim.Generate(env, "numbers", 1<<40, func(i int64) (int64, error) { return i, nil })
			flinksim.SinkTo(flinksim.Rebalance(src), "sink", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int64], error) {
				return flushRecorder{ended}, nil
			})
			job := startJob(t, env)
			rec, err := job.StopWithSavepoint(cpDeadline(t), "stop", drain)
			require.NoError(t, err)
			assert.Equal(t, flinksim.CheckpointCompleted, rec.Status)
			assert.Equal(t, flinksim.JobFinished, job.Status())
			assert.Equal(t, drain, ended.Load(), "input ended on a stop with drain=%v", drain)
		})
	}
}

// TestStopWithoutDrainEmitsNothingPastTheSavepoint: after a stop's
// barrier the sources emit nothing, so a sink that writes at once (no
// transactions) holds exactly the records before the savepoint, and the
// job resumed from it writes exactly the rest.
//
// Mutant this catches: the sources not suspended after the stop's barrier
// (the records they emit until the stop completes are written twice).
func TestStopWithoutDrainEmitsNothingPastTheSavepoint(t *testing.T) {
	const records = 3000
	store, _ := cpMemStore(t)
	var mu sync.Mutex
	var written []int
	build := func(env *flinksim.Environment) {
		src := flinksim.Generate(env, "numbers", records, func(i int64) (int, error) { return int(i), nil })
		flinksim.Sink(flinksim.Rebalance(src), "sink", func(v int) error {
			mu.Lock()
			written = append(written, v)
			mu.Unlock()
			return nil
		})
	}
	hook := &cpSavepointHook{ready: make(chan *flinksim.JobClient, 1), at: 200, name: "stop", stop: true}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8), flinksim.WithSimulation(5, hook),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
	build(env)
	job := startJob(t, env)
	hook.ready <- job
	require.NoError(t, job.Wait(cpDeadline(t)))
	require.True(t, hook.done)
	first := len(written)
	require.Positive(t, first)
	require.Less(t, first, records)

	env = flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithSimulation(6, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}), flinksim.WithRestoreFrom("savepoints/stop", false))
	build(env)
	_, err := env.Execute(cpDeadline(t), "resumed")
	require.NoError(t, err)
	assertSameMultiset(t, seq(0, records), written, "records written by both jobs")
}

// TestRestoreOlderSnapshotWithGoneTransactions: the article's warning. A
// savepoint's pre-committed transactions that the external system has
// since aborted (expired) cannot be committed by a job restored from it;
// the restore must not be blocked by them — before, every attempt failed
// on the commit and the job could never start. The job runs on from the
// savepoint's positions; the gone transactions' records are lost, as the
// docs say.
//
// Mutant this catches: the sink failing on ErrTransactionGone (the
// restored job fails at start).
func TestRestoreOlderSnapshotWithGoneTransactions(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "old", false)
	require.Positive(t, out.Uncommitted(), "the savepoint should leave transactions pre-committed")
	out.Expire()

	env := cpRestoredEnv(store, sp.Ref, 2, false) // NoRestart: a blocked restore fails the job
	cpKeyedCounts(env, out, false)
	res, err := env.Execute(cpDeadline(t), "restored")
	require.NoError(t, err)
	assert.Zero(t, res.Restarts)
	got := out.Committed()
	assert.Less(t, len(got), cpRestoreRecords, "the expired transactions' records are lost")
	assert.Positive(t, len(got))
}

// TestStopWithSavepointOfBackpressuredJob: a job whose consumer is stuck,
// with its input channel full and the source held back, is stopped with a
// savepoint: the barrier waits behind the queued batches (it is never
// refused by a full channel), the savepoint completes once the consumer
// moves, and a job restored from it commits every record exactly once.
func TestStopWithSavepointOfBackpressuredJob(t *testing.T) {
	const records = 5000
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[int]()
	g := newGate()
	build := func(env *flinksim.Environment, slow bool) {
		src := flinksim.Generate(env, "nums", records, func(i int64) (int, error) { return int(i), nil })
		m := flinksim.Map(flinksim.Rebalance(src), "slow", func(v int) (int, error) {
			if slow {
				_ = g.wait(v)
			}
			return v, nil
		})
		flinksim.CollectTransactional(m, "sink", out)
	}
	triggered := make(chan struct{})
	var once sync.Once
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(8), func(c *flinksim.Config) { c.BuffersPerChannel = 2 },
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithTracer(func(ev flinksim.TraceEvent) {
			if ev.Kind == flinksim.TraceTrigger && ev.Task == "nums" {
				once.Do(func() { close(triggered) })
			}
		}))
	build(env, true)
	job := startJob(t, env)
	<-g.entered
	// The source fills the stuck consumer's channel and is held back.
	for full := false; !full; runtime.Gosched() {
		for _, s := range job.Subtasks() {
			full = full || strings.HasPrefix(s.Task, "slow") && s.QueuedRecords >= 2*8
		}
	}
	// With its context already done, StopWithSavepoint queues the request
	// and returns; the barrier goes in behind the queued batches.
	done, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := job.StopWithSavepoint(done, "bp", false)
	require.ErrorIs(t, err, context.Canceled)
	<-triggered // the source took the stop's barrier while held back
	close(g.release)
	require.NoError(t, job.Wait(cpDeadline(t)))
	require.Equal(t, flinksim.JobFinished, job.Status())
	var completed bool
	for _, r := range job.Checkpoints().History {
		completed = completed || r.Savepoint == "bp" && r.Status == flinksim.CheckpointCompleted
	}
	require.True(t, completed, "the stop's savepoint should complete: %+v", job.Checkpoints().History)
	first := len(out.Committed())
	require.Less(t, first, records, "the stop should come before the end")

	env = cpRestoredEnv(store, "savepoints/bp", 2, false)
	build(env, false)
	_, err = env.Execute(cpDeadline(t), "restored")
	require.NoError(t, err)
	assertSameMultiset(t, seq(0, records), out.Committed(), "committed output of both jobs")
}
