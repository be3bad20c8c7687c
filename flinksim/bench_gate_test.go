package flinksim_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// heapPeak samples the live heap every 100µs until stop is called, and
// returns the highest sample (bytes). It uses runtime/metrics, which does
// not stop the world.
func heapPeak() (stop func() uint64) {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Microsecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// BenchmarkFastSlowUnion: the memory of an exactly-once job whose fast
// input is unioned with a slow one, checkpoints every 20 ms: the peak live
// heap while it runs. It uses only API the first runtime had, so the same
// file measures both.
func BenchmarkFastSlowUnion(b *testing.B) {
	b.ReportAllocs()
	var peak uint64
	for b.Loop() {
		var got atomic.Int64
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 20 * time.Millisecond}))
		fastSlowUnion(env, 3_000_000, 2_000, 20_000, &got)
		stop := heapPeak()
		if _, err := env.Execute(context.Background(), "fast-slow"); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
		if got.Load() != 3_002_000 {
			b.Fatalf("%d records", got.Load())
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

// BenchmarkWideKeyBy: a word count at parallelism 1,000 across a key-by
// (a million channels) on 82 words: the peak live heap and the time.
func BenchmarkWideKeyBy(b *testing.B) {
	b.ReportAllocs()
	words := strings.Fields(strings.Repeat("to be or not to be that is the question ", 9))[:82]
	var peak uint64
	for b.Loop() {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1000), flinksim.WithTaskManagers(10, 100))
		src := parallelSlice(env, "words", words)
		counts := flinksim.Reduce(flinksim.KeyBy(src, func(w string) string { return w }), "count",
			func(a, v string) (string, error) { return a, nil })
		flinksim.Sink(counts, "out", func(string) error { return nil })
		stop := heapPeak()
		if _, err := env.Execute(context.Background(), "wide"); err != nil {
			b.Fatal(err)
		}
		peak = max(peak, stop())
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
