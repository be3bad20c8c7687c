package flinksim_test

import (
	"math"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// BenchmarkSavepointMillionKeys measures a savepoint of 1,000,000 keys of
// ValueState[int64] (keyed operator at parallelism 4) written to disk
// (SavepointDir), and the restore of it at parallelism 3, a rescale
// 4 → 3: the time Start takes, which returns once every operator took
// its state. The source emits the distinct keys, then an endless tail of
// key 0; the job stops with the savepoint once the tail began, so the
// savepoint holds every key.
func BenchmarkSavepointMillionKeys(b *testing.B) {
	const keys = 1_000_000
	var savepoint, restore time.Duration
	var size int64
	build := func(env *flinksim.Environment) {
		src := flinksim.Generate(env, "keys", math.MaxInt64, func(i int64) (int64, error) { return max(keys-1-i, 0), nil },
			flinksim.Parallelism(1))
		counts := flinksim.Process(flinksim.KeyBy(src, func(k int64) int64 { return k }), "count",
			func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, int64], error) {
				n := flinksim.NewValueState[int64](rt, "n")
				return flinksim.ProcessFunc[int64, int64, int64](func(_ *flinksim.KeyedContext[int64], _ int64, _ flinksim.Collector[int64]) error {
					c, _ := n.Value()
					n.Update(c + 1)
					return nil
				}), nil
			})
		flinksim.Sink(counts, "sink", func(int64) error { return nil })
	}
	b.ReportAllocs()
	for b.Loop() {
		dir := b.TempDir()
		env := flinksim.NewEnvironment(flinksim.WithParallelism(4),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{SavepointDir: dir}),
			flinksim.WithSavepointAt(flinksim.SavepointAt{Operator: "keys", After: keys + 10_000, Name: "sp", Stop: true}))
		build(env)
		res, err := env.Execute(b.Context(), "fill")
		if err != nil {
			b.Fatal(err)
		}
		var ref string
		for _, r := range res.Checkpoints.History {
			if r.Savepoint == "sp" && r.Status == flinksim.CheckpointCompleted {
				ref, savepoint, size = r.Ref, savepoint+r.Duration, r.Size
			}
		}
		if ref == "" {
			b.Fatal("no savepoint")
		}

		env = flinksim.NewEnvironment(flinksim.WithParallelism(3), flinksim.WithRestoreFrom(ref, false))
		build(env)
		start := time.Now()
		job, err := env.Start(b.Context(), "restore 4 -> 3")
		if err != nil {
			b.Fatal(err)
		}
		restore += time.Since(start)
		job.Cancel()
		_ = job.Wait(b.Context())
	}
	b.ReportMetric(float64(savepoint.Milliseconds())/float64(b.N), "savepoint-ms/op")
	b.ReportMetric(float64(restore.Milliseconds())/float64(b.N), "restore-ms/op")
	b.ReportMetric(float64(size)/keys, "bytes/key")
}
