package flinksim_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

type sideRec struct {
	Key string
	TS  int64
	ID  int
}

// joinInput returns n records of k keys with timestamps around their
// index, out of order by at most disorder ms.
func joinInput(rng *rand.Rand, n, k int, disorder int64) []sideRec {
	rs := make([]sideRec, n)
	for i := range rs {
		rs[i] = sideRec{Key: fmt.Sprint("k", rng.IntN(k)), TS: int64(i)*3 + rng.Int64N(disorder+1), ID: i}
	}
	return rs
}

// stamped reads records with their timestamps and, after every record, the
// bounded-disorder watermark (a disorder the watermarks respect: nothing is
// late), so that state is cleaned as the run goes, not only at its end.
func stamped(env *flinksim.Environment, name string, rs []sideRec, disorder int64) flinksim.KeyedStream[string, sideRec] {
	s := flinksim.FromSlice(env, name, rs, flinksim.Parallelism(1))
	s = flinksim.AssignTimestampsAndWatermarks(s, name+"/ts",
		flinksim.ForGenerator(func() flinksim.WatermarkGenerator[sideRec] {
			return &perRecordBound{bound: disorder, highest: flinksim.MinWatermark + disorder + 1}
		}).WithTimestampAssigner(func(r sideRec, _ int64) int64 { return r.TS }),
		flinksim.Parallelism(1))
	return flinksim.KeyBy(s, func(r sideRec) string { return r.Key })
}

// perRecordBound emits the bounded-out-of-orderness watermark after every
// record.
type perRecordBound struct{ bound, highest int64 }

func (g *perRecordBound) OnEvent(_ sideRec, ts int64, out flinksim.WatermarkOutput) {
	g.highest = max(g.highest, ts)
	out.EmitWatermark(g.highest - g.bound - 1)
}

func (*perRecordBound) OnPeriodicEmit(flinksim.WatermarkOutput) {}

// TestIntervalJoinMatchesNestedLoop: the interval join's pairs are exactly
// those a nested loop over both inputs finds, at any parallelism, on both
// executors, for bounds of either sign.
//
// Mutants: the bound check with < for <= (pairs at the bounds missing);
// left records dropped once the watermark passes ta + lower instead of
// ta + upper, right ones at tb instead of tb − lower (pairs missing). The
// time the cleanup timer is set for only delays the cleanup, which no
// output shows.
func TestIntervalJoinMatchesNestedLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const disorder = 20
	left, right := joinInput(rng, 300, 7, disorder), joinInput(rng, 300, 7, disorder)
	for _, b := range [][2]int64{{-10, 10}, {0, 25}, {-30, -5}, {0, 0}} {
		var want []string
		for _, a := range left {
			for _, r := range right {
				if a.Key == r.Key && r.TS >= a.TS+b[0] && r.TS <= a.TS+b[1] {
					want = append(want, fmt.Sprintf("%d-%d@%d", a.ID, r.ID, max(a.TS, r.TS)))
				}
			}
		}
		for _, p := range []int{1, 3} {
			runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
				out := flinksim.IntervalJoin(stamped(env, "left", left, disorder), stamped(env, "right", right, disorder),
					time.Duration(b[0])*time.Millisecond, time.Duration(b[1])*time.Millisecond, "join",
					func(a, r sideRec, ctx *flinksim.JoinContext, out flinksim.Collector[string]) error {
						out.Collect(fmt.Sprintf("%d-%d@%d", a.ID, r.ID, ctx.Timestamp()))
						return nil
					})
				return flinksim.Collect(out, "sink")
			}, func(t *testing.T, out *flinksim.CollectSink[string]) {
				assertSameMultiset(t, want, out.Values(), "bounds %v", b)
			})
		}
	}
}

