package flinksim_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestWindowInvalidConfigs: a window operator built with a zero assigner,
// a count trigger below 1, a negative allowed lateness or a late side
// output with an empty tag is refused when the job is built, with an
// error that names the operator and the mistake.
//
// Mutants, each fails this test: validate accepting the zero assigner;
// CountTrigger accepting 0; AllowedLateness not checking its argument;
// SideOutputLateData accepting the empty tag.
func TestWindowInvalidConfigs(t *testing.T) {
	cases := []struct {
		name    string
		window  func(ks flinksim.KeyedStream[string, winEv]) flinksim.WindowedStream[string, winEv]
		is      error
		message string
	}{
		{"zero assigner", func(ks flinksim.KeyedStream[string, winEv]) flinksim.WindowedStream[string, winEv] {
			return ks.Window(flinksim.WindowAssigner{})
		}, flinksim.ErrInvalidConfig, "zero WindowAssigner"},
		{"count trigger of 0", func(ks flinksim.KeyedStream[string, winEv]) flinksim.WindowedStream[string, winEv] {
			return ks.Window(flinksim.GlobalWindows()).Trigger(flinksim.CountTrigger(0))
		}, flinksim.ErrInvalidConfig, "count trigger of 0 records"},
		{"negative lateness", func(ks flinksim.KeyedStream[string, winEv]) flinksim.WindowedStream[string, winEv] {
			return ks.Window(flinksim.TumblingEventTimeWindows(time.Second)).AllowedLateness(-time.Second)
		}, flinksim.ErrInvalidConfig, "allowed lateness -1s"},
		{"empty late tag", func(ks flinksim.KeyedStream[string, winEv]) flinksim.WindowedStream[string, winEv] {
			return ks.Window(flinksim.TumblingEventTimeWindows(time.Second)).SideOutputLateData(flinksim.NewOutputTag[winEv](""))
		}, flinksim.ErrInvalidStream, "empty tag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
			ws := tc.window(flinksim.KeyBy(winInput(env, []winEv{winRec("a", 1, 1)}), winKey))
			flinksim.Collect(flinksim.ReduceWindow(ws, "window", winSum), "out")
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, tc.is)
			assert.ErrorContains(t, err, tc.message)
			assert.ErrorContains(t, err, `"window"`)
		})
	}
}

// TestWindowRecordWithoutTimestamp: a record without a timestamp (no
// assigner stamped it) reaching an event-time window fails the job with
// ErrWindowTimestamp; a processing-time window takes it.
//
// Mutant: appendWindows not checking for NoTimestamp (the record lands in
// a window at math.MinInt64) fails this test.
func TestWindowRecordWithoutTimestamp(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1))
		in := flinksim.FromSlice(env, "input", []winEv{winRec("a", 1, 1)})
		ws := flinksim.KeyBy(in, winKey).Window(flinksim.TumblingEventTimeWindows(time.Second))
		flinksim.Collect(flinksim.ReduceWindow(ws, "window", winSum), "out")
		_, err := env.Execute(t.Context(), t.Name())
		require.ErrorIs(t, err, flinksim.ErrWindowTimestamp)
		assert.ErrorContains(t, err, "record has no timestamp")

		env = ex.newEnv(flinksim.WithParallelism(1))
		in = flinksim.FromSlice(env, "input", []winEv{winRec("a", 1, 1), winRec("a", 2, 2)})
		ws = flinksim.KeyBy(in, winKey).Window(flinksim.GlobalWindows()).Trigger(flinksim.CountTrigger(2))
		out := flinksim.Collect(flinksim.ReduceWindow(ws, "window", winSum), "out")
		_, err = env.Execute(t.Context(), t.Name())
		require.NoError(t, err)
		assert.Equal(t, []winEv{{K: "a", V: 3}}, out.Values())
	})
}

// TestWindowAll: WindowAll sends every record to one window operator
// subtask, whatever the job's parallelism, with the zero key; asking it
// for another parallelism is refused when the job is built.
//
// Mutants, each fails this test: WindowAll not setting all (the operator
// runs at the job's parallelism: windows split over subtasks, and the
// option accepted); addVertex not refusing a non-parallel operator's
// Parallelism(2).
func TestWindowAll(t *testing.T) {
	in := []winEv{winRec("a", 1, 1), winRec("b", 2, 2), winRec("c", 3, 4), winRec("d", 11, 8), winRec("e", 12, 16)}
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(3))
		ws := flinksim.WindowAll(winInput(env, in), flinksim.TumblingEventTimeWindows(10*ms))
		sums := flinksim.ProcessWindow(ws, "all", flinksim.ProcessWindowFunc[struct{}, winEv, winFired](
			func(ctx *flinksim.WindowContext[struct{}], es []winEv, out flinksim.Collector[winFired]) error {
				sum := 0
				for _, e := range es {
					sum += e.V
				}
				out.Collect(winFired{Start: ctx.Window().Start, Sum: sum, N: len(es)})
				return nil
			}))
		out := flinksim.Collect(sums, "out")
		job := startJob(t, env)
		require.NoError(t, job.Wait(t.Context()))
		assertSameMultiset(t, []winFired{{Start: 0, Sum: 7, N: 3}, {Start: 10, Sum: 24, N: 2}}, out.Values())
		_, par := taskNames(job)
		assert.Equal(t, 1, par["all"])
	})

	env := flinksim.NewEnvironment(flinksim.WithParallelism(3))
	ws := flinksim.WindowAll(winInput(env, in), flinksim.TumblingEventTimeWindows(10*ms))
	flinksim.Collect(flinksim.ReduceWindow(ws, "all", winSum, flinksim.Parallelism(2)), "out")
	_, err := env.Execute(t.Context(), t.Name())
	require.ErrorIs(t, err, flinksim.ErrInvalidParallelism)
	assert.ErrorContains(t, err, `"all" is a non-parallel operator; its parallelism must be 1, not 2`)
}
