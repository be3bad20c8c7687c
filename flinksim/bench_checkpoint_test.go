package flinksim_test

import (
	"context"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// recoveryFault fails the count operator at its first batch after armed
// is set, and marks the moment it struck and the first record the
// restored operator processes.
type recoveryFault struct {
	armed   atomic.Bool
	mu      sync.Mutex
	struck  time.Time
	resumed time.Time
}

func (r *recoveryFault) Strike(op string, _ int, point flinksim.FaultPoint, _ int64) error {
	if op != "count" || point != flinksim.FaultRecord || !r.armed.CompareAndSwap(true, false) {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.struck = time.Now()
	return flinksim.ErrInjected
}

func (r *recoveryFault) firstRecord() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.struck.IsZero() && r.resumed.IsZero() {
		r.resumed = time.Now()
	}
}

// BenchmarkRecovery measures the time from an injected failure to the
// first record processed after the restore, with 100,000 keys of state:
// the job gives 100,000 distinct keys state, takes a checkpoint, fails at
// its next batch, restores, and is cancelled once it processes again.
func BenchmarkRecovery(b *testing.B) {
	const keys = 100_000
	var total time.Duration
	for b.Loop() {
		rf := &recoveryFault{}
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{}),
			flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(1, 0)),
			flinksim.WithFaults(rf))
		// After the distinct keys comes an endless tail of key 0.
		src := flinksim.Generate(env, "keys", math.MaxInt64, func(i int64) (int64, error) {
			return max(keys-1-i, 0), nil
		})
		allKeys := make(chan struct{})
		resumed := make(chan struct{})
		var allOnce, resumeOnce sync.Once
		counts := flinksim.Process(flinksim.KeyBy(src, func(k int64) int64 { return k }), "count",
			func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, int64], error) {
				c := flinksim.NewValueState[int64](rt, "c")
				return flinksim.ProcessFunc[int64, int64, int64](func(ctx *flinksim.KeyedContext[int64], k int64, out flinksim.Collector[int64]) error {
					rf.firstRecord()
					if k == 0 {
						allOnce.Do(func() { close(allKeys) })
					}
					if !rf.resumed.IsZero() {
						resumeOnce.Do(func() { close(resumed) })
					}
					v, _ := c.Value()
					c.Update(v + 1)
					return nil
				}), nil
			})
		flinksim.Sink(counts, "discard", func(int64) error { return nil })
		job, err := env.Start(context.Background(), "recovery")
		if err != nil {
			b.Fatal(err)
		}
		<-allKeys
		rec, err := job.TriggerCheckpoint(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		rf.armed.Store(true)
		<-resumed
		job.Cancel()
		_ = job.Wait(context.Background())
		if job.Restarts() != 1 || rec.Size < keys*16 {
			b.Fatalf("restarts = %d, checkpoint size %d: want 1 restart and all keys in the checkpoint", job.Restarts(), rec.Size)
		}
		total += rf.resumed.Sub(rf.struck)
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "ms-to-first-record")
}

// BenchmarkCheckpointMillionKeys reports the duration and size of a
// checkpoint of 1,000,000 keys of int64 state (the job's final checkpoint).
func BenchmarkCheckpointMillionKeys(b *testing.B) {
	const keys = 1_000_000
	var dur time.Duration
	var size int64
	for b.Loop() {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
			flinksim.WithCheckpointing(flinksim.CheckpointConfig{}))
		src := flinksim.Generate(env, "keys", keys, func(i int64) (int64, error) { return i, nil })
		counts := flinksim.Process(flinksim.KeyBy(src, func(k int64) int64 { return k }), "count",
			func(rt *flinksim.KeyedRuntimeContext[int64]) (flinksim.KeyedProcessFunction[int64, int64, int64], error) {
				c := flinksim.NewValueState[int64](rt, "c")
				return flinksim.ProcessFunc[int64, int64, int64](func(ctx *flinksim.KeyedContext[int64], k int64, out flinksim.Collector[int64]) error {
					c.Update(k)
					return nil
				}), nil
			})
		flinksim.Sink(counts, "discard", func(int64) error { return nil })
		res, err := env.Execute(context.Background(), "million")
		if err != nil {
			b.Fatal(err)
		}
		h := res.Checkpoints.History
		last := h[len(h)-1]
		dur += last.Duration
		size = last.Size
	}
	b.ReportMetric(float64(dur.Microseconds())/1000/float64(b.N), "ms/checkpoint")
	b.ReportMetric(float64(size)/(1<<20), "MiB/checkpoint")
}
