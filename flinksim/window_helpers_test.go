package flinksim_test

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Helpers of the window tests (window_*_test.go). Their names start with
// win so as not to collide with the package's other tests.

// winEv is an input record of the window tests: a value of a key at an
// event time, or, with Mark set, a watermark at T instead of a record.
type winEv struct {
	K    string
	T    int64
	V    int
	Mark bool
}

func winRec(k string, t int64, v int) winEv { return winEv{K: k, T: t, V: v} }
func winWM(t int64) winEv                   { return winEv{T: t, Mark: true} }

func winKey(e winEv) string { return e.K }

// winMarks is a generator that emits a watermark at each mark and none
// otherwise, so a test says exactly where watermarks fall among records.
type winMarks struct{}

func (winMarks) OnEvent(e winEv, ts int64, out flinksim.WatermarkOutput) {
	if e.Mark {
		out.EmitWatermark(ts)
	}
}
func (winMarks) OnPeriodicEmit(flinksim.WatermarkOutput) {}

// winInput returns evs as a stream on one source subtask, each record
// stamped with its T and the watermarks of the marks among them; the
// marks themselves are filtered out.
func winInput(env *flinksim.Environment, evs []winEv) flinksim.Stream[winEv] {
	src := flinksim.FromSlice(env, "input", evs, flinksim.Parallelism(1))
	strategy := flinksim.ForGenerator(func() flinksim.WatermarkGenerator[winEv] { return winMarks{} }).
		WithTimestampAssigner(func(e winEv, _ int64) int64 { return e.T })
	stamped := flinksim.AssignTimestampsAndWatermarks(src, "timestamps", strategy, flinksim.Parallelism(1))
	return flinksim.Filter(stamped, "records", func(e winEv) (bool, error) { return !e.Mark, nil }, flinksim.Parallelism(1))
}

// winFired is one firing as a test sees it: the key, the window, the sum
// and number of its values, the timestamp the output record carried, and
// the values themselves (sorted) for a function that sees them all.
// Fields a window function cannot know are zero (see winFired.seenBy).
type winFired struct {
	K          string
	Start, End int64
	Sum, N     int
	Ts         int64
	Values     string
}

func (f winFired) String() string {
	return fmt.Sprintf("%s %d..%d sum=%d n=%d ts=%d [%s]", f.K, f.Start, f.End, f.Sum, f.N, f.Ts, f.Values)
}

// winFiring is what a test expects of a firing: the output's timestamp is
// the window's max timestamp.
func winFiring(k string, w flinksim.Window, sum int, values ...int) winFired {
	vs := make([]string, len(values))
	slices.Sort(values)
	for i, v := range values {
		vs[i] = fmt.Sprint(v)
	}
	return winFired{K: k, Start: w.Start, End: w.End, Sum: sum, N: len(values), Ts: w.MaxTimestamp(), Values: strings.Join(vs, " ")}
}

// winFunctions are the window functions every scenario runs with.
var winFunctions = []string{"ReduceWindow", "AggregateWindow", "ProcessWindow", "ReduceProcessWindow", "AggregateProcessWindow"}

// seenBy keeps the fields the window function fn can report.
func (f winFired) seenBy(fn string) winFired {
	switch fn {
	case "ReduceWindow":
		return winFired{K: f.K, Sum: f.Sum, Ts: f.Ts}
	case "AggregateWindow":
		return winFired{K: f.K, Sum: f.Sum, N: f.N, Ts: f.Ts}
	case "ReduceProcessWindow":
		return winFired{K: f.K, Start: f.Start, End: f.End, Sum: f.Sum, Ts: f.Ts}
	case "AggregateProcessWindow":
		f.Values = ""
		return f
	}
	return f
}

// winSumAgg sums a window's values and counts them.
type winSumAgg struct{}

type winAcc struct {
	K      string
	Sum, N int
}

func (winSumAgg) CreateAccumulator() winAcc { return winAcc{} }
func (winSumAgg) Add(e winEv, a winAcc) winAcc {
	return winAcc{K: e.K, Sum: a.Sum + e.V, N: a.N + 1}
}
func (winSumAgg) Result(a winAcc) winAcc { return a }
func (winSumAgg) Merge(a, b winAcc) winAcc {
	return winAcc{K: cmp.Or(a.K, b.K), Sum: a.Sum + b.Sum, N: a.N + b.N}
}

func winSum(a, b winEv) (winEv, error) { return winEv{K: a.K, V: a.V + b.V}, nil }

