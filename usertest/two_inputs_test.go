package usertest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// What a user of two-input operators relies on, through the public API
// only, as the package documentation describes: a rules stream broadcast
// to every subtask of a keyed stream's operator, and a window join of two
// keyed streams.

type threshold struct {
	Sensor string
	Max    int
}

type reading struct {
	Sensor string
	Value  int
	At     int64
}

// alarms holds readings until the rules input has ended (a timer at the
// end of input), then reports the ones above their sensor's threshold,
// which every subtask knows from broadcast state.
type alarms struct {
	limits flinksim.BroadcastState[string, int]
	held   flinksim.ListState[int]
}

func (a *alarms) ProcessElement(ctx *flinksim.KeyedContext[string], r reading, out flinksim.Collector[string]) error {
	a.held.Add(r.Value)
	ctx.TimerService().RegisterEventTimeTimer(flinksim.MaxWatermark)
	return nil
}

func (a *alarms) ProcessBroadcastElement(ctx *flinksim.KeyedBroadcastContext[string], t threshold, out flinksim.Collector[string]) error {
	a.limits.Put(t.Sensor, t.Max)
	return nil
}

func (a *alarms) OnTimer(ctx *flinksim.OnTimerContext[string], _ int64, out flinksim.Collector[string]) error {
	limit, ok := a.limits.Get(ctx.Key())
	for _, v := range a.held.Get() {
		if ok && v > limit {
			out.Collect(fmt.Sprintf("%s %d > %d", ctx.Key(), v, limit))
		}
	}
	return nil
}

func TestBroadcastRules(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(3))
	readings := flinksim.KeyBy(flinksim.FromSlice(env, "readings", []reading{
		{"s1", 5, 1}, {"s2", 50, 2}, {"s1", 12, 3}, {"s3", 7, 4}, {"s2", 9, 5},
	}), func(r reading) string { return r.Sensor })
	rules := flinksim.FromSlice(env, "rules", []threshold{{"s1", 10}, {"s2", 20}})
	out := flinksim.ProcessKeyedBroadcast(flinksim.ConnectKeyedBroadcast(readings, rules), "alarms",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedBroadcastProcessFunction[string, reading, threshold, string], error) {
			return &alarms{limits: flinksim.NewBroadcastState[string, int](rt, "limits"), held: flinksim.NewListState[int](rt, "held")}, nil
		})
	sink := flinksim.Collect(out, "sink")
	if _, err := env.Execute(context.Background(), "alarms"); err != nil {
		t.Fatal(err)
	}
	got := sink.Values()
	slices.Sort(got)
	if want := []string{"s1 12 > 10", "s2 50 > 20"}; !slices.Equal(got, want) {
		t.Fatalf("alarms %q, want %q", got, want)
	}
}

func TestWindowJoin(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2))
	timed := func(name string, rs []reading) flinksim.KeyedStream[string, reading] {
		s := flinksim.AssignTimestampsAndWatermarks(flinksim.FromSlice(env, name, rs), name+"-time",
			flinksim.ForBoundedOutOfOrderness[reading](time.Millisecond).WithTimestampAssigner(func(r reading, _ int64) int64 { return r.At }))
		return flinksim.KeyBy(s, func(r reading) string { return r.Sensor })
	}
	left := timed("left", []reading{{"a", 1, 1}, {"a", 2, 12}, {"b", 3, 3}})
	right := timed("right", []reading{{"a", 10, 5}, {"b", 30, 15}, {"a", 20, 18}})
	joined := flinksim.JoinWindow(left, right, flinksim.TumblingEventTimeWindows(10*time.Millisecond), "join",
		func(l, r reading) (string, error) { return fmt.Sprintf("%s %d+%d", l.Sensor, l.Value, r.Value), nil })
	sink := flinksim.Collect(joined, "sink")
	if _, err := env.Execute(context.Background(), "join"); err != nil {
		t.Fatal(err)
	}
	got := sink.Values()
	slices.Sort(got)
	if want := []string{"a 1+10", "a 2+20"}; !slices.Equal(got, want) {
		t.Fatalf("joined %q, want %q", got, want)
	}
}