// TestJoinWindowMatchesNestedLoop: a tumbling window join pairs exactly
// the records of one key in one window, and a co-group sees both sides of
// every key and window.
//
// Mutants: the second side's records put in the first list (the pairs
// change); windows keyed by the first side's key function for both sides
// (the job fails or pairs change).
func TestJoinWindowMatchesNestedLoop(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const disorder = 15
	left, right := joinInput(rng, 200, 5, disorder), joinInput(rng, 200, 5, disorder)
	const size = 40
	var want []string
	for _, a := range left {
		for _, r := range right {
			if a.Key == r.Key && a.TS/size == r.TS/size {
				want = append(want, fmt.Sprintf("%d-%d", a.ID, r.ID))
			}
		}
	}
	for _, p := range []int{1, 4} {
		runCollect(t, []flinksim.Option{flinksim.WithParallelism(p)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
			out := flinksim.JoinWindow(stamped(env, "left", left, disorder), stamped(env, "right", right, disorder),
				flinksim.TumblingEventTimeWindows(size*time.Millisecond), "join",
				func(a, r sideRec) (string, error) { return fmt.Sprintf("%d-%d", a.ID, r.ID), nil })
			return flinksim.Collect(out, "sink")
		}, func(t *testing.T, out *flinksim.CollectSink[string]) {
			assertSameMultiset(t, want, out.Values())
		})
	}
}

// TestJoinsExactlyOnceWithFailures: the interval join and the window join,
// with exactly-once checkpoints and a failure of the join operator (and
// one of a source) in the middle of the run, commit exactly the pairs of
// the nested loop: none lost, none twice.
//
// Mutants: the join buffers left out of snapshots (pairs whose first half
// came before the checkpoint are lost after the restore).
func TestJoinsExactlyOnceWithFailures(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	const disorder = 12
	left, right := joinInput(rng, 400, 6, disorder), joinInput(rng, 400, 6, disorder)
	var wantInterval, wantWindow []string
	for _, a := range left {
		for _, r := range right {
			if a.Key == r.Key && r.TS >= a.TS-8 && r.TS <= a.TS+8 {
				wantInterval = append(wantInterval, fmt.Sprintf("i %d-%d", a.ID, r.ID))
			}
			if a.Key == r.Key && a.TS/30 == r.TS/30 {
				wantWindow = append(wantWindow, fmt.Sprintf("w %d-%d", a.ID, r.ID))
			}
		}
	}
	for _, seed := range []uint64{1, 2, 3, 4} {
		store, _ := cpMemStore(t)
		out := flinksim.NewTransactionalCollector[string]()
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithSimulation(seed, nil), flinksim.WithBatchSize(8),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: 3 * time.Millisecond}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0)),
			flinksim.WithFaults(flinksim.NewFaultInjector(
				flinksim.Fault{Operator: "interval", Subtask: int(seed % 2), Point: flinksim.FaultRecord, After: 150},
				flinksim.Fault{Operator: "right", Subtask: 0, Point: flinksim.FaultRecord, After: 250})))
		l, r := stamped(env, "left", left, disorder), stamped(env, "right", right, disorder)
		interval := flinksim.IntervalJoin(l, r, -8*time.Millisecond, 8*time.Millisecond, "interval",
			func(a, b sideRec, _ *flinksim.JoinContext, out flinksim.Collector[string]) error {
				out.Collect(fmt.Sprintf("i %d-%d", a.ID, b.ID))
				return nil
			})
		window := flinksim.JoinWindow(l, r, flinksim.TumblingEventTimeWindows(30*time.Millisecond), "window",
			func(a, b sideRec) (string, error) { return fmt.Sprintf("w %d-%d", a.ID, b.ID), nil })
		flinksim.CollectTransactional(flinksim.Union(interval, window), "sink", out)
		res, err := env.Execute(t.Context(), "joins")
		require.NoError(t, err)
		require.Positive(t, res.Restarts, "seed %d", seed)
		assertSameMultiset(t, append(slices.Clone(wantInterval), wantWindow...), out.Committed(), "seed %d", seed)
	}
}
