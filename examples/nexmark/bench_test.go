package main

import (
	"context"
	"flag"
	"runtime"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/examples/nexmark/nexmark"
	"github.com/flinksim/go-flinksim/flinksim"
)

// benchEvents is how many events each benchmark run generates.
var benchEvents = flag.Int64("nexmark.events", 10_000_000, "events per Nexmark benchmark run")

// BenchmarkQuery runs each query's job over the benchmark's events
// (-nexmark.events, default 10,000,000) at parallelism 1 and 2, with
// exactly-once checkpoints every 10 s, into a sink that counts the rows
// and drops them (Flink's blackhole sink), and reports per run:
//
//   - events/s: events over wall time;
//   - events/cpu-s: events over the process's CPU seconds (user and
//     system, every thread, GC included) — the per-core figure that
//     Nexmark's published results give;
//   - cores: CPU seconds over wall seconds;
//   - allocs/event and B/event: heap allocations and bytes per event;
//   - state-B: the size of the job's state half-way: a savepoint taken
//     when source subtask 0 has emitted half its events (the bytes
//     written to the store; one extra snapshot in the measured run);
//   - last-checkpoint-B: the last checkpoint's size, JobClient's
//     lastCheckpointSize (with runs shorter than the interval, the
//     checkpoint at the end of input, after every window and auction
//     closed);
//   - rows: result rows.
//
// Run it with -benchtime=1x: one run of 10,000,000 events is the
// measurement.
func BenchmarkQuery(b *testing.B) {
	g, err := nexmark.NewGenerator(nexmark.Config{})
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range queries {
		for _, p := range []int{1, 2} {
			b.Run(q.name+"/p"+string(rune('0'+p)), func(b *testing.B) {
				var (
					events, rows   int64
					cpu, wall      float64
					mallocs, bytes uint64
					stateBytes     int64
					lastBytes      int64
				)
				for b.Loop() {
					var before, after runtime.MemStats
					runtime.ReadMemStats(&before)
					out, stats, err := runQuery(context.Background(), q, g, *benchEvents, sinkCount,
						flinksim.WithParallelism(p),
						flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 10 * time.Second, Mode: flinksim.ExactlyOnce}),
						flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "nexmark", After: *benchEvents / int64(p) / 2, Name: "half-way"}))
					if err != nil {
						b.Fatal(err)
					}
					runtime.ReadMemStats(&after)
					events += *benchEvents
					rows += out.rows()
					cpu += stats.CPUSeconds
					wall += stats.Wall.Seconds()
					mallocs += after.Mallocs - before.Mallocs
					bytes += after.TotalAlloc - before.TotalAlloc
					for _, c := range stats.Result.Checkpoints.History {
						if c.Savepoint == "half-way" {
							stateBytes = max(stateBytes, c.Size)
						}
					}
					lastBytes = max(lastBytes, stats.Result.Checkpoints.LastCheckpointSize)
				}
				b.ReportMetric(float64(events)/wall, "events/s")
				if cpu > 0 {
					b.ReportMetric(float64(events)/cpu, "events/cpu-s")
					b.ReportMetric(cpu/wall, "cores")
				}
				b.ReportMetric(float64(mallocs)/float64(events), "allocs/event")
				b.ReportMetric(float64(bytes)/float64(events), "B/event")
				b.ReportMetric(float64(stateBytes), "state-B")
				b.ReportMetric(float64(lastBytes), "last-checkpoint-B")
				b.ReportMetric(float64(rows)/float64(b.N), "rows")
			})
		}
	}
}
