package flinksim_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

const (
	minWM = flinksim.MinWatermark
	maxWM = flinksim.MaxWatermark
)

// runScripts runs scripts as a source with strategy, its subtasks the
// scripts, into a probe of parallelism 1, on executor ex, and returns
// what the probe saw.
func runScripts(t *testing.T, ex executor, strategy flinksim.WatermarkStrategy[int], keys int, timerOffset int64, scripts ...[]step) []seen {
	t.Helper()
	env, clock := eventTimeEnv(ex)
	src := flinksim.FromSourceWithWatermarks(env, "src", flinksim.Source[int, stepSplit](&scriptSource{scripts: scripts, clock: clock}),
		strategy, flinksim.Parallelism(len(scripts)))
	out, _ := probe(src, keys, timerOffset, nil, flinksim.Parallelism(1))
	_, err := env.Execute(t.Context(), t.Name())
	require.NoError(t, err)
	return out.Values()
}

// TestBoundedOutOfOrdernessWatermarks checks the periodic watermarks of
// ForBoundedOutOfOrderness (highest timestamp − bound − 1, on the
// watermark interval), against hand-computed expectations: every record's
// watermark, a late record keeping its place and timestamp, event-time
// timers firing at the watermark that reaches them (one registered behind
// the watermark at the next), in time order, and the final watermark
// firing the rest.
//
// Mutants: the final watermark not delivered at the end of data (endData's
// advanceInputWatermark(MaxWatermark) removed) — fails this test.
func TestBoundedOutOfOrdernessWatermarks(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		got := runScripts(t, ex, flinksim.ForBoundedOutOfOrderness[int](20*time.Millisecond), 1, 0, []step{
			rec(1, 10), rec(2, 5), rec(3, 30), pause(),
			rec(4, 12), rec(5, 3), rec(6, 40), pause(),
			rec(7, 41),
		})
		r := func(v int, ts, wm int64) seen { return seen{V: v, TS: ts, WM: wm} }
		tm := func(ts, wm int64) seen { return seen{Timer: true, Domain: flinksim.EventTime, TS: ts, WM: wm} }
		assert.Equal(t, []seen{
			r(1, 10, minWM), r(2, 5, minWM), r(3, 30, minWM),
			tm(5, 9), // 30 − 20 − 1
			r(4, 12, 9), r(5, 3, 9), r(6, 40, 9),
			tm(3, 19), tm(10, 19), tm(12, 19), // 3 was registered behind the watermark
			r(7, 41, 19),
			tm(30, maxWM), tm(40, maxWM), tm(41, maxWM),
		}, got)
	})
}

// TestMonotonousWatermarks checks ForMonotonousTimestamps: the watermark
// is the highest timestamp − 1, so a record at the highest timestamp so
// far is never late, and two records of one key at one time register one
// timer.
//
// Mutants: "- 1" dropped from OnPeriodicEmit; Timers.Register without its
// duplicate check; timers fired only below the watermark (Pop's
// "time > upTo" as ">=") — each fails this test.
func TestMonotonousWatermarks(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		got := runScripts(t, ex, flinksim.ForMonotonousTimestamps[int](), 1, 0, []step{
			rec(1, 10), rec(8, 19), rec(2, 20), pause(),
			rec(3, 30), pause(),
			rec(4, 30),
		})
		r := func(v int, ts, wm int64) seen { return seen{V: v, TS: ts, WM: wm} }
		tm := func(ts, wm int64) seen { return seen{Timer: true, Domain: flinksim.EventTime, TS: ts, WM: wm} }
		assert.Equal(t, []seen{
			r(1, 10, minWM), r(8, 19, minWM), r(2, 20, minWM),
			tm(10, 19), tm(19, 19), // a timer at the watermark fires

			r(3, 30, 19),
			tm(20, 29),
			r(4, 30, 29),
			tm(30, maxWM), // once, for two records at 30
		}, got)
	})
}

// punctuated emits a watermark at the timestamp of every record whose
// value is a multiple of 10, as a Flink punctuated generator.
type punctuated struct{}

func (punctuated) OnEvent(v int, ts int64, out flinksim.WatermarkOutput) {
	if v%10 == 0 {
		out.EmitWatermark(ts)
	}
}

func (punctuated) OnPeriodicEmit(flinksim.WatermarkOutput) {}

