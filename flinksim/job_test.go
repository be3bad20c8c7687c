package flinksim_test

import (
	"context"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/flinksim/go-flinksim/flinksim"
)

// gate lets a test hold a sink inside its function: the sink signals
// entered (once) and blocks until the test closes release.
type gate struct {
	entered chan struct{}
	release chan struct{}
	once    sync.Once
}

func newGate() *gate { return &gate{entered: make(chan struct{}), release: make(chan struct{})} }

func (g *gate) wait(int) error {
	g.once.Do(func() { close(g.entered) })
	<-g.release
	return nil
}

// infinite is a source with (practically) no end.
func infinite(env *flinksim.Environment) flinksim.Stream[int64] {
	return flinksim.Generate(env, "src", 1<<62, func(i int64) (int64, error) { return i, nil })
}

func TestJobFinishes(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		g := newGate()
		src := parallelSlice(env, "src", seq(0, 100))
		flinksim.Sink(flinksim.Rebalance(src), "sink", g.wait, flinksim.Parallelism(1))
		job := startJob(t, env)
		assert.Equal(t, t.Name(), job.Name())
		assert.Equal(t, flinksim.JobRunning, job.Status())
		assert.Equal(t, "RUNNING", job.Status().String())
		assert.False(t, job.Status().IsTerminal())

		<-g.entered
		// The sink is inside its function: it is RUNNING, and so is the job.
		assert.Equal(t, flinksim.JobRunning, job.Status())
		assert.NoError(t, job.Err())
		for _, s := range job.Subtasks() {
			if s.Task == "sink" {
				assert.Equal(t, flinksim.SubtaskRunning, s.Status)
				assert.Equal(t, "RUNNING", s.Status.String())
			}
		}
		select {
		case <-job.Done():
			t.Fatal("job ended while its sink is blocked")
		default:
		}
		// Wait gives up with its context, leaving the job running.
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		assert.ErrorIs(t, job.Wait(ctx), context.Canceled)
		assert.Equal(t, flinksim.JobRunning, job.Status())

		close(g.release)
		require.NoError(t, job.Wait(t.Context()))
		assert.Equal(t, flinksim.JobFinished, job.Status())
		assert.Equal(t, "FINISHED", job.Status().String())
		assert.True(t, job.Status().IsTerminal())
		assert.NoError(t, job.Err())
		assert.Equal(t, map[flinksim.SubtaskStatus]int{flinksim.SubtaskFinished: 3}, statusCounts(job))
		// Cancelling a finished job changes nothing.
		job.Cancel()
		assert.Equal(t, flinksim.JobFinished, job.Status())
		require.NoError(t, job.Wait(t.Context()))
	})
}

func checkCanceled(t *testing.T, job *flinksim.JobClient, err error) {
	t.Helper()
	require.ErrorIs(t, err, flinksim.ErrCanceled)
	assert.Equal(t, flinksim.JobCanceled, job.Status())
	assert.Equal(t, "CANCELED", job.Status().String())
	assert.ErrorIs(t, job.Err(), flinksim.ErrCanceled)
	n := statusCounts(job)
	assert.Positive(t, n[flinksim.SubtaskCanceled])
	assert.Equal(t, len(job.Subtasks()), n[flinksim.SubtaskCanceled]+n[flinksim.SubtaskFinished], "%v", n)
}

func TestCancel(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		defer goleak.VerifyNone(t)
		env := ex.newEnv(flinksim.WithParallelism(2))
		var once sync.Once
		started := make(chan struct{})
		src := infinite(env)
		flinksim.Sink(flinksim.Rebalance(src), "sink", func(int64) error {
			once.Do(func() { close(started) })
			return nil
		}, flinksim.Parallelism(3))
		job := startJob(t, env)
		<-started
		job.Cancel()
		assert.Contains(t, []flinksim.JobStatus{flinksim.JobCancelling, flinksim.JobCanceled}, job.Status())
		job.Cancel() // twice is harmless
		checkCanceled(t, job, job.Wait(t.Context()))
	})
}

func TestCancelBlockedSink(t *testing.T) {
	// The concurrent executor stops a job whose producers are blocked on
	// a full consumer (backpressure). (The simulation runs on one
	// goroutine: a blocked sink blocks it, so it is not tested here.)
	defer goleak.VerifyNone(t)
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4))
	g := newGate()
	src := infinite(env)
	m := flinksim.Map(src, "m", identity[int64])
	flinksim.Sink(flinksim.Rebalance(m), "sink", func(int64) error { return g.wait(0) }, flinksim.Parallelism(1))
	job := startJob(t, env)
	<-g.entered
	job.Cancel()
	close(g.release)
	checkCanceled(t, job, job.Wait(t.Context()))
}

