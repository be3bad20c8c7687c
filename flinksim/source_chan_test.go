package flinksim_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/flinksim"
)

// send sends from..to-1 on ch from a goroutine the test owns, then closes
// ch if close is set.
func send(t *testing.T, ch chan<- int, from, to int, close bool) {
	var wg sync.WaitGroup
	t.Cleanup(wg.Wait)
	wg.Go(func() {
		for i := from; i < to; i++ {
			ch <- i
		}
		if close {
			closeChan(ch)
		}
	})
}

func closeChan(ch chan<- int) { close(ch) }

// TestFromChan: records sent on a channel reach the sink in the order
// sent, and closing the channel ends the job, on both executors. The
// sender blocks while the job is behind (the source buffers a bounded
// number of records), and the task waits without polling in between.
//
// Mutants this catches: the simulation not hearing the source's signal
// (it waits on nothing: the deadline fails the test); the signal not
// waking the task on the concurrent executor (the same).
func TestFromChan(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		defer goleak.VerifyNone(t)
		env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithBatchSize(8))
		ch := make(chan int)
		out := flinksim.Collect(flinksim.FromChan(env, "pushed", ch), "out")
		job := startJob(t, env)
		send(t, ch, 0, 1000, true)
		require.NoError(t, job.Wait(cpDeadline(t)))
		assert.Equal(t, seq(0, 1000), out.Values())
	})
}

// TestFromChanWaitingJobCheckpointsAndCancels: a job whose channel source
// has nothing to read takes its checkpoints and is cancelled at once —
// before, a source waiting inside its poll made checkpoints time out and
// Cancel hang. The reader's goroutine is stopped with the job.
//
// Mutants this catches: the signal not waking the task (the records
// never arrive: the deadline fails the test); the reader's Close not
// stopping its goroutine (goleak); the simulation, waiting for the
// source, not hearing the checkpoint request (it waits an hour).
func TestFromChanWaitingJobCheckpointsAndCancels(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		defer goleak.VerifyNone(t)
		env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour}))
		ch := make(chan int)
		got := make(chan int, 10)
		flinksim.Sink(flinksim.FromChan(env, "pushed", ch), "sink", func(v int) error {
			got <- v
			return nil
		})
		job := startJob(t, env)
		send(t, ch, 0, 10, false)
		ctx := cpDeadline(t)
		for want := range 10 {
			select {
			case v := <-got:
				require.Equal(t, want, v)
			case <-ctx.Done():
				t.Fatalf("record %d did not arrive: %v", want, ctx.Err())
			}
		}
		rec, err := job.TriggerCheckpoint(ctx)
		require.NoError(t, err, "a checkpoint while the source waits")
		assert.Equal(t, flinksim.CheckpointCompleted, rec.Status)
		job.Cancel()
		require.ErrorIs(t, job.Wait(ctx), flinksim.ErrCanceled)
	})
}

// TestFromChanRestartKeepsBufferedRecords: records the source took from
// the channel but had not emitted when the job failed are read by the
// restarted job, not lost. With the sink chained to the source and a
// batch of one, no record is in flight at the failure, so the output is
// every record, once.
//
// Mutant this catches: the buffer held by the reader instead of the
// source (the records in the failed reader's buffer are lost).
func TestFromChanRestartKeepsBufferedRecords(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1), flinksim.WithBatchSize(1),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
			flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "out", Point: flinksim.FaultRecord, After: 5})))
		ch := make(chan int, 200) // the source's buffer fills up before the failure
		send(t, ch, 0, 200, true)
		out := flinksim.Collect(flinksim.FromChan(env, "pushed", ch), "out")
		job := startJob(t, env)
		require.NoError(t, job.Wait(cpDeadline(t)))
		assert.Equal(t, int64(1), job.Restarts())
		assert.Equal(t, seq(0, 200), out.Values())
	})
}
