package flinksim_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// cpEndless is a job that only ends when cancelled: a source of 2^40
// records into a sink; attempts receives one value each time the sink
// subtask opens, that is once per attempt of the job.
func cpEndless(env *flinksim.Environment, attempts chan<- struct{}) {
	src := flinksim.Generate(env, "src", 1<<40, func(i int64) (int64, error) { return i, nil })
	flinksim.SinkTo(src, "sink", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int64], error) {
		attempts <- struct{}{}
		return flinksim.SinkWriterFunc[int64](func(int64) error { return nil }), nil
	})
}

func cpWait[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-cpDeadline(t).Done():
		t.Fatalf("gave up waiting for %s", what)
	}
	panic("unreachable")
}

// TestRecoveryRestartingThenRunning: after a failure the job is RESTARTING,
// down for as long as the clock moved, until the restart delay has passed
// on the (manual) clock; then it is RUNNING again, restored.
func TestRecoveryRestartingThenRunning(t *testing.T) {
	clock := newCPWaitClock(time.Minute)
	attempts := make(chan struct{}, 10)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clock),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, time.Minute)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "src", Point: flinksim.FaultRecord, After: 10})))
	cpEndless(env, attempts)
	job := startJob(t, env)
	cpWait(t, attempts, "the first attempt")

	d, ok := clock.next(cpDeadline(t))
	require.True(t, ok)
	assert.Equal(t, time.Minute, d, "the fixed restart delay")
	assert.Equal(t, flinksim.JobRestarting, job.Status())
	assert.Equal(t, int64(1), job.Restarts())
	assert.Zero(t, job.Uptime(), "no attempt runs while restarting")
	assert.Zero(t, job.Downtime(), "the clock did not move since the failure")

	clock.Advance(30 * time.Second)
	assert.Equal(t, flinksim.JobRestarting, job.Status(), "the delay has not passed")
	assert.Equal(t, 30*time.Second, job.Downtime())

	clock.Advance(30 * time.Second)
	cpWait(t, attempts, "the second attempt")
	assert.Equal(t, flinksim.JobRunning, job.Status())
	assert.Zero(t, job.Downtime())
	assert.Equal(t, int64(1), job.Restarts())
	clock.Advance(time.Second)
	assert.Equal(t, time.Second, job.Uptime())

	job.Cancel()
	err := job.Wait(cpDeadline(t))
	require.ErrorIs(t, err, flinksim.ErrCanceled)
	assert.Equal(t, flinksim.JobCanceled, job.Status())
}

// TestRecoveryDefaultExponentialRestartLoop: with checkpointing and no
// restart strategy the job restarts with Flink's exponential default (1s,
// then x1.5); a fault that strikes every attempt shows Restarts() rising.
// Cancelling during the delay cancels the job.
func TestRecoveryDefaultExponentialRestartLoop(t *testing.T) {
	clock := newCPWaitClock(time.Second)
	attempts := make(chan struct{}, 10)
	faults := &cpAlwaysFail{op: "src", point: flinksim.FaultRecord}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clock),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{}), flinksim.WithFaults(faults))
	assert.Contains(t, env.Config().RestartStrategy.String(), "exponential")
	cpEndless(env, attempts)
	job := startJob(t, env)
	want := []time.Duration{time.Second, 1500 * time.Millisecond, 2250 * time.Millisecond, 3375 * time.Millisecond}
	for i, delay := range want {
		cpWait(t, attempts, "an attempt")
		d, ok := clock.next(cpDeadline(t))
		require.True(t, ok)
		assert.Equal(t, delay, d, "delay before restart %d", i+1)
		assert.Equal(t, int64(i+1), job.Restarts())
		assert.Equal(t, flinksim.JobRestarting, job.Status())
		assert.Equal(t, i+1, faults.count())
		if i < len(want)-1 {
			clock.Advance(delay - time.Millisecond)
			assert.Equal(t, flinksim.JobRestarting, job.Status(), "restart %d came before its delay", i+1)
			clock.Advance(time.Millisecond)
		}
	}
	job.Cancel()
	err := job.Wait(cpDeadline(t))
	require.ErrorIs(t, err, flinksim.ErrCanceled)
	assert.Equal(t, flinksim.JobCanceled, job.Status())
	assert.Equal(t, int64(len(want)), job.Restarts())
}