func TestCancelContext(t *testing.T) {
	t.Run("Start", func(t *testing.T) {
		forEachExecutor(t, func(t *testing.T, ex executor) {
			defer goleak.VerifyNone(t)
			env := ex.newEnv(flinksim.WithParallelism(2))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var once sync.Once
			flinksim.Sink(infinite(env), "sink", func(int64) error {
				once.Do(cancel)
				return nil
			})
			job, err := env.Start(ctx, "ctx")
			require.NoError(t, err)
			err = job.Wait(t.Context())
			assert.ErrorIs(t, err, context.Canceled)
			checkCanceled(t, job, err)
		})
	})
	t.Run("Execute", func(t *testing.T) {
		forEachExecutor(t, func(t *testing.T, ex executor) {
			defer goleak.VerifyNone(t)
			env := ex.newEnv(flinksim.WithParallelism(2))
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var once sync.Once
			flinksim.Sink(flinksim.Rebalance(infinite(env)), "sink", func(int64) error {
				once.Do(cancel)
				return nil
			}, flinksim.Parallelism(1))
			res, err := env.Execute(ctx, "ctx")
			assert.Nil(t, res)
			assert.ErrorIs(t, err, flinksim.ErrCanceled)
			assert.ErrorIs(t, err, context.Canceled)
		})
	})
	t.Run("already cancelled", func(t *testing.T) {
		forEachExecutor(t, func(t *testing.T, ex executor) {
			env := ex.newEnv(flinksim.WithParallelism(2))
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			flinksim.Sink(infinite(env), "sink", discardSink[int64])
			_, err := env.Execute(ctx, "ctx")
			assert.ErrorIs(t, err, flinksim.ErrCanceled)
		})
	})
}

func TestPlacement(t *testing.T) {
	type place struct{ Task, Subtask, TM, Slot int }
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithTaskManagers(2, 2), flinksim.WithParallelism(4))
		src := parallelSlice(env, "src", seq(0, 10))
		flinksim.Sink(flinksim.Rebalance(src), "sink", discardSink[int])
		flinksim.Sink(flinksim.Rebalance(src), "small", discardSink[int], flinksim.Parallelism(2))
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		got := make(map[string][]place)
		for _, s := range job.Subtasks() {
			got[s.Task] = append(got[s.Task], place{Subtask: s.Subtask, TM: s.TaskManager, Slot: s.Slot})
		}
		for _, ps := range got {
			sort.Slice(ps, func(i, j int) bool { return ps[i].Subtask < ps[j].Subtask })
		}
		// Subtask i of every operator shares slot i: TM i/2, slot i%2.
		all := []place{{0, 0, 0, 0}, {0, 1, 0, 1}, {0, 2, 1, 0}, {0, 3, 1, 1}}
		assert.Equal(t, map[string][]place{"src": all, "sink": all, "small": all[:2]}, got)
	})
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(3))
		flinksim.Sink(parallelSlice(env, "src", seq(0, 10)), "sink", discardSink[int])
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		for _, s := range job.Subtasks() {
			assert.Equal(t, s.Subtask, s.TaskManager, "one slot per task manager by default")
			assert.Equal(t, 0, s.Slot)
		}
	})
}

func TestMetrics(t *testing.T) {
	type io struct{ In, Out int64 }
	want := map[string]io{
		"src":    {0, 100},
		"even":   {100, 50},
		"double": {50, 100},
		"sink":   {100, 0},
	}
	wantSubtasks := map[string]int{"src": 2, "even": 2, "double": 2, "sink": 3}
	check := func(t *testing.T, ms []flinksim.OperatorMetrics) {
		got := make(map[string]io)
		subtasks := make(map[string]int)
		for _, m := range ms {
			g := got[m.Operator]
			g.In += m.RecordsIn
			g.Out += m.RecordsOut
			got[m.Operator] = g
			subtasks[m.Operator]++
			assert.Less(t, m.Subtask, wantSubtasks[m.Operator])
		}
		assert.Equal(t, want, got)
		assert.Equal(t, wantSubtasks, subtasks)
	}
	build := func(env *flinksim.Environment) {
		src := parallelSlice(env, "src", seq(0, 100))
		even := flinksim.Filter(src, "even", func(v int) (bool, error) { return v%2 == 0, nil })
		double := flinksim.FlatMap(even, "double", func(v int, out flinksim.Collector[int]) error {
			out.Collect(v)
			out.Collect(v)
			return nil
		})
		flinksim.Sink(flinksim.Rebalance(double), "sink", discardSink[int], flinksim.Parallelism(3))
	}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		t.Run("JobClient", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(2))
			build(env)
			job := startJob(t, env)
			require.NoError(t, job.Wait(t.Context()))
			check(t, job.Metrics())
		})
		t.Run("JobResult", func(t *testing.T) {
			env := ex.newEnv(flinksim.WithParallelism(2))
			build(env)
			res, err := env.Execute(t.Context(), "metrics")
			require.NoError(t, err)
			assert.Equal(t, "metrics", res.Name)
			assert.GreaterOrEqual(t, res.Duration, time.Duration(0))
			check(t, res.Metrics)
		})
	})
}

