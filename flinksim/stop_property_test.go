package flinksim_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

var stopSeeds = flag.Int("flinksim.stop-seeds", 12, "number of seeds TestPropertyStopAndRescale runs")

// TestPropertyStopAndRescale: the keyed-count job at a random parallelism
// a, stopped with a savepoint (drained or not) at a random record of its
// first source subtask, then restored at a random parallelism b — 1 to 8,
// or the max parallelism (16 here, to keep a run short) — and run to its
// end, commits exactly the output
// of an uninterrupted run, and the final count of every key is right.
// Each seed is one such run, on the simulation; replay one with -run
// 'TestPropertyStopAndRescale/seed=N$'. More seeds:
// -flinksim.stop-seeds=200.
//
// Mutants this catches (each found by the first seeds): the sources not
// suspended after a stop's barrier is not caught (the sink aborts what
// follows), see TestStopWithoutDrainEmitsNothingPastTheSavepoint; the
// stop's savepoint not committing (records left pre-committed); restored
// source splits dealt by j%oldParallelism (records lost at b < a).
func TestPropertyStopAndRescale(t *testing.T) {
	const maxP = 16
	want := cpStraightCounts(t)
	for seed := range *stopSeeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 77))
			a := 1 + rng.IntN(8)
			b := 1 + rng.IntN(8)
			if rng.IntN(4) == 0 {
				b = maxP
			}
			drain := rng.IntN(2) == 0
			after := 1 + rng.Int64N(int64(cpRestoreRecords/a/2))
			t.Logf("parallelism %d -> %d, drain %v, stop after %d records of numbers (0)", a, b, drain, after)

			store, _ := cpMemStore(t)
			out := flinksim.NewTransactionalCollector[keyCount]()
			env := flinksim.NewEnvironment(flinksim.WithParallelism(a), flinksim.WithMaxParallelism(maxP), flinksim.WithBatchSize(1+rng.IntN(16)),
				flinksim.WithSimulation(uint64(seed), nil),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: cpMillis(1 + rng.IntN(30))}),
				flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", After: after, Name: "stop", Stop: true, Drain: drain}))
			cpKeyedCounts(env, out, false)
			res, err := env.Execute(cpDeadline(t), "first")
			require.NoError(t, err)
			stopped := false
			for _, r := range res.Checkpoints.History {
				stopped = stopped || r.Savepoint == "stop" && r.Status == flinksim.CheckpointCompleted
			}
			require.True(t, stopped, "the stop's savepoint did not complete: %+v", res.Checkpoints.History)
			require.Zero(t, out.Uncommitted(), "pre-committed output left behind by the stop")

			env = flinksim.NewEnvironment(flinksim.WithParallelism(b), flinksim.WithMaxParallelism(maxP), flinksim.WithSimulation(uint64(seed)+1000, nil),
				flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: cpMillis(5)}),
				flinksim.WithRestoreFrom("savepoints/stop", false))
			cpKeyedCounts(env, out, false)
			_, err = env.Execute(cpDeadline(t), "resumed")
			require.NoError(t, err)
			got := sortedCounts(out.Committed())
			require.True(t, assertSameMultiset(t, want, got, "committed output"))
			require.Equal(t, cpFinalCounts(want), cpFinalCounts(got))
		})
	}
}

// cpMillis is n milliseconds.
func cpMillis(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// TestSavepointAt: a savepoint asked for at a record count is taken once,
// on either executor, and the job goes on (or stops, with Stop); points
// the job cannot reach are refused by Start.
//
// Mutant this catches: the Records hook not called for source tasks (the
// savepoint is never taken).
func TestSavepointAt(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		out := flinksim.NewTransactionalCollector[keyCount]()
		env := ex.newEnv(flinksim.WithParallelism(2),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", Subtask: 1, After: 300, Name: "at-300"}))
		cpKeyedCounts(env, out, false)
		res, err := env.Execute(cpDeadline(t), "at")
		require.NoError(t, err)
		var taken int
		for _, r := range res.Checkpoints.History {
			if r.Savepoint == "at-300" && r.Status == flinksim.CheckpointCompleted {
				taken++
			}
		}
		require.Equal(t, 1, taken, "%+v", res.Checkpoints.History)
		require.Len(t, out.Committed(), cpRestoreRecords, "a savepoint does not stop the job")
	})
	for name, c := range map[string]struct {
		opts []flinksim.Option
		is   error
	}{
		"no checkpointing": {[]flinksim.Option{flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", Name: "x"})}, flinksim.ErrInvalidConfig},
		"no such operator": {[]flinksim.Option{flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "nope", Name: "x"})}, flinksim.ErrUnknownFaultTarget},
		"no such subtask": {[]flinksim.Option{flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", Subtask: 2, Name: "x"})}, flinksim.ErrUnknownFaultTarget},
		"drain without stop": {[]flinksim.Option{flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "numbers", Drain: true, Name: "x"})}, flinksim.ErrInvalidConfig},
	} {
		t.Run(name, func(t *testing.T) {
			env := flinksim.NewEnvironment(append(c.opts, flinksim.WithParallelism(2))...)
			cpKeyedCounts(env, flinksim.NewTransactionalCollector[keyCount](), false)
			_, err := env.Start(t.Context(), name)
			require.ErrorIs(t, err, c.is)
		})
	}
}