// cpFailingJob runs a small job on the simulation with the restart strategy
// and faults, into a transactional sink, and returns the ended job.
func cpFailingJob(t *testing.T, strategy flinksim.RestartStrategy, faults flinksim.Faults, checkpointing bool) (*flinksim.JobClient, *flinksim.TransactionalCollector[int]) {
	opts := []flinksim.Option{flinksim.WithParallelism(1), flinksim.WithBatchSize(4),
		flinksim.WithSimulation(1, nil), flinksim.WithFaults(faults)}
	if strategy != nil {
		opts = append(opts, flinksim.WithRestartStrategy(strategy))
	}
	if checkpointing {
		opts = append(opts, flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}))
	}
	env := flinksim.NewEnvironment(opts...)
	src := flinksim.Generate(env, "src", 100, func(i int64) (int, error) { return int(i), nil })
	out := flinksim.NewTransactionalCollector[int]()
	flinksim.CollectTransactional(src, "out", out)
	job := startJob(t, env)
	<-job.Done()
	return job, out
}

func TestRecoveryRestartStrategies(t *testing.T) {
	t.Run("fixed-delay-exhausted", func(t *testing.T) {
		faults := &cpAlwaysFail{op: "src", point: flinksim.FaultRecord}
		job, _ := cpFailingJob(t, flinksim.FixedDelayRestart(3, time.Second), faults, true)
		err := job.Err()
		assert.Equal(t, flinksim.JobFailed, job.Status())
		require.ErrorIs(t, err, flinksim.ErrInjected)
		var oe *flinksim.OperatorError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "src", oe.Operator)
		assert.Contains(t, err.Error(), "fixed delay (3 attempts, 1s)")
		assert.Contains(t, err.Error(), "after 3 restarts")
		assert.Equal(t, int64(3), job.Restarts())
		assert.Equal(t, 4, faults.count(), "the first attempt and three restarts")
	})
	t.Run("failure-rate-exceeded", func(t *testing.T) {
		faults := &cpAlwaysFail{op: "src", point: flinksim.FaultRecord}
		job, _ := cpFailingJob(t, flinksim.FailureRateRestart(2, time.Minute, time.Second), faults, true)
		assert.Equal(t, flinksim.JobFailed, job.Status())
		require.ErrorIs(t, job.Err(), flinksim.ErrInjected)
		assert.Contains(t, job.Err().Error(), "failure rate (2 per 1m0s")
		assert.Equal(t, int64(2), job.Restarts(), "the third failure within the minute fails the job")
	})
	t.Run("failure-rate-spread-out", func(t *testing.T) {
		// Five failures, each two (virtual) minutes after the last: never
		// more than one per minute, so the job restarts every time.
		var fs []flinksim.Fault
		for range 5 {
			fs = append(fs, flinksim.Fault{Operator: "src", Point: flinksim.FaultRecord, After: 1})
		}
		faults := flinksim.NewFaultInjector(fs...)
		job, out := cpFailingJob(t, flinksim.FailureRateRestart(1, time.Minute, 2*time.Minute), faults, true)
		require.NoError(t, job.Err())
		assert.Equal(t, flinksim.JobFinished, job.Status())
		assert.Equal(t, int64(5), job.Restarts())
		assert.Equal(t, 5, faults.Struck())
		assert.ElementsMatch(t, seq(0, 100), out.Committed(), "exactly once through five restarts")
	})
	t.Run("no-restart", func(t *testing.T) {
		faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "src", Point: flinksim.FaultRecord, After: 1})
		job, _ := cpFailingJob(t, flinksim.NoRestart(), faults, true)
		assert.Equal(t, flinksim.JobFailed, job.Status())
		require.ErrorIs(t, job.Err(), flinksim.ErrInjected)
		assert.Contains(t, job.Err().Error(), "no restart")
		assert.Zero(t, job.Restarts())
	})
	t.Run("default-without-checkpointing", func(t *testing.T) {
		faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "src", Point: flinksim.FaultRecord, After: 1})
		job, _ := cpFailingJob(t, nil, faults, false)
		assert.Equal(t, flinksim.JobFailed, job.Status())
		require.ErrorIs(t, job.Err(), flinksim.ErrInjected)
		assert.Zero(t, job.Restarts())
	})
	t.Run("restart-loop-fixed-delay", func(t *testing.T) {
		faults := &cpAlwaysFail{op: "src", point: flinksim.FaultRecord}
		job, _ := cpFailingJob(t, flinksim.FixedDelayRestart(50, 0), faults, true)
		require.ErrorIs(t, job.Err(), flinksim.ErrInjected)
		assert.Equal(t, int64(50), job.Restarts())
		assert.Equal(t, 51, faults.count())
	})
	t.Run("restore-fault", func(t *testing.T) {
		// A fault while restoring is one more failure: the job restarts
		// again from the same checkpoint and finishes with every record.
		faults := flinksim.NewFaultInjector(
			flinksim.Fault{Operator: "count", Point: flinksim.FaultRecord, After: 300},
			flinksim.Fault{Operator: "count", Point: flinksim.FaultRestore})
		out := flinksim.NewTransactionalCollector[keyCount]()
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8), flinksim.WithSimulation(3, nil),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(2, 0)), flinksim.WithFaults(faults))
		runningCounts(env, 1000, 7, out)
		res, err := env.Execute(t.Context(), "restore-fault")
		require.NoError(t, err)
		assert.Equal(t, int64(2), res.Restarts)
		assert.Equal(t, 2, faults.Struck())
		assert.Len(t, out.Committed(), 1000)
	})
}

