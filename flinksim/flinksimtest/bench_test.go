package flinksimtest_test

import (
	"context"
	"testing"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/flinksimtest"
)

// countFn counts records per key and emits the count.
func openCount(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
	n := flinksim.NewValueState[int](rt, "n")
	return flinksim.ProcessFunc[int, int, int](func(_ *flinksim.KeyedContext[int], _ int, out flinksim.Collector[int]) error {
		c, _ := n.Value()
		n.Update(c + 1)
		out.Collect(c + 1)
		return nil
	}), nil
}

// BenchmarkHarnessProcessElement measures one ProcessElement of a harness
// (a keyed count, and a non-keyed pass-through), beside the same keyed
// count in a whole job per record (a job of b.N records: the baseline a
// test without the harness pays per record, plus the job's start).
func BenchmarkHarnessProcessElement(b *testing.B) {
	b.Run("keyed", func(b *testing.B) {
		h, err := flinksimtest.NewKeyedHarness(func(v int) int { return v % 64 }, openCount)
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := h.ProcessElement(i, int64(i)); err != nil {
				b.Fatal(err)
			}
			if i%1024 == 1023 {
				h.ClearOutput()
			}
		}
	})
	b.Run("non-keyed", func(b *testing.B) {
		h, err := flinksimtest.NewHarness(func(*flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) {
			return flinksim.ProcessStreamFunc[int, int](func(_ *flinksim.ProcessContext, v int, out flinksim.Collector[int]) error {
				out.Collect(v)
				return nil
			}), nil
		})
		if err != nil {
			b.Fatal(err)
		}
		defer h.Close()
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			if err := h.ProcessElement(i, int64(i)); err != nil {
				b.Fatal(err)
			}
			if i%1024 == 1023 {
				h.ClearOutput()
			}
		}
	})
	b.Run("job", func(b *testing.B) {
		in := make([]int, b.N)
		for i := range in {
			in[i] = i
		}
		b.ReportAllocs()
		b.ResetTimer()
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
		counts := flinksim.Process(flinksim.KeyBy(flinksim.FromSlice(env, "in", in), func(v int) int { return v % 64 }), "count", openCount)
		flinksim.Sink(counts, "discard", func(int) error { return nil })
		if _, err := env.Execute(context.Background(), "bench"); err != nil {
			b.Fatal(err)
		}
	})
}
