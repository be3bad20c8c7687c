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
// checkpoints, and the faults given. It returns the run's events, its
// placement and the committed output.
type run struct {
	events    []flinksim.TraceEvent
	subtasks  []flinksim.SubtaskInfo
	committed []keyCount
}

func runJob(t testing.TB, seed uint64, mode flinksim.CheckpointingMode, faults ...flinksim.Fault) run {
	t.Helper()
	var rec timeline.Recorder
	opts := []flinksim.Option{
		flinksim.WithParallelism(2), flinksim.WithBatchSize(3), flinksim.WithTaskManagers(2, 1),
		flinksim.WithSimulation(seed, nil), flinksim.WithTracer(rec.Trace),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * time.Millisecond, Mode: mode}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
	}
	inj := flinksim.NewFaultInjector(faults...)
	opts = append(opts, flinksim.WithFaults(inj))
	env := flinksim.NewEnvironment(opts...)
	a := flinksim.Generate(env, "a", 24, func(i int64) (int, error) { return int(i % 3), nil })
	b := flinksim.Generate(env, "b", 24, func(i int64) (int, error) { return 3 + int(i%3), nil })
	counts := flinksim.Process(flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k }), "count", counter)
	out := flinksim.NewTransactionalCollector[keyCount]()
	flinksim.CollectTransactional(counts, "sink", out)
	job, err := env.Start(context.Background(), "teach")
	require.NoError(t, err)
	require.NoError(t, job.Wait(context.Background()))
	require.Empty(t, inj.Unstruck(), "seed %d: a fault never struck", seed)
	return run{events: rec.Events(), subtasks: job.Subtasks(), committed: out.Committed()}
}
