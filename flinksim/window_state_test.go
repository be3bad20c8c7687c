package flinksim_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// winBoundaryKeys returns string keys whose key groups are the first and
// the last of every subtask's range at each parallelism given (max
// parallelism 128): a restore that mishandles a range's edge loses them.
func winBoundaryKeys(ps ...int) []string {
	want := map[int]bool{}
	for _, p := range ps {
		for i := range p {
			rg := keygroup.RangeFor(i, p, eoMaxParallelism)
			want[rg.Start], want[rg.End] = true, true
		}
	}
	var keys []string
	for i := 0; len(want) > 0; i++ {
		k := fmt.Sprint("k", i)
		if kg := keygroup.Of([]byte(k), eoMaxParallelism); want[kg] {
			delete(want, kg)
			keys = append(keys, k)
		}
	}
	return keys
}

// winStateInput is n records over keys, in event time advancing 2 ms a
// record with records up to 9 ms out of order, and a watermark every 7
// records 12 ms behind the largest time: windows of every kind are open,
// merged, fired and waiting for their timers at every point of the input.
// No record is late: a restored job's watermark starts again from the
// lowest, as Flink's does (watermarks are not in checkpoints), so which
// records are late would depend on where the job was restored.
func winStateInput(keys []string, n int) []winEv {
	var evs []winEv
	highest := int64(0)
	for i := range n {
		t := int64(2*i) - int64(i*7%10)
		evs = append(evs, winRec(keys[i*5%len(keys)], t, i))
		highest = max(highest, t)
		if i%7 == 6 {
			evs = append(evs, winWM(highest-12))
		}
	}
	return evs
}

// winStateJob is the job of the state tests: sessions (gap 10 ms, lateness
// 15 ms) and sliding windows (30 ms every 10 ms) summed per key, late
// records to a side output, all into one transactional collector.
func winStateJob(env *flinksim.Environment, evs []winEv, out *flinksim.TransactionalCollector[winFired]) {
	lateTag := flinksim.NewOutputTag[winEv]("late")
	in := winInput(env, evs)
	sessions := flinksim.KeyBy(in, winKey).Window(flinksim.EventTimeSessionWindows(10 * ms)).
		AllowedLateness(15 * ms).SideOutputLateData(lateTag)
	fired, late := winApply(sessions, "AggregateProcessWindow", lateTag)
	sliding := flinksim.ReduceProcessWindow(flinksim.KeyBy(in, winKey).Window(flinksim.SlidingEventTimeWindows(30*ms, 10*ms)),
		"sliding", winSum, flinksim.ProcessWindowFunc[string, winEv, winFired](
			func(ctx *flinksim.WindowContext[string], es []winEv, out flinksim.Collector[winFired]) error {
				out.Collect(winFired{K: "sliding " + ctx.Key(), Start: ctx.Window().Start, End: ctx.Window().End, Sum: es[0].V})
				return nil
			}))
	lateFired := flinksim.Map(late, "late-fired", func(e winEv) (winFired, error) {
		return winFired{K: "late " + e.K, Start: e.T, Sum: e.V}, nil
	})
	flinksim.CollectTransactional(winStamped(flinksim.Union(fired, sliding, lateFired)), "sink", out)
}

// winUninterrupted runs the state job to the end at parallelism 2,
// without checkpoints, and returns its output.
func winUninterrupted(t *testing.T, evs []winEv) []winFired {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(1, nil))
	out := flinksim.NewTransactionalCollector[winFired]()
	winStateJob(env, evs, out)
	_, err := env.Execute(t.Context(), "uninterrupted")
	require.NoError(t, err)
	require.NotEmpty(t, out.Committed())
	return out.Committed()
}

// TestWindowStateSurvivesRescale: a window job stopped with a savepoint
// half-way — open, merged and fired-but-not-cleared windows, pending
// timers — and resumed from it at another parallelism (1→3, 3→2), with
// keys at the edges of every subtask's key-group range, commits exactly
// the output of an uninterrupted run, on both executors.
//
// Mutants, each fails this test: windowOp.SnapshotState returning no keyed
// state (the resumed job knows no window); the restore skipping
// backend.Restore; the codec dropping an entry's filled flag (a reduce
// then starts over from the next record).
func TestWindowStateSurvivesRescale(t *testing.T) {
	keys := winBoundaryKeys(1, 2, 3)
	evs := winStateInput(keys, 600)
	want := winUninterrupted(t, evs)
	for _, ps := range [][2]int{{1, 3}, {3, 2}} {
		t.Run(fmt.Sprintf("%d to %d", ps[0], ps[1]), func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				dir := t.TempDir()
				out := flinksim.NewTransactionalCollector[winFired]()
				env := ex.newEnv(flinksim.WithParallelism(ps[0]),
					flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour, SavepointDir: dir}),
					flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "input", After: 300, Name: "half", Stop: true}))
				winStateJob(env, evs, out)
				res, err := env.Execute(t.Context(), "before")
				require.NoError(t, err)
				var path string
				for _, r := range res.Checkpoints.History {
					if r.Savepoint == "half" {
						path = r.Ref
					}
				}
				require.NotEmpty(t, path, "the savepoint was taken")
				if ex.name == "sim" { // the concurrent source may have read everything by then
					require.Less(t, len(out.Committed()), len(want), "the first job stopped half-way")
				}

				env = ex.newEnv(flinksim.WithParallelism(ps[1]), flinksim.WithRestoreFrom(path, false))
				winStateJob(env, evs, out)
				_, err = env.Execute(t.Context(), "after")
				require.NoError(t, err)
				assertSameMultiset(t, want, out.Committed())
			})
		})
	}
}