// TestRecoveryCancelWhileRestarting: a job cancelled during its restart
// delay ends CANCELED at once.
func TestRecoveryCancelWhileRestarting(t *testing.T) {
	clock := newCPWaitClock(time.Hour)
	attempts := make(chan struct{}, 10)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clock),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, time.Hour)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "src", Point: flinksim.FaultRecord, After: 1})))
	cpEndless(env, attempts)
	job := startJob(t, env)
	_, ok := clock.next(cpDeadline(t))
	require.True(t, ok)
	require.Equal(t, flinksim.JobRestarting, job.Status())
	job.Cancel()
	err := job.Wait(cpDeadline(t))
	require.True(t, errors.Is(err, flinksim.ErrCanceled), "got %v", err)
	assert.Equal(t, flinksim.JobCanceled, job.Status())
}

// TestFaultRecordOnChainedOperator: a FaultRecord fault strikes operators
// chained behind the head of their task too (here a chained map and a
// chained sink), not only task heads.
func TestFaultRecordOnChainedOperator(t *testing.T) {
	for _, op := range []string{"double", "sink"} {
		t.Run(op, func(t *testing.T) {
			faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: op, Point: flinksim.FaultRecord, After: 10})
			env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(4), flinksim.WithSimulation(1, nil),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}),
				flinksim.WithRestartStrategy(flinksim.NoRestart()), flinksim.WithFaults(faults))
			src := flinksim.Generate(env, "src", 100, func(i int64) (int, error) { return int(i), nil })
			out := flinksim.NewTransactionalCollector[int]()
			flinksim.CollectTransactional(flinksim.Map(src, "double", func(v int) (int, error) { return 2 * v, nil }), "sink", out)
			_, err := env.Execute(t.Context(), "chained")
			assert.Equal(t, 1, faults.Struck())
			require.ErrorIs(t, err, flinksim.ErrInjected)
		})
	}
}