func TestJobStatusString(t *testing.T) {
	for s, want := range map[flinksim.JobStatus]string{
		flinksim.JobCreated: "CREATED", flinksim.JobRunning: "RUNNING", flinksim.JobCancelling: "CANCELLING",
		flinksim.JobFinished: "FINISHED", flinksim.JobFailed: "FAILED", flinksim.JobCanceled: "CANCELED",
		flinksim.JobStatus(42): "JobStatus(42)",
	} {
		assert.Equal(t, want, s.String())
	}
	for s, want := range map[flinksim.SubtaskStatus]string{
		flinksim.SubtaskDeploying: "DEPLOYING", flinksim.SubtaskInitializing: "INITIALIZING", flinksim.SubtaskRunning: "RUNNING",
		flinksim.SubtaskFinished: "FINISHED", flinksim.SubtaskCanceled: "CANCELED", flinksim.SubtaskFailed: "FAILED",
	} {
		assert.Equal(t, want, s.String())
	}
	assert.False(t, flinksim.JobCancelling.IsTerminal())
	assert.True(t, flinksim.JobCanceled.IsTerminal())
}

func TestSubtaskStatusStringOutOfRange(t *testing.T) {
	assert.NotPanics(t, func() { _ = flinksim.SubtaskStatus(42).String() })
}

// TestObserveRunningJob reads a running job's status, metrics and partial
// output from another goroutine (the race detector checks the reads).
func TestObserveRunningJob(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2), flinksim.WithBatchSize(8))
		g := newGate()
		src := parallelSlice(env, "src", seq(0, 100), flinksim.Parallelism(1))
		m := flinksim.Map(src, "gate", func(v int) (int, error) {
			if v == 30 {
				_ = g.wait(v)
			}
			return v, nil
		}, flinksim.Parallelism(1))
		out := flinksim.Collect(flinksim.Rebalance(m), "out", flinksim.Parallelism(3))
		job := startJob(t, env)
		<-g.entered
		assert.LessOrEqual(t, len(out.Values()), 30)
		for _, mt := range job.Metrics() {
			assert.LessOrEqual(t, mt.RecordsIn, int64(100))
		}
		assert.Len(t, job.Subtasks(), 1+3)
		assert.NoError(t, job.Err())
		close(g.release)
		require.NoError(t, job.Wait(t.Context()))
		assertSameMultiset(t, seq(0, 100), out.Values())
	})
}

func TestManualClock(t *testing.T) {
	t0 := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	clk := flinksim.NewManualClock(t0)
	assert.Equal(t, t0, clk.Now())
	clk.Advance(time.Minute)
	assert.Equal(t, t0.Add(time.Minute), clk.Now())
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithClock(clk))
		var seen time.Time
		flinksim.SinkTo(parallelSlice(env, "src", []int{1}), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			seen = rt.Now()
			return flinksim.SinkWriterFunc[int](discardSink[int]), nil
		})
		res, err := env.Execute(t.Context(), "clock")
		require.NoError(t, err)
		if ex.name == "concurrent" {
			assert.Equal(t, t0.Add(time.Minute), seen)
			assert.Zero(t, res.Duration, "the job's duration is measured on the clock")
			return
		}
		// The simulation's virtual time starts at the clock's time and
		// moves 1ms per step.
		assert.False(t, seen.Before(t0.Add(time.Minute)), "virtual time starts at the clock's time")
		assert.Positive(t, res.Duration)
		assert.Zero(t, res.Duration%time.Millisecond)
	})
	assert.Equal(t, time.Minute, flinksim.NewEnvironment(flinksim.WithClock(clk)).Config().Clock.Now().Sub(t0))
}

func TestLogger(t *testing.T) {
	forEachExecutor(t, testLogger)
}

func testLogger(t *testing.T, ex executor) {
	core, logs := observer.New(zapcore.InfoLevel)
	env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithLogger(zap.New(core)))
	flinksim.SinkTo(parallelSlice(env, "src", []int{1}), "sink", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
		rt.Logger().Info("hello from sink")
		return flinksim.SinkWriterFunc[int](discardSink[int]), nil
	})
	_, err := env.Execute(t.Context(), "logged")
	require.NoError(t, err)
	assert.Equal(t, 1, logs.FilterMessage("job starting").FilterField(zap.String("job", "logged")).Len())
	assert.Equal(t, 1, logs.FilterMessage("job ended").Len())
	hello := logs.FilterMessage("hello from sink").All()
	require.Len(t, hello, 1)
	assert.Equal(t, "sink", hello[0].ContextMap()["operator"])
	assert.EqualValues(t, 0, hello[0].ContextMap()["subtask"])
}