// TestWindowExactlyOnceWithFailures: the window job with exactly-once
// checkpoints, failing in the session window operator, the sliding one
// and the sink at several points, commits exactly the output of an
// uninterrupted run: window contents, merges and timers roll back with
// the checkpoint and are replayed, never doubled nor lost.
//
// Mutant: windowOp.SnapshotState returning no keyed state fails this
// test (windows before the last checkpoint are lost on restart).
func TestWindowExactlyOnceWithFailures(t *testing.T) {
	evs := winStateInput(winBoundaryKeys(2), 600)
	want := winUninterrupted(t, evs)
	for _, faults := range [][]flinksim.Fault{
		{{Operator: "window", Subtask: 0, Point: flinksim.FaultRecord, After: 150}},
		{{Operator: "sliding", Subtask: 1, Point: flinksim.FaultRecord, After: 100}, {Operator: "window", Subtask: 1, Point: flinksim.FaultSnapshot, After: 2}},
		{{Operator: "sink", Subtask: 0, Point: flinksim.FaultCommit, After: 1}, {Operator: "window", Subtask: 0, Point: flinksim.FaultRestore}},
	} {
		t.Run(fmt.Sprint(faults), func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				out := flinksim.NewTransactionalCollector[winFired]()
				env := ex.newEnv(flinksim.WithParallelism(2), flinksim.WithBatchSize(8),
					flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 5 * ms}),
					flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(10, 0)),
					flinksim.WithFaults(flinksim.NewFaultInjector(slices.Clone(faults)...)))
				winStateJob(env, evs, out)
				res, err := env.Execute(t.Context(), t.Name())
				require.NoError(t, err)
				require.Positive(t, res.Restarts, "a fault struck")
				assertSameMultiset(t, want, out.Committed())
			})
		})
	}
}

// TestWindowLateRecordAfterRestore: a window fired before a savepoint; the
// resumed job's watermark starts from the lowest again, so a record for
// that window within the allowed lateness is not late at first — it must
// still fire the window with the update once the watermark passes it
// again, as Flink's EventTimeTrigger does by registering the window's
// timer on every record. Before, the window had no timer left and the
// update was lost.
//
// Mutant: the timer registration in onElement removed fails this test.
func TestWindowLateRecordAfterRestore(t *testing.T) {
	evs := []winEv{winRec("a", 1, 1), winWM(9), winRec("a", 4, 2), winWM(12)}
	dir := t.TempDir()
	out := flinksim.NewTransactionalCollector[winFired]()
	build := func(env *flinksim.Environment) {
		ws := flinksim.KeyBy(winInput(env, evs), winKey).Window(flinksim.TumblingEventTimeWindows(10 * ms)).AllowedLateness(5 * ms)
		fired, _ := winApply(ws, "AggregateProcessWindow", flinksim.NewOutputTag[winEv]("late"))
		flinksim.CollectTransactional(winStamped(fired), "sink", out)
	}
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithSimulation(1, nil), flinksim.WithBatchSize(1),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour, SavepointDir: dir}),
		flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "input", After: 2, Name: "fired", Stop: true}))
	build(env)
	res, err := env.Execute(t.Context(), "before")
	require.NoError(t, err)
	var path string
	for _, r := range res.Checkpoints.History {
		if r.Savepoint == "fired" {
			path = r.Ref
		}
	}
	require.Equal(t, []winFired{winFiring("a", winW(0, 10), 1, 1).seenBy("AggregateProcessWindow")}, out.Committed())

	env = flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithSimulation(1, nil), flinksim.WithRestoreFrom(path, false))
	build(env)
	_, err = env.Execute(t.Context(), "after")
	require.NoError(t, err)
	assertSameMultiset(t, []winFired{
		winFiring("a", winW(0, 10), 1, 1).seenBy("AggregateProcessWindow"),
		winFiring("a", winW(0, 10), 3, 1, 2).seenBy("AggregateProcessWindow"),
	}, out.Committed())
}
