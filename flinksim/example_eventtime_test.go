package flinksim_test

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// visit is an event with its time in milliseconds.
type visit struct {
	User string
	At   int64
}

// sessionEnd emits, per user, the end of a 10 ms inactivity timeout after
// each visit: an event-time timer per visit, the last one deleted when
// another visit comes.
type sessionEnd struct {
	last flinksim.ValueState[int64]
}

func (s *sessionEnd) ProcessElement(ctx *flinksim.KeyedContext[string], c visit, _ flinksim.Collector[string]) error {
	ts := ctx.TimerService()
	if prev, ok := s.last.Value(); ok {
		ts.DeleteEventTimeTimer(prev + 10)
	}
	s.last.Update(ctx.Timestamp())
	ts.RegisterEventTimeTimer(ctx.Timestamp() + 10)
	return nil
}

func (s *sessionEnd) OnTimer(ctx *flinksim.OnTimerContext[string], t int64, out flinksim.Collector[string]) error {
	out.Collect(fmt.Sprintf("%s idle at %d (%v)", ctx.Key(), t, ctx.TimeDomain()))
	return nil
}

// ExampleAssignTimestampsAndWatermarks gives records their event time and
// watermarks, and a keyed function's event-time timers fire on them (the
// last ones at the end of input).
func ExampleAssignTimestampsAndWatermarks() {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	clicks := flinksim.FromSlice(env, "clicks", []visit{{"ann", 1}, {"bob", 3}, {"ann", 8}, {"bob", 9}, {"ann", 30}})
	timed := flinksim.AssignTimestampsAndWatermarks(clicks, "event-time",
		flinksim.ForBoundedOutOfOrderness[visit](5*time.Millisecond).
			WithTimestampAssigner(func(c visit, _ int64) int64 { return c.At }))
	ends := flinksim.Process(flinksim.KeyBy(timed, func(c visit) string { return c.User }), "sessions",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, visit, string], error) {
			return &sessionEnd{last: flinksim.NewValueState[int64](rt, "last")}, nil
		})
	out := flinksim.Collect(ends, "out")
	if _, err := env.Execute(context.Background(), "sessions"); err != nil {
		fmt.Println(err)
		return
	}
	got := out.Values()
	slices.Sort(got)
	for _, s := range got {
		fmt.Println(s)
	}
	// Output:
	// ann idle at 40 (EVENT_TIME)
	// bob idle at 19 (EVENT_TIME)
}