// TestPunctuatedWatermarks checks ForGenerator with a punctuated
// generator: the watermark an event emits follows the event, as in Flink
// (the record is collected before the generator sees it), so the event
// that carries a watermark is not late by its own watermark.
//
// Mutants: the generator's OnEvent called before the record is emitted
// (as the driver first did) — fails this test.
func TestPunctuatedWatermarks(t *testing.T) {
	strategy := flinksim.ForGenerator(func() flinksim.WatermarkGenerator[int] { return punctuated{} })
	for _, via := range []string{"source", "assigner"} {
		t.Run(via, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				script := []step{rec(1, 5), rec(10, 20), rec(2, 15), rec(20, 40), rec(3, 41)}
				var got []seen
				if via == "source" {
					got = runScripts(t, ex, strategy, 1, -1, script)
				} else {
					env, clock := eventTimeEnv(ex)
					src := flinksim.FromSource(env, "src", flinksim.Source[int, stepSplit](&scriptSource{scripts: [][]step{script}, clock: clock}), flinksim.Parallelism(1))
					out, _ := probe(flinksim.AssignTimestampsAndWatermarks(src, "wm", strategy, flinksim.Parallelism(1)), 1, -1, nil, flinksim.Parallelism(1))
					_, err := env.Execute(t.Context(), t.Name())
					require.NoError(t, err)
					got = out.Values()
				}
				r := func(v int, ts, wm int64) seen { return seen{Key: 0, V: v, TS: ts, WM: wm} }
				assert.Equal(t, []seen{
					r(1, 5, minWM), r(10, 20, minWM), r(2, 15, 20), r(20, 40, 20), r(3, 41, 40),
				}, got)
			})
		})
	}
}

// TestIdleSourceSubtask checks WithIdleness across source subtasks, by the
// watermark at which two event-time timers fire: subtask 1 emits nothing
// at first, so after the idleness timeout it is idle and the watermark
// follows subtask 0 alone (the timer at 199 fires at exactly 199); then it
// emits records at 300, and once its watermark (299) has caught up with the
// task's it holds the watermark again (the timer at 299 fires at 299, not
// at subtask 0's 999). Subtask 0 moves on only after the operator saw
// subtask 1's record behind that watermark: an input back from idle below
// the task's watermark holds nothing back until it catches up, as in
// Flink, so an earlier 999 could pass it.
//
// Mutants: a source subtask that has emitted no record never marked idle
// (as first written: sourceOutput had no output to time out before its
// first record); combineWatermarks without the idle exclusion (every
// input counted) — each fails this test (it times out).
func TestIdleSourceSubtask(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		env, clock := eventTimeEnv(ex)
		strategy := flinksim.ForMonotonousTimestamps[int]().WithIdleness(5 * wmInterval)
		var ps *probeState
		reached := func(t int64) func() bool { return func() bool { return ps.reachedWM(t)() } }
		saw := func(v int) func() bool { return func() bool { return ps.saw(v)() } }
		src := flinksim.FromSourceWithWatermarks(env, "src", flinksim.Source[int, stepSplit](&scriptSource{clock: clock, scripts: [][]step{
			{rec(0, 100), rec(2, 200), waitUntil(saw(5)), rec(4, 1000), waitUntil(reached(299))},
			{waitUntil(reached(199)), rec(1, 300), pause(), rec(5, 300), waitUntil(reached(299))},
		}}), strategy, flinksim.Parallelism(2))
		var out *flinksim.CollectSink[seen]
		out, ps = probe(src, 1, -1, []int64{199, 299}, flinksim.Parallelism(1))
		_, err := env.Execute(ctx, t.Name())
		require.NoError(t, err)
		tm := func(ts, wm int64) seen { return seen{Timer: true, Domain: flinksim.EventTime, TS: ts, WM: wm} }
		assert.Equal(t, []seen{tm(199, 199), tm(299, 299)}, timersFired(out.Values()))
	})
}

// passThrough is a keyed process function that emits its records as they
// are (with their timestamps).
func passThrough(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
	return flinksim.ProcessFunc[int, int, int](func(_ *flinksim.KeyedContext[int], v int, out flinksim.Collector[int]) error {
		out.Collect(v)
		return nil
	}), nil
}

