package nexmark

import (
	"context"
	"testing"

	"github.com/flinksim/go-flinksim/flinksim"
)

// reportRates reports events/s of wall time, and events per CPU-second
// with the cores used (CPU time over wall time, GC included), since
// cpu0 — the per-core figure the benchmark compares.
func reportRates(b *testing.B, events int64, cpu0 float64) {
	cpu := CPUSeconds() - cpu0
	wall := b.Elapsed().Seconds()
	b.ReportMetric(float64(events)/wall, "events/s")
	if cpu > 0 {
		b.ReportMetric(float64(events)/cpu, "events/cpu-s")
		b.ReportMetric(cpu/wall, "cores")
	}
}

// BenchmarkGenerate measures Fill, in batches of 256, without and with
// the Extra padding.
func BenchmarkGenerate(b *testing.B) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"plain", Config{}}, {"padded", Config{PadExtra: true}}} {
		b.Run(tc.name, func(b *testing.B) {
			g, err := NewGenerator(tc.cfg)
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]Event, 256)
			b.ReportAllocs()
			n := int64(0)
			cpu0 := CPUSeconds()
			for b.Loop() {
				if err := g.Fill(buf, n); err != nil {
					b.Fatal(err)
				}
				n += int64(len(buf))
			}
			reportRates(b, n, cpu0)
		})
	}
}

// BenchmarkSourceJob runs a job of the source alone into a sink that
// drops its events, 1,000,000 events per iteration, at parallelism 1 and
// 2, with the watermarks of FromSourceWithWatermarks and no checkpoints.
func BenchmarkSourceJob(b *testing.B) {
	const events = 1_000_000
	g, err := NewGenerator(Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []int{1, 2} {
		b.Run(map[int]string{1: "p1", 2: "p2"}[p], func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := CPUSeconds()
			for b.Loop() {
				src, err := NewSource(g, SourceConfig{Events: events})
				if err != nil {
					b.Fatal(err)
				}
				env := flinksim.NewEnvironment(flinksim.WithParallelism(p))
				s := flinksim.FromSourceWithWatermarks(env, "nexmark", src, flinksim.ForMonotonousTimestamps[Event]())
				flinksim.Sink(s, "drop", func(Event) error { return nil })
				if _, err := env.Execute(context.Background(), "source"); err != nil {
					b.Fatal(err)
				}
			}
			reportRates(b, int64(b.N)*events, cpu0)
		})
	}
}
