package flinksim_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

func cpMemStore(t *testing.T) (*snapshot.Store, *snapshot.MemFS) {
	t.Helper()
	fsys := snapshot.NewMemFS()
	store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
	require.NoError(t, err)
	return store, fsys
}

type cpTaskKey struct {
	task    string
	subtask int
}

// cpCheckSubtaskStats checks that rec has the stats of every task of job,
// once each.
func cpCheckSubtaskStats(t *testing.T, job *flinksim.JobClient, rec flinksim.CheckpointRecord) {
	t.Helper()
	want := make(map[cpTaskKey]int)
	for _, s := range job.Subtasks() {
		want[cpTaskKey{s.Task, s.Subtask}]++
	}
	got := make(map[cpTaskKey]int)
	var size int64
	for _, s := range rec.Subtasks {
		got[cpTaskKey{s.Task, s.Subtask}]++
		assert.GreaterOrEqual(t, s.Alignment, time.Duration(0))
		assert.GreaterOrEqual(t, s.Sync, time.Duration(0))
		assert.GreaterOrEqual(t, s.Async, time.Duration(0))
		size += s.Size
	}
	assert.Equal(t, want, got, "checkpoint %d: one stats entry per task", rec.ID)
	assert.GreaterOrEqual(t, rec.Size, size, "checkpoint %d: size covers the subtasks' state", rec.ID)
}

// TestCheckpointMetricsAndHistory: the counters under Flink's names, and
// the history of the last 10 checkpoints with their refs and per-subtask
// stats.
func TestCheckpointMetricsAndHistory(t *testing.T) {
	store, _ := cpMemStore(t)
	out := flinksim.NewTransactionalCollector[keyCount]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4), flinksim.WithSimulation(5, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 2 * time.Millisecond, Store: store}))
	runningCounts(env, 3000, 13, out)
	job := startJob(t, env)
	require.NoError(t, job.Wait(cpDeadline(t)))
	require.Len(t, out.Committed(), 3000)

	m := job.Checkpoints()
	assert.Zero(t, m.NumberOfFailedCheckpoints)
	require.Greater(t, m.NumberOfCompletedCheckpoints, int64(10), "the job should take more checkpoints than the history keeps")
	require.Len(t, m.History, 10, "the history keeps the last 10")
	for i, rec := range m.History {
		assert.Equal(t, m.NumberOfCompletedCheckpoints-9+int64(i), rec.ID, "IDs count up, the last is the final checkpoint")
		assert.Equal(t, flinksim.CheckpointCompleted, rec.Status)
		assert.Empty(t, rec.Savepoint)
		assert.Empty(t, rec.Failure)
		assert.Equal(t, fmt.Sprintf("checkpoints/chk-%020d", rec.ID), rec.Ref)
		assert.Positive(t, rec.Duration, "checkpoint %d: virtual time passes during a checkpoint", rec.ID)
		assert.Positive(t, rec.Size)
		assert.False(t, rec.Trigger.IsZero())
		if i > 0 {
			assert.True(t, rec.Trigger.After(m.History[i-1].Trigger))
		}
		cpCheckSubtaskStats(t, job, rec)
	}
	last := m.History[9]
	assert.Equal(t, last.Duration, m.LastCheckpointDuration)
	assert.Equal(t, last.Size, m.LastCheckpointSize)

	// The store keeps the latest checkpoint only (its default retention).
	r, err := store.Open(last.Ref)
	require.NoError(t, err)
	require.NoError(t, r.Verify())
	_, err = store.Open(m.History[0].Ref)
	assert.ErrorIs(t, err, snapshot.ErrNotFound)
	cps, err := store.ListCheckpoints()
	require.NoError(t, err)
	require.Len(t, cps, 1)
	assert.Equal(t, last.Ref, cps[0].Ref())
}

// TestCheckpointMetricsFailedCheckpoints: checkpoints cut short by a
// failover count as failed, with their cause, and no ref.
func TestCheckpointMetricsFailedCheckpoints(t *testing.T) {
	faults := flinksim.NewFaultInjector(
		flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultSnapshot, After: 2},
		flinksim.Fault{Operator: "sink", Subtask: 0, Point: flinksim.FaultSnapshot, After: 5})
	out := flinksim.NewTransactionalCollector[keyCount]()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4), flinksim.WithSimulation(9, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(5, 0)), flinksim.WithFaults(faults))
	runningCounts(env, 1000, 13, out)
	res, err := env.Execute(t.Context(), "failed-checkpoints")
	require.NoError(t, err)
	assert.Equal(t, 2, faults.Struck())
	assert.Equal(t, int64(2), res.Restarts)
	assert.Len(t, out.Committed(), 1000)
	m := res.Checkpoints
	assert.Equal(t, int64(2), m.NumberOfFailedCheckpoints, "the two checkpoints the faults cut short")
	var failed, completed int64
	for _, rec := range m.History {
		switch rec.Status {
		case flinksim.CheckpointFailed:
			failed++
			assert.Empty(t, rec.Ref)
			assert.NotEmpty(t, rec.Failure)
		case flinksim.CheckpointCompleted:
			completed++
			assert.NotEmpty(t, rec.Ref)
		default:
			t.Errorf("checkpoint %d in the history with status %v", rec.ID, rec.Status)
		}
	}
	if m.NumberOfCompletedCheckpoints+m.NumberOfFailedCheckpoints <= 10 {
		assert.Equal(t, m.NumberOfFailedCheckpoints, failed)
		assert.Equal(t, m.NumberOfCompletedCheckpoints, completed)
	}
}

