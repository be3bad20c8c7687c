package flinksim_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// shuffleJob builds a job with every kind of edge: two sources, a union,
// a rebalance, a broadcast and a key-by. It returns its sinks.
func shuffleJob(env *flinksim.Environment, n int) (*flinksim.CollectSink[kv], *flinksim.CollectSink[int]) {
	a := parallelSlice(env, "a", seq(0, n), flinksim.Parallelism(2))
	b := flinksim.Generate(env, "b", int64(n), func(i int64) (int, error) { return int(1000 + i), nil }, flinksim.Parallelism(3))
	u := flinksim.Map(flinksim.Rebalance(flinksim.Union(a, b)), "kv", func(v int) (kv, error) {
		return kv{K: "k" + strconv.Itoa(v%5), V: v}, nil
	})
	sums := flinksim.Reduce(flinksim.KeyBy(u, kvKey), "sum", func(x, y kv) (kv, error) { return kv{K: x.K, V: x.V + y.V}, nil })
	bc := flinksim.Collect(flinksim.Broadcast(flinksim.Filter(a, "small", func(v int) (bool, error) { return v < 3, nil })), "bc", flinksim.Parallelism(3))
	return flinksim.Collect(sums, "sums", flinksim.Parallelism(1)), bc
}

func simTrace(t *testing.T, seed uint64, n int) ([]byte, []kv) {
	t.Helper()
	var trace bytes.Buffer
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4), flinksim.WithSimulation(seed, &trace))
	sums, _ := shuffleJob(env, n)
	_, err := env.Execute(t.Context(), "shuffle")
	require.NoError(t, err)
	return trace.Bytes(), sums.Values()
}

// TestSimulationReplays: a seed replays a run exactly, event for event and
// record for record (the sink has parallelism 1, so even the order of
// the rolling sums is replayed).
func TestSimulationReplays(t *testing.T) {
	for _, seed := range []uint64{0, 1, 2, 42, 1 << 40, 0xdeadbeef} {
		t.Run(strconv.FormatUint(seed, 10), func(t *testing.T) {
			trace1, out1 := simTrace(t, seed, 50)
			trace2, out2 := simTrace(t, seed, 50)
			require.NotEmpty(t, trace1)
			assert.Equal(t, string(trace1), string(trace2))
			assert.Equal(t, out1, out2)
		})
	}
}

// TestSimulationSeedsDiffer: different seeds choose different
// interleavings, yet the same final results.
func TestSimulationSeedsDiffer(t *testing.T) {
	traces := make(map[string]uint64)
	var finals map[string]int
	for seed := range uint64(8) {
		trace, out := simTrace(t, seed, 50)
		if other, ok := traces[string(trace)]; ok {
			t.Errorf("seeds %d and %d gave the same trace", other, seed)
		}
		traces[string(trace)] = seed
		final := make(map[string]int)
		for k, vs := range byKey(out) {
			final[k] = vs[len(vs)-1]
		}
		if finals == nil {
			finals = final
		}
		assert.Equal(t, finals, final, "seed %d", seed)
	}
	// The concurrent executor agrees.
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(4))
	sums, bc := shuffleJob(env, 50)
	_, err := env.Execute(t.Context(), "shuffle")
	require.NoError(t, err)
	final := make(map[string]int)
	for k, vs := range byKey(sums.Values()) {
		final[k] = vs[len(vs)-1]
	}
	assert.Equal(t, finals, final)
	for i := range 3 {
		assertSameMultiset(t, []int{0, 1, 2}, bc.Subtask(i))
	}
}

// TestSimulationTraceGolden pins the trace of a small job. The trace is
// part of what users see when they replay a seed; a change to it should be
// deliberate. Regenerate with:
//
//	go test ./flinksim -run TestSimulationTraceGolden -rewrite
func TestSimulationTraceGolden(t *testing.T) {
	var trace bytes.Buffer
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(2), flinksim.WithSimulation(7, &trace))
	src := parallelSlice(env, "src", []kv{{"a", 1}, {"b", 2}, {"a", 3}, {"c", 4}, {"b", 5}, {"a", 6}})
	sums := flinksim.Reduce(flinksim.KeyBy(src, kvKey), "sum", func(x, y kv) (kv, error) { return kv{K: x.K, V: x.V + y.V}, nil })
	out := flinksim.Collect(sums, "out")
	_, err := env.Execute(t.Context(), "golden")
	require.NoError(t, err)
	assert.Equal(t, map[string]int{"a": 10, "b": 7, "c": 4}, finalByKey(out.Values()))

	path := filepath.Join("testdata", "sim_trace.golden")
	if *rewrite {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, trace.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -rewrite to create it")
	assert.Equal(t, string(want), trace.String(), "trace changed; if on purpose, rerun with -rewrite")
}

// TestSimulationCheckpointTraceGolden pins the trace of a checkpointed job
// with a failure: two sources unioned into a keyed count and a
// two-phase-commit sink, exactly-once checkpoints, one fault — barriers,
// alignment (blocked and released inputs), snapshots, acknowledgements,
// completions, pre-commits and commits, the failure and the restore with
// the sources' positions. Regenerate with:
//
//	go test ./flinksim -run TestSimulationCheckpointTraceGolden -rewrite
func TestSimulationCheckpointTraceGolden(t *testing.T) {
	var trace bytes.Buffer
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(2), flinksim.WithSimulation(5, &trace),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 4 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
		flinksim.WithFaults(flinksim.NewFaultInjector(flinksim.Fault{Operator: "count", Point: flinksim.FaultRecord, After: 7})))
	a := flinksim.Generate(env, "a", 6, func(i int64) (int, error) { return int(i % 2), nil })
	b := flinksim.Generate(env, "b", 6, func(i int64) (int, error) { return 10 + int(i%2), nil })
	counts := flinksim.Process(flinksim.KeyBy(flinksim.Union(a, b), func(k int) int { return k }), "count", cpCounter)
	out := flinksim.NewTransactionalCollector[keyCount]()
	flinksim.CollectTransactional(counts, "sink", out)
	res, err := env.Execute(t.Context(), "golden-checkpoints")
	require.NoError(t, err)
	require.Equal(t, int64(1), res.Restarts)
	require.Len(t, out.Committed(), 12)

	path := filepath.Join("testdata", "sim_trace_checkpoints.golden")
	if *rewrite {
		require.NoError(t, os.WriteFile(path, trace.Bytes(), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -rewrite to create it")
	assert.Equal(t, string(want), trace.String(), "trace changed; if on purpose, rerun with -rewrite")
}

// finalByKey returns the largest value of each key.
func finalByKey(rs []kv) map[string]int {
	m := make(map[string]int)
	for _, r := range rs {
		if v, ok := m[r.K]; !ok || r.V > v {
			m[r.K] = r.V
		}
	}
	return m
}
