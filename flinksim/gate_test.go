package flinksim_test

import (
	"hash/crc32"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
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
// Mutants (each failed this test): a producer scheduled whatever its
// outputs' fill (Task.room always true); the queue of a blocked input read
// anyway (that one fails the alignment tests; here the bound holds
// trivially, so it is not listed as killed here).
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
		flinksim.Collect(flinksim.FromSlice(env, "src", []int{1}), "out")
		_, err := env.Execute(t.Context(), "bad")
		assert.ErrorIs(t, err, flinksim.ErrInvalidConfig, "%+v", c)
	}
}
