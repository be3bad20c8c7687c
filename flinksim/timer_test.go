package flinksim_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
	"github.com/flinksim/go-flinksim/snapshot"
)

// firing is a timer that fired: its key, time, domain, the timestamp
// OnTimer saw and the subtask it fired in.
type firing struct {
	Key     int
	Time    int64
	Domain  flinksim.TimeDomain
	TS      int64
	Subtask int
}

// timerJob is the keyed function of the timer tests: for record v (its
// key) it registers an event-time timer at its timestamp + 1000 and a
// processing-time timer 60 s after the job's clock, and emits each timer
// that fires.
type timerJob struct {
	processed atomic.Int64
	all       chan struct{} // closed once want records were processed
	want      int64
	once      sync.Once
	procFired atomic.Int64
}

func (j *timerJob) open(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, firing], error) {
	return &timerFn{j: j, subtask: rt.Subtask()}, nil
}

type timerFn struct {
	j       *timerJob
	subtask int
}

func (f *timerFn) ProcessElement(ctx *flinksim.KeyedContext[int], v int, _ flinksim.Collector[firing]) error {
	ts := ctx.TimerService()
	ts.RegisterEventTimeTimer(ctx.Timestamp() + 1000)
	ts.RegisterProcessingTimeTimer(ts.CurrentProcessingTime() + 60_000)
	if f.j.processed.Add(1) == f.j.want {
		f.j.once.Do(func() { close(f.j.all) })
	}
	return nil
}

func (f *timerFn) OnTimer(ctx *flinksim.OnTimerContext[int], t int64, out flinksim.Collector[firing]) error {
	if ctx.TimeDomain() == flinksim.ProcessingTime {
		f.j.procFired.Add(1)
	}
	out.Collect(firing{Key: ctx.Key(), Time: t, Domain: ctx.TimeDomain(), TS: ctx.Timestamp(), Subtask: f.subtask})
	return nil
}

// timerStart is the job's clock at the start of the timer tests, in ms.
const timerStart = 1_000_000

// runTimerPhase runs the timer job on the concurrent executor at
// parallelism p, restoring from ref unless it is empty. With fire, the
// restored job moves its clock past the processing-time timers and ends,
// firing every timer; without, it stops with a savepoint (draining or not)
// once its records are in, and returns the savepoint's reference.
func runTimerPhase(t *testing.T, store *snapshot.Store, keys []int, ref string, p int, fire, drain bool) (string, []firing) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	clock := flinksim.NewManualClock(time.UnixMilli(timerStart))
	j := &timerJob{all: make(chan struct{}), want: int64(len(keys))}
	if ref != "" {
		close(j.all) // the records were processed before the savepoint
	}
	var script []step
	for _, k := range keys {
		script = append(script, rec(k, int64(100+k)))
	}
	script = append(script, blockUntil(func() bool { return fire }), advance(61*time.Second),
		waitUntil(func() bool { return j.procFired.Load() == int64(len(keys)) }))
	opts := []flinksim.Option{flinksim.WithClock(clock), withWatermarkInterval(wmInterval), flinksim.WithParallelism(p),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Store: store, Interval: time.Hour}),
		flinksim.WithRestartStrategy(flinksim.NoRestart())}
	if ref != "" {
		opts = append(opts, flinksim.WithRestoreFrom(ref, false))
	}
	env := flinksim.NewEnvironment(opts...)
	src := flinksim.FromSourceWithWatermarks(env, "src", flinksim.Source[int, stepSplit](&scriptSource{scripts: [][]step{script}, clock: clock}),
		flinksim.ForMonotonousTimestamps[int](), flinksim.Parallelism(1))
	out := flinksim.Collect(flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v }), "timers", j.open), "out")
	job := startJob(t, env)
	if fire {
		require.NoError(t, job.Wait(ctx))
		return "", out.Values()
	}
	select {
	case <-j.all:
	case <-ctx.Done():
		t.Fatal("the records were not processed")
	}
	sp, err := job.StopWithSavepoint(ctx, fmt.Sprintf("sp-%d", p), drain)
	require.NoError(t, err)
	require.NoError(t, job.Wait(ctx))
	return sp.Ref, out.Values()
}

// TestTimersSurviveRescale: event-time and processing-time timers of keys
// at the edges of every subtask's key-group range survive a savepoint and
// restores at other parallelisms (1 → 3 → 2), do not fire on a stop
// without drain, and after the last restore each fires exactly once, in
// the subtask owning its key, with its time as the timestamp (event time)
// or none (processing time).
//
// Mutants: timers left out of the snapshot (processOp.SnapshotState
// without the timer tables: Timers.appendGroup writing no keys); the
// restored timer tables not registered at open (keyedTimers.open skipping
// HasRestored); the earliest processing-time timer not scheduled at open
// (no schedule() in open) — each fails this test.
func TestTimersSurviveRescale(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	keys := boundaryKeys(r, 3, 2)
	keys = append(keys, boundaryKeys(r, 2, 0)...)
	keys = uniqueSorted(keys)
	store, _ := cpMemStore(t)
	sp1, fired1 := runTimerPhase(t, store, keys, "", 1, false, false)
	assert.Empty(t, fired1, "a stop without drain fires no timer")
	sp2, fired2 := runTimerPhase(t, store, keys, sp1, 3, false, false)
	assert.Empty(t, fired2)
	_, fired := runTimerPhase(t, store, keys, sp2, 2, true, false)
	var want []firing
	for _, k := range keys {
		sub := keygroup.OperatorIndex(keyGroupOf(k), 2, eoMaxParallelism)
		want = append(want, firing{Key: k, Time: int64(100+k) + 1000, Domain: flinksim.EventTime, TS: int64(100+k) + 1000, Subtask: sub},
			firing{Key: k, Time: timerStart + 60_000, Domain: flinksim.ProcessingTime, TS: flinksim.NoTimestamp, Subtask: sub})
	}
	assertSameMultiset(t, want, fired)
}

// TestStopWithDrainFiresEventTimers: a stop with drain sends the final
// watermark, so every event-time timer fires (processing-time timers do
// not: timers are quiesced at the end of input).
//
// Mutants: endData without the final watermark — fails this test.
func TestStopWithDrainFiresEventTimers(t *testing.T) {
	keys := []int{1, 2, 3}
	store, _ := cpMemStore(t)
	_, fired := runTimerPhase(t, store, keys, "", 2, false, true)
	var want []firing
	for _, k := range keys {
		sub := keygroup.OperatorIndex(keyGroupOf(k), 2, eoMaxParallelism)
		want = append(want, firing{Key: k, Time: int64(1100 + k), Domain: flinksim.EventTime, TS: int64(1100 + k), Subtask: sub})
	}
	assertSameMultiset(t, want, fired)
}

func uniqueSorted(keys []int) []int {
	m := map[int]bool{}
	var out []int
	for _, k := range keys {
		if !m[k] {
			m[k] = true
			out = append(out, k)
		}
	}
	return out
}
