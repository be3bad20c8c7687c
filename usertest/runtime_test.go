package usertest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// What a user of the runtime relies on, checked through the public API
// only (go doc ./flinksim): tracing shows alignment, a buffering sink
// keeps what a checkpoint covers, the graph is fixed at Start, and
// impossible settings are refused.

type batchingWriter struct {
	mu      *sync.Mutex
	durable *[]int
	buf     []int
}

func (w *batchingWriter) Write(v int) error { w.buf = append(w.buf, v); return nil }

// Flush is the method the SinkWriter documentation asks a buffering
// writer to have.
func (w *batchingWriter) Flush(bool) error {
	w.mu.Lock()
	*w.durable = append(*w.durable, w.buf...)
	w.mu.Unlock()
	w.buf = w.buf[:0]
	return nil
}

func TestBufferingSinkSurvivesRestartAtLeastOnce(t *testing.T) {
	var mu sync.Mutex
	var durable []int
	env := flinksim.NewEnvironment(
		flinksim.WithParallelism(2),
		flinksim.WithSimulation(3, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, Mode: flinksim.AtLeastOnce}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "out", Subtask: 0, Point: flinksim.FaultRecord, After: 200})),
	)
	in := make([]int, 1000)
	for i := range in {
		in[i] = i
	}
	flinksim.SinkTo(flinksim.Rebalance(flinksim.FromSlice(env, "numbers", in)), "out",
		func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
			return &batchingWriter{mu: &mu, durable: &durable}, nil
		})
	res, err := env.Execute(context.Background(), "batching")
	if err != nil {
		t.Fatal(err)
	}
	if res.Restarts != 1 {
		t.Fatalf("restarts = %d, want 1 (the fault did not strike)", res.Restarts)
	}
	seen := map[int]bool{}
	for _, v := range durable {
		seen[v] = true
	}
	for _, v := range in {
		if !seen[v] {
			t.Fatalf("record %d was lost", v)
		}
	}
}

func TestTracerShowsAlignment(t *testing.T) {
	var blocked, unblocked, completed int
	env := flinksim.NewEnvironment(
		flinksim.WithParallelism(1),
		flinksim.WithBatchSize(2),
		flinksim.WithSimulation(11, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 3 * time.Millisecond}),
		flinksim.WithTracer(func(ev flinksim.TraceEvent) {
			switch ev.Kind {
			case flinksim.TraceBlocked:
				blocked++
			case flinksim.TraceUnblocked:
				unblocked++
			case flinksim.TraceCompleted:
				if ev.Task == "" {
					completed++
				}
			}
		}),
	)
	a := flinksim.FromSlice(env, "a", make([]int, 200))
	b := flinksim.FromSlice(env, "b", make([]int, 200))
	sink := flinksim.Collect(flinksim.Union(a, b), "out")
	res, err := env.Execute(context.Background(), "aligned")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(sink.Values()); got != 400 {
		t.Fatalf("%d records, want 400", got)
	}
	if blocked == 0 || blocked != unblocked {
		t.Fatalf("blocked %d, unblocked %d: want some, and each released", blocked, unblocked)
	}
	if int64(completed) != res.Checkpoints.NumberOfCompletedCheckpoints {
		t.Fatalf("traced %d completions, metrics say %d", completed, res.Checkpoints.NumberOfCompletedCheckpoints)
	}
}

func TestNoOperatorsAfterStart(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	flinksim.Collect(flinksim.FromSlice(env, "a", []int{1, 2, 3}), "out")
	job, err := env.Start(context.Background(), "fixed")
	if err != nil {
		t.Fatal(err)
	}
	late := flinksim.FromSlice(env, "late", []int{4})
	if err := job.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(late.Err(), flinksim.ErrAlreadyExecuted) {
		t.Fatalf("late.Err() = %v, want ErrAlreadyExecuted", late.Err())
	}
}

func TestImpossibleSettingsAreRefused(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithBatchSize(1 << 26))
	flinksim.Collect(flinksim.FromSlice(env, "a", []int{1}), "out")
	if _, err := env.Execute(context.Background(), "huge"); !errors.Is(err, flinksim.ErrInvalidConfig) {
		t.Fatalf("err = %v, want ErrInvalidConfig", err)
	}
}
