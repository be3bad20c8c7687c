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
// Mutants: timers left out of the snapshot (Timers.appendGroup writing no
// keys); the restored timer tables not registered at open
// (keyedTimers.open skipping HasRestored) — each fails this test.
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
// Mutants: endData without the final watermark
// (advanceInputWatermark(MaxWatermark) removed) — fails this test.
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

// dedupFn registers, for each record, event-time timers at ts and ts+10
// twice each, deletes the one at ts+10, and a processing-time timer it
// deletes too; OnTimer emits what it got.
type dedupFn struct{}

func (dedupFn) ProcessElement(ctx *flinksim.KeyedContext[int], v int, _ flinksim.Collector[firing]) error {
	ts := ctx.TimerService()
	for range 2 {
		ts.RegisterEventTimeTimer(ctx.Timestamp())
		ts.RegisterEventTimeTimer(ctx.Timestamp() + 10)
	}
	ts.DeleteEventTimeTimer(ctx.Timestamp() + 10)
	ts.RegisterProcessingTimeTimer(ts.CurrentProcessingTime())
	ts.DeleteProcessingTimeTimer(ts.CurrentProcessingTime())
	return nil
}

func (dedupFn) OnTimer(ctx *flinksim.OnTimerContext[int], t int64, out flinksim.Collector[firing]) error {
	out.Collect(firing{Key: ctx.Key(), Time: t, Domain: ctx.TimeDomain(), TS: ctx.Timestamp()})
	return nil
}

// TestTimerRegisterDeleteDedup: a timer registered twice for one key and
// time fires once, a deleted one never, and OnTimer gets the key, the
// domain and the timer's time as its timestamp. Two records of one key at
// one time share their timer.
//
// Mutants: Timers.Register without the duplicate check — fails this test.
func TestTimerRegisterDeleteDedup(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env, _ := eventTimeEnv(ex)
		items := []int{1, 2, 3, 1}
		src := flinksim.AssignTimestampsAndWatermarks(flinksim.FromSlice(env, "src", items), "ts",
			flinksim.ForMonotonousTimestamps[int]().WithTimestampAssigner(func(v int, _ int64) int64 { return int64(v) * 100 }))
		out := flinksim.Collect(flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v }), "timers",
			func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, firing], error) {
				return dedupFn{}, nil
			}), "out")
		_, err := env.Execute(t.Context(), t.Name())
		require.NoError(t, err)
		var want []firing
		for _, k := range []int{1, 2, 3} {
			want = append(want, firing{Key: k, Time: int64(k) * 100, Domain: flinksim.EventTime, TS: int64(k) * 100})
		}
		assertSameMultiset(t, want, out.Values())
	})
}

// nearMiss has an OnTimer that is not TimerFunction's.
type nearMiss struct{ dedupFn }

func (nearMiss) OnTimer(ctx *flinksim.KeyedContext[int], t int64, out flinksim.Collector[firing]) error {
	return nil
}

// TestTimerNearMissSignature: a function with an OnTimer of the wrong
// signature fails the job with ErrInvalidOperator, naming both signatures,
// instead of never being called.
func TestTimerNearMissSignature(t *testing.T) {
	env := flinksim.NewEnvironment()
	src := flinksim.FromSlice(env, "src", []int{1})
	flinksim.Collect(flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v }), "timers",
		func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, firing], error) {
			return nearMiss{}, nil
		}), "out")
	_, err := env.Execute(t.Context(), t.Name())
	require.ErrorIs(t, err, flinksim.ErrInvalidOperator)
	assert.Contains(t, err.Error(), "OnTimer(*flinksim.KeyedContext[int], int64")
	assert.Contains(t, err.Error(), "OnTimer(*flinksim.OnTimerContext[int], int64")
}

// TestTimerStateNamesReserved: user state may not be named like the
// timer tables.
func TestTimerStateNamesReserved(t *testing.T) {
	env := flinksim.NewEnvironment()
	src := flinksim.FromSlice(env, "src", []int{1})
	flinksim.Collect(flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v }), "timers",
		func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
			flinksim.NewValueState[int](rt, "_timer/event")
			return passThrough(rt)
		}), "out")
	_, err := env.Execute(t.Context(), t.Name())
	require.ErrorIs(t, err, flinksim.ErrInvalidConfig)
	assert.Contains(t, err.Error(), `"_timer/event"`)
}

// procFn registers a processing-time timer 50 ms after each record and
// emits whether the clock had reached the timer when it fired.
type procFn struct{ fired *atomic.Int64 }

func (f procFn) ProcessElement(ctx *flinksim.KeyedContext[int], _ int, _ flinksim.Collector[firing]) error {
	ts := ctx.TimerService()
	ts.RegisterProcessingTimeTimer(ts.CurrentProcessingTime() + 50)
	return nil
}

func (f procFn) OnTimer(ctx *flinksim.OnTimerContext[int], t int64, out flinksim.Collector[firing]) error {
	f.fired.Add(1)
	onTime := int64(0) // Time is 1 if the clock has reached the timer, 0 if it fired early
	if ctx.TimerService().CurrentProcessingTime() >= t {
		onTime = 1
	}
	out.Collect(firing{Key: ctx.Key(), Time: onTime, Domain: ctx.TimeDomain(), TS: ctx.Timestamp()})
	return nil
}

// TestProcessingTimeTimersOnJobClock: processing-time timers fire when the
// job's clock reaches them — a ManualClock moved by the source on the
// concurrent executor, virtual time on the simulation — never before, with
// no timestamp.
//
// Mutants: keyedTimers.schedule not asking for a wake-up — fails this test
// (it times out).
func TestProcessingTimeTimersOnJobClock(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		env, clock := eventTimeEnv(ex)
		var fired atomic.Int64
		src := flinksim.FromSource(env, "src", flinksim.Source[int, stepSplit](&scriptSource{clock: clock, scripts: [][]step{{
			rec(1, 0), rec(2, 0), advance(100 * time.Millisecond), waitUntil(func() bool { return fired.Load() == 2 }),
		}}}), flinksim.Parallelism(1))
		out := flinksim.Collect(flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v }), "timers",
			func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, firing], error) {
				return procFn{fired: &fired}, nil
			}), "out")
		_, err := env.Execute(ctx, t.Name())
		require.NoError(t, err)
		assertSameMultiset(t, []firing{
			{Key: 1, Time: 1, Domain: flinksim.ProcessingTime, TS: flinksim.NoTimestamp},
			{Key: 2, Time: 1, Domain: flinksim.ProcessingTime, TS: flinksim.NoTimestamp},
		}, out.Values())
	})
}
