package flinksim_test

import (
	"context"
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// A greeter that welcomes a user back only after an hour of silence: the
// last-seen mark is ValueState with a time to live of an hour, refreshed
// by every visit (OnReadAndWrite). The job runs on a ManualClock, which
// the records move, so the hour passes without waiting.
func ExampleWithTTL() {
	clk := flinksim.NewManualClock(time.Date(2024, 1, 1, 9, 0, 0, 0, time.UTC))
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithClock(clk))
	type visit struct {
		User  string
		After time.Duration // since the previous visit
	}
	visits := flinksim.FromSlice(env, "visits", []visit{
		{"ann", 0}, {"ann", 40 * time.Minute}, {"ann", 50 * time.Minute}, {"ann", 61 * time.Minute},
	})
	greetings := flinksim.Process(flinksim.KeyBy(visits, func(v visit) string { return v.User }), "greet",
		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, visit, string], error) {
			seen := flinksim.NewValueState[bool](rt, "seen", flinksim.WithTTL(flinksim.TTLConfig{
				TTL:    time.Hour,
				Update: flinksim.OnReadAndWrite,
			}))
			return flinksim.ProcessFunc[string, visit, string](func(ctx *flinksim.KeyedContext[string], v visit, out flinksim.Collector[string]) error {
				clk.Advance(v.After)
				if _, ok := seen.Value(); ok {
					out.Collect(fmt.Sprintf("%s %s: still here", rt.Now().Format("15:04"), ctx.Key()))
					return nil
				}
				seen.Update(true)
				out.Collect(fmt.Sprintf("%s %s: welcome", rt.Now().Format("15:04"), ctx.Key()))
				return nil
			}), nil
		}, flinksim.Parallelism(1))
	out := flinksim.Collect(greetings, "out")
	if _, err := env.Execute(context.Background(), "greeter"); err != nil {
		fmt.Println(err)
		return
	}
	for _, g := range out.Values() {
		fmt.Println(g)
	}
	// Output:
	// 09:00 ann: welcome
	// 09:40 ann: still here
	// 10:30 ann: still here
	// 11:31 ann: welcome
}