// TestWatermarkIsMinimumOverInputs checks that an operator's watermark is
// the minimum over its inputs — through a chain and over every partitioner
// (forward, rebalance, broadcast, key-by) and a union — and that records
// keep their timestamps on the way: a fast input at 999 and a lagging one
// at 99 fire the timer at 99 at exactly 99.
//
// Mutants: min → max in combineWatermarks (the timer fires at 999) —
// fails this test.
func TestWatermarkIsMinimumOverInputs(t *testing.T) {
	ts := map[int]int64{0: 1000, 1: 100}
	edges := map[string]func(src func(p int) flinksim.Stream[int]) flinksim.Stream[int]{
		"chain": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			m := flinksim.Map(src(2), "map", identity[int])
			return flinksim.Filter(m, "filter", func(int) (bool, error) { return true, nil })
		},
		"forward": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			return flinksim.Map(flinksim.Forward(src(2)), "map", identity[int], flinksim.Parallelism(2))
		},
		"rebalance": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			return flinksim.Map(flinksim.Rebalance(src(2)), "map", identity[int], flinksim.Parallelism(3))
		},
		"broadcast": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			return flinksim.Map(flinksim.Broadcast(src(2)), "map", identity[int], flinksim.Parallelism(2))
		},
		"keyby": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			return flinksim.Process(flinksim.KeyBy(src(2), func(v int) int { return v }), "pass", passThrough, flinksim.Parallelism(3))
		},
		"union": func(src func(int) flinksim.Stream[int]) flinksim.Stream[int] {
			return flinksim.Union(src(1), src(1))
		},
	}
	for name, edge := range edges {
		t.Run(name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
				defer cancel()
				env, clock := eventTimeEnv(ex)
				var ps *probeState
				reached := func() bool { return ps.reachedWM(99)() }
				scripts := [][]step{{rec(0, 1000), waitUntil(reached)}, {rec(1, 100), waitUntil(reached)}}
				sources := 0
				src := func(p int) flinksim.Stream[int] {
					s := &scriptSource{clock: clock, scripts: scripts[sources : sources+p]}
					sources += p
					return flinksim.FromSourceWithWatermarks(env, fmt.Sprintf("src%d", sources), flinksim.Source[int, stepSplit](s),
						flinksim.ForMonotonousTimestamps[int](), flinksim.Parallelism(p))
				}
				var out *flinksim.CollectSink[seen]
				out, ps = probe(edge(src), 1, -1, []int64{99}, flinksim.Parallelism(1))
				_, err := env.Execute(ctx, t.Name())
				require.NoError(t, err)
				got := out.Values()
				assert.Equal(t, []seen{{Timer: true, Domain: flinksim.EventTime, TS: 99, WM: 99}}, timersFired(got))
				rs := records(got)
				assert.NotEmpty(t, rs)
				for _, r := range rs {
					assert.Equal(t, ts[r.V], r.TS, "timestamp of %d", r.V)
				}
			})
		})
	}
}

// TestPerSplitWatermarks checks FromSourceWithWatermarks with two splits
// in one reader: the subtask's watermark is the minimum over its splits
// (the lagging split b holds it at 99), and releasing b lifts it to a's.
//
// Mutants: min → max in sourceOutput.combine (record 3 sees 999);
// ReleaseSplit keeping the split in the order (record 4 sees 99) — each
// fails this test.
func TestPerSplitWatermarks(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		got := runScripts(t, ex, flinksim.ForMonotonousTimestamps[int](), 1, -1, []step{
			recOn("a", 1, 1000), recOn("b", 2, 100), pause(),
			recOn("a", 3, 1001), release("b"), pause(),
			recOn("a", 4, 1002),
		})
		r := func(v int, ts, wm int64) seen { return seen{V: v, TS: ts, WM: wm} }
		assert.Equal(t, []seen{r(1, 1000, minWM), r(2, 100, minWM), r(3, 1001, 99), r(4, 1002, 1000)}, got)
	})
}

// TestTimestampAssigner checks WithTimestampAssigner: it gets the record
// and the timestamp its source gave it (NoTimestamp for one collected
// without), and its result is the record's timestamp downstream and what
// the generator sees.
func TestTimestampAssigner(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		strategy := flinksim.ForMonotonousTimestamps[int]().WithTimestampAssigner(func(v int, ts int64) int64 {
			if ts == flinksim.NoTimestamp {
				return int64(v) * 100
			}
			return ts + 1
		})
		got := runScripts(t, ex, strategy, 1, -1, []step{
			rec(1, flinksim.NoTimestamp), rec(2, 150), pause(), rec(3, flinksim.NoTimestamp),
		})
		r := func(v int, ts, wm int64) seen { return seen{V: v, TS: ts, WM: wm} }
		assert.Equal(t, []seen{r(1, 100, minWM), r(2, 151, minWM), r(3, 300, 150)}, got)
	})
}
