package flinksim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// TestStopFailingAfterItsSavepoint: a sink subtask that fails committing
// the stop's savepoint, after the other subtask committed, restarts the
// job from that savepoint — not from an older checkpoint, which repeated
// the committed output — and the job runs on to its end: every record
// committed once. StopWithSavepoint returns ErrStopFailed rather than
// waiting for an end that is not coming.
//
// Mutants this catches: restarts ignoring a completed stop's savepoint
// (144 records committed twice); StopWithSavepoint not watching restarts
// (it hangs until the deadline).
func TestStopFailingAfterItsSavepoint(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8), flinksim.WithSimulation(3, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, time.Millisecond)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "sink", Subtask: 1, Point: flinksim.FaultCommit, After: 1})),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", After: 100, Name: "stop", Stop: true}))
	cpKeyedCounts(env, out, false)
	res, err := env.Execute(cpDeadline(t), "first")
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.Restarts)
	assertSameMultiset(t, cpStraightCounts(t), sortedCounts(out.Committed()), "committed output")

	env = flinksim.NewEnvironment(flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, time.Millisecond)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "sink", Subtask: 1, Point: flinksim.FaultCommit, After: 1})))
	src := flinksim.Generate(env, "numbers", 1<<40, func(i int64) (int64, error) { return i, nil })
	flinksim.CollectTransactional(src, "sink", flinksim.NewTransactionalCollector[int64]())
	job := startJob(t, env)
	_, err = job.StopWithSavepoint(cpDeadline(t), "stop", false)
	require.ErrorIs(t, err, flinksim.ErrStopFailed)
	assert.False(t, job.Status().IsTerminal(), "the job runs on from the savepoint: %v", job.Status())
	job.Cancel()
	require.ErrorIs(t, job.Wait(cpDeadline(t)), flinksim.ErrCanceled)
}

// TestStopRequestsAreAlwaysAnswered: two stops with drain at once — one
// stops the job, the other is told it could not; a stop pending when the
// job fails is told so. Before, a second drain overwrote the first, and a
// pending stop of a failed job was never answered: StopWithSavepoint
// waited for its caller's deadline (wordcount's for ever).
func TestStopRequestsAreAlwaysAnswered(t *testing.T) {
	t.Run("two drains", func(t *testing.T) {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithCheckpointing(flinksim.CheckpointConfig{}))
		src := flinksim.Generate(env, "numbers", 1<<40, func(i int64) (int64, error) { return i, nil })
		flinksim.Sink(src, "sink", func(int64) error { return nil })
		job := startJob(t, env)
		errs := make(chan error, 2)
		for _, name := range []string{"a", "b"} {
			go func() { _, err := job.StopWithSavepoint(cpDeadline(t), name, true); errs <- err }()
		}
		var ok int
		for range 2 {
			err := <-errs
			require.NotErrorIs(t, err, context.DeadlineExceeded, "a stop was never answered")
			if err == nil {
				ok++
			}
		}
		assert.Equal(t, 1, ok, "one stop stops the job")
		assert.Equal(t, flinksim.JobFinished, job.Status())
	})
	for _, drain := range []bool{false, true} {
		t.Run(map[bool]string{false: "failure during a stop", true: "failure during a drain"}[drain], func(t *testing.T) {
			env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
				flinksim.WithRestartStrategy(flinksim.NoRestart()),
				flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "sink", Subtask: 1, Point: flinksim.FaultSnapshot, After: 1})))
			src := flinksim.Generate(env, "numbers", 1<<40, func(i int64) (int64, error) { return i, nil })
			flinksim.Sink(flinksim.Rebalance(src), "sink", func(int64) error { return nil })
			job := startJob(t, env)
			_, err := job.StopWithSavepoint(cpDeadline(t), "stop", drain)
			require.Error(t, err)
			require.NotErrorIs(t, err, context.DeadlineExceeded, "the stop was never answered")
			assert.Equal(t, flinksim.JobFailed, job.Status())
		})
	}
}

// TestSavepointDirMustNotBeAStoreDir: a SavepointDir that is a checkpoint
// store's directory is refused: its own store would remove that store's
// checkpoints by its retention.
func TestSavepointDirMustNotBeAStoreDir(t *testing.T) {
	dir := t.TempDir()
	store, err := snapshot.NewStore(snapshot.DirFS(dir), snapshot.StoreOptions{RetainedCheckpoints: 3})
	require.NoError(t, err)
	env := flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}))
	flinksim.Sink(flinksim.Generate(env, "n", 10, func(i int64) (int64, error) { return i, nil }), "s", func(int64) error { return nil })
	_, err = env.Execute(t.Context(), "fill")
	require.NoError(t, err)

	env = flinksim.NewEnvironment(flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, SavepointDir: dir}))
	flinksim.Sink(flinksim.Generate(env, "n", 10, func(i int64) (int64, error) { return i, nil }), "s", func(int64) error { return nil })
	_, err = env.Start(t.Context(), "same dir")
	require.ErrorIs(t, err, flinksim.ErrInvalidConfig)
	ls, err := store.ListCheckpoints()
	require.NoError(t, err)
	assert.NotEmpty(t, ls)
}

// TestStartOfARestoreThatRestartsAtOnce: Start of a restoring job whose
// first attempt fails at once reads the first attempt's initialisation,
// not a later attempt's (a data race under -race before).
func TestStartOfARestoreThatRestartsAtOnce(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	sp := cpSavepointMidway(t, store, out, 2, "mid", false)
	for i := range 20 {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(uint64(i), nil),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
			flinksim.WithRestoreFrom(sp.Ref, false),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(5, 0)),
			flinksim.WithFaults(flinksim.NewFaultInjector(
				flinksim.Fault{Operator: "numbers", Subtask: 0, Point: flinksim.FaultRecord},
				flinksim.Fault{Operator: "numbers", Subtask: 0, Point: flinksim.FaultRecord})))
		cpKeyedCounts(env, out, false)
		job, err := env.Start(t.Context(), "restarts at once")
		require.NoError(t, err)
		job.Cancel()
		if err := job.Wait(t.Context()); err != nil && !errors.Is(err, flinksim.ErrCanceled) {
			t.Fatal(err)
		}
	}
}
