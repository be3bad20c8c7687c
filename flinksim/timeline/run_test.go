package timeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/timeline"
)

type keyCount struct {
	Key, N int
}

// counter counts the records of each key in keyed state.
func counter(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, keyCount], error) {
	c := flinksim.NewValueState[int](rt, "n")
	return flinksim.ProcessFunc[int, int, keyCount](func(_ *flinksim.KeyedContext[int], k int, out flinksim.Collector[keyCount]) error {
		n, _ := c.Value()
		c.Update(n + 1)
		out.Collect(keyCount{k, n + 1})
		return nil
	}), nil
}

// run is one seeded run of a job with two parallel sources, a key-by, a
// keyed count and a two-phase-commit sink, exactly-once or at-least-once
// checkpoints, and a failure of the count after failAfter records (none
// if 0). It returns the run's events and its placement.
type run struct {
	events    []flinksim.TraceEvent
	subtasks  []flinksim.SubtaskInfo
	committed []keyCount
}

func runJob(t testing.TB, seed uint64, mode flinksim.CheckpointingMode, failAfter int64) run {
	t.Helper()
	var rec timeline.Recorder
	opts := []flinksim.Option{
		flinksim.WithParallelism(2), flinksim.WithBatchSize(3), flinksim.WithTaskManagers(2, 1),
		flinksim.WithSimulation(seed, nil), flinksim.WithTracer(rec.Trace),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, Mode: mode}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
	}
	if failAfter > 0 {
		opts = append(opts, flinksim.WithFaults(flinksim.NewFaultInjector(
			flinksim.Fault{Operator: "count", Subtask: 1, Point: flinksim.FaultRecord, After: failAfter})))
	}
	env := flinksim.NewEnvironment(opts...)
	a := flinksim.Generate(env, "a", 24, func(i int64) (int, error) { return int(i % 3), nil })
	b := flinksim.Generate(env, "b", 24, func(i int64) (int, error) { return 3 + int(i%3), nil })
	counts := flinksim.Process(flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k }), "count", counter)
	out := flinksim.NewTransactionalCollector[keyCount]()
	flinksim.CollectTransactional(counts, "sink", out)
	job, err := env.Start(context.Background(), "teach")
	require.NoError(t, err)
	require.NoError(t, job.Wait(context.Background()))
	return run{events: rec.Events(), subtasks: job.Subtasks(), committed: out.Committed()}
}
