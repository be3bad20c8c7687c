package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

var benchEvents = flag.Int("windows.events", 10_000_000, "number of events of BenchmarkWindowCount")

// benchInput returns n events of 1000 keys, event time advancing 1 ms per
// event with up to 99 ms of disorder, the same for every call.
func benchInput(n int) []indexed {
	rng := rand.New(rand.NewPCG(3, 4))
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprint("key-", i)
	}
	records := make([]indexed, n)
	for i := range records {
		records[i] = indexed{event: event{TimestampMs: int64(i) + rng.Int64N(100), Key: keys[rng.IntN(len(keys))]}, Index: i}
	}
	return records
}

// BenchmarkWindowCount counts events per key in tumbling (1 s) and sliding
// (10 s every 2 s) event-time windows: the plain loop of reference.go, and
// the job of the example at parallelism 1 and 2, with Flink's periodic
// bounded-out-of-orderness watermark (100 ms, emitted every 200 ms of the
// system clock) and, at parallelism 1, with the example's watermark after
// every record. The disorder stays within the bound, so no event is late
// and every run gives the reference's firings (checked by count). It
// reports events/s and allocations per event.
//
// Run with: go test ./examples/windows -run '^$' -bench BenchmarkWindowCount -count 3
func BenchmarkWindowCount(b *testing.B) {
	records := benchInput(*benchEvents)
	events := make([]event, len(records))
	for i, r := range records {
		events[i] = r.event
	}
	for _, spec := range []windowSpec{
		{Kind: tumbling, Size: time.Second, OutOfOrderness: 100 * ms},
		{Kind: sliding, Size: 10 * time.Second, Slide: 2 * time.Second, OutOfOrderness: 100 * ms},
	} {
		want, _, err := reference(events, spec)
		if err != nil {
			b.Fatal(err)
		}
		periodic := flinksim.ForBoundedOutOfOrderness[indexed](spec.OutOfOrderness).WithTimestampAssigner(eventTime)
		b.Run(spec.Kind.String()+"/reference", func(b *testing.B) {
			benchEventsOf(b, len(events), func() (int, error) {
				firings, _, err := reference(events, spec)
				return len(firings), err
			}, len(want))
		})
		for _, run := range []struct {
			name     string
			p        int
			strategy flinksim.WatermarkStrategy[indexed]
		}{
			{"flinksim/p1", 1, periodic},
			{"flinksim/p2", 2, periodic},
			{"flinksim-per-record-watermark/p1", 1, perRecordWatermarks(spec)},
		} {
			b.Run(spec.Kind.String()+"/"+run.name, func(b *testing.B) {
				benchEventsOf(b, len(records), func() (int, error) {
					firings, _, err := countWith(context.Background(), records, spec, run.strategy, flinksim.WithParallelism(run.p))
					return len(firings), err
				}, len(want))
			})
		}
	}
}

// benchEventsOf runs f, which handles n events and returns its number of
// firings, b.N times, checks the firings, and reports events/s and
// allocations per event.
func benchEventsOf(b *testing.B, n int, f func() (int, error), want int) {
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		got, err := f()
		if err != nil {
			b.Fatal(err)
		}
		if got != want {
			b.Fatalf("%d firings, want %d", got, want)
		}
	}
	runtime.ReadMemStats(&after)
	events := float64(n) * float64(b.N)
	b.ReportMetric(events/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/events, "allocs/event")
}
