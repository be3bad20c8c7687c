package flinksim_test

import (
	"hash/crc32"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/snapshot"
)

// spin does about n units of work that the compiler cannot drop, to make
// an operator slow without sleeping.
func spin(v, n int) int {
	b := []byte{byte(v), byte(v >> 8)}
	h := uint32(v)
	for range n {
		h = crc32.Update(h, crc32.IEEETable, b)
	}
	return int(h&1) + v - int(h&1)
}

// fastSlowUnion builds a fast source unioned with a slow one into one
// "merge" task, counting what reaches the sink.
func fastSlowUnion(env *flinksim.Environment, fast, slow int64, work int, got *atomic.Int64) {
	a := flinksim.Generate(env, "fast", fast, func(i int64) (int, error) { return int(i), nil })
	b := flinksim.Map(flinksim.Generate(env, "slow", slow, func(i int64) (int, error) { return int(i), nil }),
		"slow-work", func(v int) (int, error) { return spin(v, work), nil })
	merged := flinksim.Map(flinksim.Union(a, b), "merge", identity[int])
	flinksim.Sink(merged, "count", func(int) error { got.Add(1); return nil })
}

// mergeTask returns the subtask info of the merge task.
func mergeTask(t *testing.T, job *flinksim.JobClient) flinksim.SubtaskInfo {
	for _, s := range job.Subtasks() {
		if s.Task == "merge -> count" {
			return s
		}
	}
	t.Fatalf("no merge task in %v", job.Subtasks())
	return flinksim.SubtaskInfo{}
}

// TestGateBoundsAlignmentMemory: a fast input unioned with a slow one under
// exactly-once checkpoints every 20 ms. While an alignment waits for the
// slow input's barrier, the fast input is blocked; its records wait in its
// channel, and once that is full the fast source waits too. The records
// queued in the merge task never exceed its gate's bound: per input,
// BuffersPerChannel batches plus the one batch a step of its producer may
// add. (The first runtime held 1.37 M records in one such alignment.) The
// output is complete.
//
// Mutant (failed this test): a producer scheduled whatever its outputs'
// fill (Task.room always true): 297,184 records queued on the concurrent
// executor, 17,536 in the simulation.
func TestGateBoundsAlignmentMemory(t *testing.T) {
	const (
		fast, slow = 300_000, 400
		batch      = 64
		buffers    = 4
	)
	forEachExecutor(t, func(t *testing.T, ex executor) {
		var got atomic.Int64
		env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithBatchSize(batch),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 20 * time.Millisecond}),
			func(c *flinksim.Config) { c.BuffersPerChannel = buffers })
		fastSlowUnion(env, fast, slow, 10000, &got)
		job := startJob(t, env)
		require.NoError(t, job.Wait(cpDeadline(t)))
		assert.Equal(t, int64(fast+slow), got.Load(), "records reaching the sink")
		m := mergeTask(t, job)
		bound := 2 * (buffers + 1) * batch
		t.Logf("peak records queued in the merge task: %d (bound %d); checkpoints %d",
			m.PeakQueuedRecords, bound, job.Checkpoints().NumberOfCompletedCheckpoints)
		assert.LessOrEqual(t, m.PeakQueuedRecords, bound)
		assert.Positive(t, m.PeakQueuedRecords)
		assert.Positive(t, job.Checkpoints().NumberOfCompletedCheckpoints)
	})
}

// TestInvalidBatchSizeIsRefused: a batch size that cannot work is refused
// at Start with ErrInvalidConfig, before anything is allocated.
func TestInvalidBatchSizeIsRefused(t *testing.T) {
	for _, c := range []flinksim.Config{
		{BatchSize: 1 << 26}, {BatchSize: -1}, {BuffersPerChannel: flinksim.MaxBuffersPerChannel + 1},
		{BuffersPerChannel: -3}, {BufferTimeout: -time.Second},
	} {
		env := flinksim.NewEnvironmentFromConfig(c)
		flinksim.Collect(parallelSlice(env, "src", []int{1}), "out")
		_, err := env.Execute(t.Context(), "bad")
		assert.ErrorIs(t, err, flinksim.ErrInvalidConfig, "%+v", c)
	}
}

// TestCancelDuringSlowCheckpointWrite: cancelling a job while its
// checkpoint is being written stops the write after the file in progress:
// no further state file is written, Wait returns, and no partial
// checkpoint is visible. (The first runtime wrote every remaining file
// first: 3 s with a 300 ms-per-file store.)
//
// Mutant (failed this test): Coordinator.write not checking its context
// between files.
func TestCancelDuringSlowCheckpointWrite(t *testing.T) {
	ctx := cpDeadline(t)
	writing := make(chan struct{})
	release := make(chan struct{})
	var creates, afterRelease atomic.Int64
	var released atomic.Bool
	fsys := snapshot.NewFaultyFS(snapshot.NewMemFS(), snapshot.BeforeOp(func(op snapshot.Op, name string, _ int64) {
		if op != snapshot.OpCreate || !strings.Contains(name, "/.op") {
			return
		}
		if released.Load() {
			afterRelease.Add(1)
		}
		if creates.Add(1) == 1 {
			close(writing)
			<-release // the slow disk: the first state file takes until the test says
		}
	}))
	store, err := snapshot.NewStore(fsys, snapshot.StoreOptions{})
	require.NoError(t, err)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(4),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Millisecond, Store: store}))
	keyed := flinksim.KeyBy(flinksim.Generate(env, "src", 1<<40, func(i int64) (int, error) { return int(i % 100), nil }),
		func(k int) int { return k })
	flinksim.Sink(flinksim.Process(keyed, "count", cpCounter), "out", func(keyCount) error { return nil })
	job := startJob(t, env)
	select {
	case <-writing:
	case <-ctx.Done():
		t.Fatal("no checkpoint was written")
	}
	job.Cancel()
	released.Store(true)
	close(release)
	require.ErrorIs(t, job.Wait(ctx), flinksim.ErrCanceled)
	assert.Zero(t, afterRelease.Load(), "state files written after the job was cancelled")
	cps, err := store.ListCheckpoints()
	require.NoError(t, err)
	assert.Empty(t, cps, "a partial checkpoint is visible")
}
