package flinksim_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Session windows that touch merge: [0, 10) and [10, 20) intersect, and
// their cover is the merged session.
func ExampleWindow_Intersects() {
	a, b := flinksim.Window{Start: 0, End: 10}, flinksim.Window{Start: 10, End: 20}
	fmt.Println(a.Intersects(b), a.Cover(b), a.Cover(b).MaxTimestamp())
	fmt.Println(flinksim.GlobalWindow(), flinksim.GlobalWindow().IsGlobal())
	// Output:
	// true [0, 20) 19
	// GlobalWindow true
}

// An assigner describes itself as the call that made it.
func ExampleWindowAssigner() {
	fmt.Println(flinksim.TumblingEventTimeWindows(time.Hour).WithOffset(15 * time.Minute))
	fmt.Println(flinksim.SlidingEventTimeWindows(10*time.Second, 5*time.Second))
	fmt.Println(flinksim.EventTimeSessionWindows(30 * time.Second))
	// Output:
	// TumblingEventTimeWindows(1h0m0s).WithOffset(15m0s)
	// SlidingEventTimeWindows(10s, 5s)
	// EventTimeSessionWindows(30s)
}

// click is the record of the window examples: a user's click at an event
// time in milliseconds.
type click struct {
	User string
	AtMs int64
}

// clicks stamps each click with its time; the watermark trails the
// largest time so far by 1 ms, emitted after every click so that the
// output does not depend on timing.
func clicks(env *flinksim.Environment, cs []click) flinksim.Stream[click] {
	src := flinksim.FromSlice(env, "clicks", cs, flinksim.Parallelism(1))
	strategy := flinksim.ForGenerator(func() flinksim.WatermarkGenerator[click] { return &everyClick{} }).
		WithTimestampAssigner(func(c click, _ int64) int64 { return c.AtMs })
	return flinksim.AssignTimestampsAndWatermarks(src, "stamped", strategy, flinksim.Parallelism(1))
}

type everyClick struct{ highest int64 }

func (g *everyClick) OnEvent(_ click, ts int64, out flinksim.WatermarkOutput) {
	g.highest = max(g.highest, ts)
	out.EmitWatermark(g.highest - 1)
}
func (g *everyClick) OnPeriodicEmit(flinksim.WatermarkOutput) {}

// Clicks per user in tumbling windows of 10 seconds of event time.
func ExampleReduceWindow() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	in := clicks(env, []click{{"ann", 1_000}, {"bob", 2_000}, {"ann", 9_999}, {"ann", 10_000}, {"bob", 15_000}})
	type count struct {
		User string
		N    int
	}
	ones := flinksim.Map(in, "one", func(c click) (count, error) { return count{c.User, 1}, nil })
	windows := flinksim.KeyBy(ones, func(c count) string { return c.User }).Window(flinksim.TumblingEventTimeWindows(10 * time.Second))
	counts := flinksim.ReduceWindow(windows, "per-10s", func(a, b count) (count, error) { return count{a.User, a.N + b.N}, nil })
	out := flinksim.Collect(counts, "out")
	if _, err := env.Execute(context.Background(), "clicks"); err != nil {
		fmt.Println(err)
		return
	}
	got := out.Values()
	slices.SortFunc(got, func(a, b count) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
	fmt.Println(got)
	// Output:
	// [{ann 1} {ann 2} {bob 1} {bob 1}]
}

// Sessions of clicks with a gap of 5 seconds, and the clicks that come
// too late for their session on a side output.
func ExampleWindowedStream_SideOutputLateData() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	in := clicks(env, []click{{"ann", 1_000}, {"ann", 4_000}, {"ann", 30_000}, {"ann", 2_000}, {"ann", 33_000}})
	late := flinksim.NewOutputTag[click]("late")
	windows := flinksim.KeyBy(in, func(c click) string { return c.User }).
		Window(flinksim.EventTimeSessionWindows(5 * time.Second)).SideOutputLateData(late)
	sessions := flinksim.ProcessWindow(windows, "sessions", flinksim.ProcessWindowFunc[string, click, string](
		func(ctx *flinksim.WindowContext[string], cs []click, out flinksim.Collector[string]) error {
			out.Collect(fmt.Sprintf("%s: %d clicks in %v", ctx.Key(), len(cs), ctx.Window()))
			return nil
		}))
	out := flinksim.Collect(sessions, "out")
	dropped := flinksim.Collect(flinksim.SideOutput(sessions, late), "late")
	if _, err := env.Execute(context.Background(), "sessions"); err != nil {
		fmt.Println(err)
		return
	}
	for _, s := range out.Values() {
		fmt.Println(s)
	}
	fmt.Println("late:", dropped.Values())
	// Output:
	// ann: 2 clicks in [1000, 9000)
	// ann: 2 clicks in [30000, 38000)
	// late: [{ann 2000}]
}
