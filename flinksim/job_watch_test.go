package flinksim_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestJobClientRestartedAndInitialized: Restarted closes at a restart,
// and Initialized of each attempt closes once its subtasks opened, with the
// error of one that failed to. A service that deploys a job waits on
// them, never polling.
//
// Mutants killed: Initialized's error function ignoring InitErr (a failed
// open reads as initialised); Restarted closed before the new attempt is
// the current one (Initialized then tells of the old attempt, 1 run in 30).
func TestJobClientRestartedAndInitialized(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	opened := 0
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)))
	in := make(chan int)
	src := flinksim.FromChan(env, "in", in)
	flinksim.SinkTo(src, "sink", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
		if opened++; opened == 2 {
			return nil, errors.New("the second attempt cannot open")
		}
		return flinksim.SinkWriterFunc[int](func(int) error { return errors.New("every record fails") }), nil
	})
	job, err := env.Start(ctx, "watch")
	require.NoError(t, err)
	initialized, initErr := job.Initialized()
	restarted := job.Restarted()
	<-initialized
	require.NoError(t, initErr(), "the first attempt opened")
	in <- 1 // fails the attempt
	<-restarted
	initialized, initErr = job.Initialized()
	<-initialized
	require.Error(t, initErr(), "the second attempt failed to open its sink")
	<-job.Done()
	require.Error(t, job.Err())
	require.EqualValues(t, 1, job.Restarts())
	require.Zero(t, job.Uptime(), "0 after the end, as documented")
}

// TestJobClientMaxParallelism is the least max parallelism of the job's
// operators: what a rescale may reach.
func TestJobClientMaxParallelism(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	src := flinksim.Generate(env, "numbers", 10, func(i int64) (int64, error) { return i, nil })
	keyed := flinksim.KeyBy(src, func(i int64) int64 { return i % 3 })
	sum := flinksim.Reduce(keyed, "sum", func(a, b int64) (int64, error) { return a + b, nil }, flinksim.MaxParallelism(16))
	flinksim.Collect(sum, "out")
	job, err := env.Start(context.Background(), "maxp")
	require.NoError(t, err)
	require.Equal(t, 16, job.MaxParallelism())
	require.NoError(t, job.Wait(context.Background()))
}