// winApply ends ws with window function fn, each firing reported as a
// winFired (without its timestamp yet); late is the window operator's side
// output of tag.
func winApply(ws flinksim.WindowedStream[string, winEv], fn string, tag flinksim.OutputTag[winEv]) (fired flinksim.Stream[winFired], late flinksim.Stream[winEv]) {
	switch fn {
	case "ReduceWindow":
		r := flinksim.ReduceWindow(ws, "window", winSum)
		return flinksim.Map(r, "fired", func(e winEv) (winFired, error) { return winFired{K: e.K, Sum: e.V}, nil }), flinksim.SideOutput(r, tag)
	case "AggregateWindow":
		a := flinksim.AggregateWindow(ws, "window", flinksim.AggregateFunction[winEv, winAcc, winAcc](winSumAgg{}))
		return flinksim.Map(a, "fired", func(a winAcc) (winFired, error) { return winFired{K: a.K, Sum: a.Sum, N: a.N}, nil }), flinksim.SideOutput(a, tag)
	}
	fired = winProcessed(ws, fn)
	return fired, flinksim.SideOutput(fired, tag)
}

// winProcessed ends ws with the window function fn that has a process
// window function.
func winProcessed(ws flinksim.WindowedStream[string, winEv], fn string) flinksim.Stream[winFired] {
	switch fn {
	case "ProcessWindow":
		return flinksim.ProcessWindow(ws, "window", flinksim.ProcessWindowFunc[string, winEv, winFired](
			func(ctx *flinksim.WindowContext[string], es []winEv, out flinksim.Collector[winFired]) error {
				vs := make([]int, len(es))
				sum := 0
				for i, e := range es {
					vs[i], sum = e.V, sum+e.V
				}
				f := winFiring(ctx.Key(), ctx.Window(), sum, vs...)
				f.Ts = 0
				out.Collect(f)
				return nil
			}))
	case "ReduceProcessWindow":
		return flinksim.ReduceProcessWindow(ws, "window", winSum, flinksim.ProcessWindowFunc[string, winEv, winFired](
			func(ctx *flinksim.WindowContext[string], es []winEv, out flinksim.Collector[winFired]) error {
				if len(es) != 1 || es[0].K != ctx.Key() {
					return fmt.Errorf("reduced window holds %v", es)
				}
				w := ctx.Window()
				out.Collect(winFired{K: ctx.Key(), Start: w.Start, End: w.End, Sum: es[0].V})
				return nil
			}))
	case "AggregateProcessWindow":
		return flinksim.AggregateProcessWindow(ws, "window", flinksim.AggregateFunction[winEv, winAcc, winAcc](winSumAgg{}),
			flinksim.ProcessWindowFunc[string, winAcc, winFired](
				func(ctx *flinksim.WindowContext[string], as []winAcc, out flinksim.Collector[winFired]) error {
					w := ctx.Window()
					out.Collect(winFired{K: ctx.Key(), Start: w.Start, End: w.End, Sum: as[0].Sum, N: as[0].N})
					return nil
				}))
	}
	panic("unknown window function " + fn)
}

// winStamped reads each record's timestamp in a keyed function
// downstream of s, as a user's would, and sets it on the record.
func winStamped(s flinksim.Stream[winFired]) flinksim.Stream[winFired] {
	return flinksim.Process(flinksim.KeyBy(s, func(f winFired) string { return f.K }), "stamped",
		func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, winFired, winFired], error) {
			return flinksim.ProcessFunc[string, winFired, winFired](func(ctx *flinksim.KeyedContext[string], f winFired, out flinksim.Collector[winFired]) error {
				f.Ts = ctx.Timestamp()
				out.Collect(f)
				return nil
			}), nil
		})
}

// winLate is a record of the late side output with the timestamp it
// carried.
type winLate struct {
	E  winEv
	Ts int64
}

// winStampedLate is winStamped for the late side output.
func winStampedLate(s flinksim.Stream[winEv]) flinksim.Stream[winLate] {
	return flinksim.Process(flinksim.KeyBy(s, winKey), "late-stamped",
		func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, winEv, winLate], error) {
			return flinksim.ProcessFunc[string, winEv, winLate](func(ctx *flinksim.KeyedContext[string], e winEv, out flinksim.Collector[winLate]) error {
				out.Collect(winLate{E: e, Ts: ctx.Timestamp()})
				return nil
			}), nil
		})
}

// winW is the time window [start, end).
func winW(start, end int64) flinksim.Window { return flinksim.Window{Start: start, End: end} }

// winGlobalFiring is a firing of the global window.
func winGlobalFiring(k string, sum int, values ...int) winFired {
	return winFiring(k, flinksim.GlobalWindow(), sum, values...)
}
