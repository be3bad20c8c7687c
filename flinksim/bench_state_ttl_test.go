package flinksim_test

import (
	"context"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// BenchmarkValueStateAccess runs 1,000,000 records over 1,000 keys through
// a keyed count (a read and a write of ValueState per record) and reports
// the time per record: plain state, and state with a time to live (which
// reads the system clock on every access).
func BenchmarkValueStateAccess(b *testing.B) {
	for _, bc := range []struct {
		name string
		opts []flinksim.StateOption
	}{
		{"plain", nil},
		{"ttl", []flinksim.StateOption{flinksim.WithTTL(flinksim.TTLConfig{TTL: time.Hour})}},
		{"ttl-on-read", []flinksim.StateOption{flinksim.WithTTL(flinksim.TTLConfig{TTL: time.Hour, Update: flinksim.OnReadAndWrite})}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			const records, keys = 1_000_000, 1000
			b.ReportAllocs()
			for b.Loop() {
				env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
				src := flinksim.Generate(env, "keys", records, func(i int64) (int64, error) { return i % keys, nil })
				counts := flinksim.Process(flinksim.KeyBy(src, func(k int64) int64 { return k }), "count",
					func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, int64], error) {
						c := flinksim.NewValueState[int64](rt, "c", bc.opts...)
						return flinksim.ProcessFunc[int64, int64, int64](func(_ *flinksim.KeyedContext[int64], _ int64, _ flinksim.Collector[int64]) error {
							v, _ := c.Value()
							c.Update(v + 1)
							return nil
						}), nil
					})
				flinksim.Sink(counts, "discard", func(int64) error { return nil })
				if _, err := env.Execute(context.Background(), "access"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*records), "ns/record")
		})
	}
}
