package flinksimtest_test

import (
	"fmt"
	"strconv"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/flinksimtest"
)

// delayedCount emits each key's count a second of processing time after
// the key's first record.
type delayedCount struct {
	n flinksim.ValueState[int]
}

func (f delayedCount) ProcessElement(ctx *flinksim.KeyedContext[string], _ string, _ flinksim.Collector[string]) error {
	n, seen := f.n.Value()
	if !seen {
		ctx.TimerService().RegisterProcessingTimeTimer(ctx.TimerService().CurrentProcessingTime() + 1000)
	}
	f.n.Update(n + 1)
	return nil
}

func (f delayedCount) OnTimer(ctx *flinksim.OnTimerContext[string], _ int64, out flinksim.Collector[string]) error {
	n, _ := f.n.Value()
	f.n.Clear()
	out.Collect(fmt.Sprintf("%s=%d", ctx.Key(), n))
	return nil
}

func openDelayedCount(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, string], error) {
	return delayedCount{n: flinksim.NewValueState[int](rt, "n")}, nil
}

func ExampleNewKeyedHarness() {
	h, err := flinksimtest.NewKeyedHarness(func(w string) string { return w }, openDelayedCount)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	for _, w := range []string{"a", "b", "a"} {
		if err := h.ProcessElement(w, flinksim.NoTimestamp); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(h.ProcessingTimeTimers())
	if err := h.SetProcessingTime(1000); err != nil {
		fmt.Println(err)
	}
	fmt.Println(h.Values())
	// Output:
	// [{a 1000} {b 1000}]
	// [a=2 b=1]
}

func ExampleNewHarness() {
	invalid := flinksim.NewOutputTag[string]("invalid")
	h, err := flinksimtest.NewHarness(func(*flinksim.RuntimeContext) (flinksim.ProcessFunction[string, int], error) {
		return flinksim.ProcessStreamFunc[string, int](func(ctx *flinksim.ProcessContext, s string, out flinksim.Collector[int]) error {
			n, err := strconv.Atoi(s)
			if err != nil {
				flinksim.Output(ctx, invalid, s)
				return nil
			}
			out.Collect(n)
			return nil
		}), nil
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	for i, s := range []string{"1", "x", "3"} {
		if err := h.ProcessElement(s, int64(10+i)); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(h.Output())
	fmt.Println(flinksimtest.SideOutput(h, invalid))
	// Output:
	// [{1 10} {3 12}]
	// [{x 11}]
}

func ExampleWithRestore() {
	h, err := flinksimtest.NewKeyedHarness(func(w string) string { return w }, openDelayedCount)
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = h.ProcessElement("a", flinksim.NoTimestamp)
	snap, err := h.Snapshot()
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = h.Close()

	// The restored harness has the count and the timer.
	r, err := flinksimtest.NewKeyedHarness(func(w string) string { return w }, openDelayedCount,
		flinksimtest.WithRestore(snap))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	_ = r.ProcessElement("a", flinksim.NoTimestamp)
	fmt.Println(r.ProcessingTimeTimers())
	_ = r.SetProcessingTime(1000)
	fmt.Println(r.Values())
	// Output:
	// [{a 1000}]
	// [a=2]
}
