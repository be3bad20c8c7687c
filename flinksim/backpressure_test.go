package flinksim_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// backpressureRates is busyRates for the backpressured time.
func backpressureRates(t *testing.T, job *flinksim.JobClient) ([]float64, []flinksim.SubtaskInfo) {
	t.Helper()
	return ratesOf(t, job, func(s flinksim.SubtaskInfo) time.Duration { return s.BackPressuredTime })
}

// TestBackPressuredTimeOfABlockedConsumer: a source in front of a sink
// that blocks on its first record fills the channel between them and
// then waits for room: its backpressured time per second is near 1 while
// the sink, which has no outputs, is never backpressured.
//
// Mutants this catches: a wait never begun in Next (the source's rate is
// 0); Do not ending the wait, or read ignoring the wait under way (the
// source's rate is 0: its one wait never ends); the wait counted twice.
func TestBackPressuredTimeOfABlockedConsumer(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(16))
	src := flinksim.Generate(env, "numbers", math.MaxInt64, func(i int64) (int64, error) { return i, nil })
	release := make(chan struct{})
	arrived := make(chan struct{})
	first := true
	flinksim.Sink(flinksim.Rebalance(src), "stuck", func(int64) error {
		if first {
			first = false
			close(arrived)
			<-release
		}
		return nil
	})
	job := startJob(t, env)
	t.Cleanup(func() { close(release) }) // runs before startJob's cancel
	<-arrived
	rates, subtasks := backpressureRates(t, job)
	require.Len(t, subtasks, 2)
	require.Equal(t, "numbers", subtasks[0].Task)
	assert.Greater(t, rates[0], 0.8, "the source waits for room all the time")
	assert.LessOrEqual(t, rates[0], 1.05, "backpressured longer than the clock moved")
	assert.Zero(t, subtasks[1].BackPressuredTime, "a sink has no outputs to wait for")
}

// TestBackPressuredTimeWhileWaitingForInput: a job fed by FromChan with
// nothing sent waits for input with room on every output: that is idle
// time, and no subtask is backpressured.
//
// Mutants this catches: a wait begun whenever Next finds nothing to do,
// without an output at capacity (the source's rate is near 1).
func TestBackPressuredTimeWhileWaitingForInput(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	ch := make(chan int)
	flinksim.Sink(flinksim.Rebalance(flinksim.FromChan(env, "pushed", ch)), "out", func(int) error { return nil })
	job := startJob(t, env)
	_, subtasks := backpressureRates(t, job)
	for _, s := range subtasks {
		assert.Zero(t, s.BackPressuredTime, "%s (%d)", s.Task, s.Subtask)
	}
}

// TestBackPressuredTimeOnTheSimulation: on the simulation a source
// faster than its channel holds waits for room in virtual time, and the
// same seed measures the same backpressured time.
//
// Mutants this catches: Ready not beginning a wait (0 on the simulation).
func TestBackPressuredTimeOnTheSimulation(t *testing.T) {
	run := func() time.Duration {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(4),
			flinksim.WithSimulation(7, nil))
		src := flinksim.Generate(env, "numbers", 2000, func(i int64) (int64, error) { return i, nil })
		m := flinksim.Map(flinksim.Rebalance(src), "a", func(v int64) (int64, error) { return v, nil })
		m = flinksim.Map(flinksim.Rebalance(m), "b", func(v int64) (int64, error) { return v, nil })
		flinksim.Sink(m, "out", func(int64) error { return nil })
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		var total time.Duration
		for _, s := range job.Subtasks() {
			total += s.BackPressuredTime
		}
		return total
	}
	first := run()
	assert.Positive(t, first, "some producer waited for room")
	assert.Equal(t, first, run(), "the same seed, the same waits")
}