// TestTriggerCheckpointAndSavepoint: manual checkpoints and savepoints of a
// running job, on the concurrent executor.
func TestTriggerCheckpointAndSavepoint(t *testing.T) {
	store, _ := cpMemStore(t)
	attempts := make(chan struct{}, 10)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithRestartStrategy(flinksim.NoRestart()))
	cpEndless(env, attempts)
	job := startJob(t, env)
	ctx := cpDeadline(t)

	rec, err := job.TriggerCheckpoint(ctx)
	require.NoError(t, err)
	assert.Equal(t, int64(1), rec.ID)
	assert.Equal(t, flinksim.CheckpointCompleted, rec.Status)
	assert.Empty(t, rec.Savepoint)
	assert.Equal(t, "checkpoints/chk-00000000000000000001", rec.Ref)
	cpCheckSubtaskStats(t, job, rec)

	sp, err := job.TriggerSavepoint(ctx, "sp-1")
	require.NoError(t, err)
	assert.Equal(t, int64(2), sp.ID)
	assert.Equal(t, flinksim.CheckpointCompleted, sp.Status)
	assert.Equal(t, "sp-1", sp.Savepoint)
	assert.Equal(t, "savepoints/sp-1", sp.Ref)
	cpCheckSubtaskStats(t, job, sp)
	sps, err := store.ListSavepoints()
	require.NoError(t, err)
	require.Len(t, sps, 1)
	assert.Equal(t, sp.Ref, sps[0].Ref())

	_, err = job.TriggerSavepoint(ctx, "")
	assert.ErrorIs(t, err, snapshot.ErrInvalidName)

	m := job.Checkpoints()
	assert.Equal(t, int64(2), m.NumberOfCompletedCheckpoints)
	require.Len(t, m.History, 2)
	assert.Equal(t, []int64{1, 2}, []int64{m.History[0].ID, m.History[1].ID})
	assert.Equal(t, sp.Size, m.LastCheckpointSize)
	assert.Equal(t, flinksim.JobRunning, job.Status())

	job.Cancel()
	require.ErrorIs(t, job.Wait(ctx), flinksim.ErrCanceled)
}

// TestTriggerSavepointFailureKeepsJobRunning: a savepoint that cannot be
// written (its name is taken) fails the request, not the job: Flink does
// not count savepoint failures against the tolerable checkpoint failures.
func TestTriggerSavepointFailureKeepsJobRunning(t *testing.T) {
	store, _ := cpMemStore(t)
	attempts := make(chan struct{}, 10)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store}),
		flinksim.WithRestartStrategy(flinksim.NoRestart()))
	cpEndless(env, attempts)
	job := startJob(t, env)
	ctx := cpDeadline(t)
	_, err := job.TriggerSavepoint(ctx, "dup")
	require.NoError(t, err)
	rec, err := job.TriggerSavepoint(ctx, "dup")
	require.ErrorIs(t, err, snapshot.ErrExists)
	assert.Equal(t, flinksim.CheckpointFailed, rec.Status)
	_, err = job.TriggerCheckpoint(ctx)
	require.NoError(t, err, "the job must keep running after a failed savepoint")
	assert.Equal(t, flinksim.JobRunning, job.Status())
	assert.Zero(t, job.Restarts())
	job.Cancel()
	require.ErrorIs(t, job.Wait(ctx), flinksim.ErrCanceled)
}

// TestTriggerAfterJobEnded: asking an ended job for a checkpoint fails at
// once instead of waiting for a coordinator that is gone.
func TestTriggerAfterJobEnded(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithSimulation(1, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{}))
	flinksim.Collect(flinksim.Generate(env, "src", 10, func(i int64) (int, error) { return int(i), nil }), "out")
	job := startJob(t, env)
	require.NoError(t, job.Wait(cpDeadline(t)))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := job.TriggerCheckpoint(ctx)
	require.Error(t, err)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "the request waited for the timeout")
}

// TestTriggerWithoutCheckpointing: ErrNoCheckpointing.
func TestTriggerWithoutCheckpointing(t *testing.T) {
	attempts := make(chan struct{}, 10)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	cpEndless(env, attempts)
	job := startJob(t, env)
	_, err := job.TriggerCheckpoint(t.Context())
	assert.ErrorIs(t, err, flinksim.ErrNoCheckpointing)
	_, err = job.TriggerSavepoint(t.Context(), "sp")
	assert.ErrorIs(t, err, flinksim.ErrNoCheckpointing)
	assert.Equal(t, flinksim.CheckpointMetrics{}, job.Checkpoints())
	job.Cancel()
	require.ErrorIs(t, job.Wait(cpDeadline(t)), flinksim.ErrCanceled)
	assert.True(t, strings.Contains(job.Err().Error(), "cancel"))
}
