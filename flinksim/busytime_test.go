package flinksim_test

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// busyInterval is how long the tests on the system clock measure busy
// time over.
const busyInterval = 200 * time.Millisecond

// firstRecord returns a sink function that closes the returned channel
// when the first record arrives.
func firstRecord[T any]() (func(T) error, <-chan struct{}) {
	arrived := make(chan struct{})
	var once sync.Once
	return func(T) error { once.Do(func() { close(arrived) }); return nil }, arrived
}

// busyRates samples the job's subtasks, lets busyInterval pass on the
// system clock, samples again and returns each subtask's busy time per
// second of the interval, with the second sample.
func busyRates(t *testing.T, job *flinksim.JobClient) ([]float64, []flinksim.SubtaskInfo) {
	t.Helper()
	return ratesOf(t, job, func(s flinksim.SubtaskInfo) time.Duration { return s.BusyTime })
}

// ratesOf returns the growth of each subtask's duration of over
// busyInterval, per second, with the second sample.
func ratesOf(t *testing.T, job *flinksim.JobClient, of func(flinksim.SubtaskInfo) time.Duration) ([]float64, []flinksim.SubtaskInfo) {
	t.Helper()
	from, start := job.Subtasks(), time.Now()
	<-time.After(busyInterval) // measuring over an interval is the point
	to, elapsed := job.Subtasks(), time.Since(start)
	require.Len(t, to, len(from))
	rates := make([]float64, len(to))
	for i := range to {
		rates[i] = float64(of(to[i])-of(from[i])) / float64(elapsed)
	}
	t.Logf("per second: %v", rates)
	return rates, to
}

// TestBusyTimeOfABusyJob: an unbounded source chained to a map that works
// on every record is one task that never waits, so the busiest subtask's
// busy time per second, measured over an interval on the system clock, is
// near 1 — and no more than 1 by more than one step's worth.
//
// Mutants this catches: Do never adding to the busy time (rate 0); every
// step counted idle (the same); the busy time added twice per step (near
// 2).
func TestBusyTimeOfABusyJob(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	src := flinksim.Generate(env, "numbers", math.MaxInt64, func(i int64) (int64, error) { return i, nil })
	squares := flinksim.Map(src, "square", func(v int64) (int64, error) { return v * v, nil })
	sink, arrived := firstRecord[int64]()
	flinksim.Sink(squares, "out", sink)
	job := startJob(t, env)
	<-arrived
	rates, subtasks := busyRates(t, job)
	require.Len(t, subtasks, 1, "one chained task")
	assert.LessOrEqual(t, rates[0], 1.25, "busy longer than the clock moved")
	assert.Greater(t, rates[0], 0.5, "the task is busy all the time")
}

// TestBusyTimeWhileWaitingForInput: a job fed by FromChan with nothing
// sent does not get busy while it waits, on the system clock: over an
// interval at whose end one record is sent and reaches the sink, no
// subtask's busy time grows by more than a fraction of the interval.
//
// Mutants this catches: a step measured from the end of the task's
// previous step, which counts the wait before it (the source's busy time
// grows by the interval); Next not noting that the task found nothing to
// do, so the step after the wait counts it as well (the same).
func TestBusyTimeWhileWaitingForInput(t *testing.T) {
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	ch := make(chan int)
	sink, arrived := firstRecord[int]()
	flinksim.Sink(flinksim.Rebalance(flinksim.FromChan(env, "pushed", ch)), "out", sink)
	job := startJob(t, env)
	from, start := job.Subtasks(), time.Now()
	<-time.After(busyInterval) // measuring over an interval is the point
	ch <- 1
	<-arrived
	to, elapsed := job.Subtasks(), time.Since(start)
	require.Len(t, to, 2)
	for i := range to {
		grown := to[i].BusyTime - from[i].BusyTime
		assert.Less(t, grown, elapsed/4, "%s (%d) waited %v, busy %v of it", to[i].Task, to[i].Subtask, elapsed, grown)
	}
}

// TestBusyTimeUnderBackpressure: a fast source in front of a slow map is
// backpressured: its output channel is full, and the time it waits for
// room is not busy, while the map is busy all the time.
//
// Mutants this catches: a step measured from the end of the task's
// previous step (the source's wait for room counts: its rate is near 1);
// Next not noting that the task found nothing to do (the same); a source
// polled while its outputs are full (no backpressure: it is busy all the
// time).
func TestBusyTimeUnderBackpressure(t *testing.T) {
	const batch = 16
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithBatchSize(batch))
	src := flinksim.Generate(env, "numbers", math.MaxInt64, func(i int64) (int64, error) { return i, nil })
	slow := flinksim.Map(flinksim.Rebalance(src), "slow", func(v int64) (int64, error) {
		time.Sleep(50 * time.Microsecond) // the map's work
		return v, nil
	})
	sink, arrived := firstRecord[int64]()
	flinksim.Sink(slow, "out", sink)
	job := startJob(t, env)
	<-arrived
	rates, subtasks := busyRates(t, job)
	require.Len(t, subtasks, 2)
	source, consumer := 0, 1
	if subtasks[0].Task != "numbers" {
		source, consumer = 1, 0
	}
	require.Equal(t, "numbers", subtasks[source].Task)
	assert.GreaterOrEqual(t, subtasks[consumer].PeakQueuedRecords, 8*batch, "the map's input channel filled: the source is backpressured")
	assert.Less(t, rates[source], 0.25, "the source waits for room: %v", rates)
	assert.Greater(t, rates[consumer], 0.5, "the map works all the time: %v", rates)
}

// scriptedSource is a source of one subtask whose reader follows script,
// one entry per PollNext: it moves clock (if not nil) by the entry's
// advance, emits its records and reports its status; an entry that
// reports NothingAvailable also signals Available, so the next poll
// follows. After the script, the reader ends.
type scriptedSource struct {
	clock  *flinksim.ManualClock
	script []pollScript
}

type pollScript struct {
	advance time.Duration
	emit    int
	status  flinksim.InputStatus
}

type scriptSplit struct{}

func (s scriptedSource) Splits(int) ([]scriptSplit, error) { return []scriptSplit{{}}, nil }

func (s scriptedSource) SplitCodec() flinksim.Codec[scriptSplit] {
	return flinksim.JSONCodec[scriptSplit]{}
}

func (s scriptedSource) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int, scriptSplit], error) {
	return &scriptedReader{src: s, ctx: ctx}, nil
}

type scriptedReader struct {
	src   scriptedSource
	ctx   *flinksim.ReaderContext
	polls int
}

func (r *scriptedReader) AddSplits([]scriptSplit) error { return nil }
func (r *scriptedReader) NotifyNoMoreSplits()           {}

func (r *scriptedReader) PollNext(out flinksim.Collector[int]) (flinksim.InputStatus, error) {
	if r.polls == len(r.src.script) {
		return flinksim.EndOfInput, nil
	}
	p := r.src.script[r.polls]
	r.polls++
	if r.src.clock != nil {
		r.src.clock.Advance(p.advance)
	}
	for i := range p.emit {
		out.Collect(i)
	}
	if p.status == flinksim.NothingAvailable {
		r.ctx.Available()
	}
	return p.status, nil
}

func (r *scriptedReader) SnapshotState(int64) ([]scriptSplit, error) { return nil, nil }
func (r *scriptedReader) Close() error                               { return nil }

// TestBusyTimeOfPolls: which polls are work. The source below emits two
// records in its first step (batch size 2: a step polls at most twice),
// which wait in the two channels to the sinks; its second step finds
// nothing but flushes them; its third finds nothing and has nothing to
// flush — the one idle step; its fourth reports more twice without
// emitting; its fifth ends the input. On the concurrent executor with a
// ManualClock that only the reader moves, the source's busy time is
// exactly what the clock moved during its working steps (10ms + 20ms +
// 1ms; not the hour of the idle one); on the simulation it is one tick
// per working step (4ms). Both executors run the same accounting.
//
// Mutants this catches: an idle poll counted busy (concurrent: one hour
// more; simulation: 5ms); a flush not counted as work (20ms less; 3ms);
// a poll that emitted nothing counted idle whatever it reported (1ms
// less; 3ms); the simulation not counting its tick per step (0).
func TestBusyTimeOfPolls(t *testing.T) {
	script := func(clock *flinksim.ManualClock) scriptedSource {
		return scriptedSource{clock: clock, script: []pollScript{
			{advance: 10 * time.Millisecond, emit: 1, status: flinksim.MoreAvailable},
			{emit: 1, status: flinksim.MoreAvailable}, // the step's second record: it ends
			{advance: 20 * time.Millisecond, status: flinksim.NothingAvailable},
			{advance: time.Hour, status: flinksim.NothingAvailable},
			{advance: time.Millisecond, status: flinksim.MoreAvailable},
			{status: flinksim.MoreAvailable},
		}}
	}
	run := func(t *testing.T, src scriptedSource, opts ...flinksim.Option) time.Duration {
		env := flinksim.NewEnvironment(append(opts, flinksim.WithParallelism(1), flinksim.WithBatchSize(2))...)
		records := flinksim.FromSource(env, "script", flinksim.Source[int, scriptSplit](src))
		flinksim.Sink(flinksim.Rebalance(records), "out", func(int) error { return nil }, flinksim.Parallelism(2))
		job := startJob(t, env)
		require.NoError(t, job.Wait(cpDeadline(t)))
		for _, s := range job.Subtasks() {
			if s.Task == "script" {
				return s.BusyTime
			}
		}
		t.Fatal("no source subtask")
		return 0
	}
	t.Run("concurrent", func(t *testing.T) {
		clock := flinksim.NewManualClock(time.Unix(0, 0))
		assert.Equal(t, 31*time.Millisecond, run(t, script(clock), flinksim.WithClock(clock)))
	})
	t.Run("sim", func(t *testing.T) {
		assert.Equal(t, 4*time.Millisecond, run(t, script(nil), flinksim.WithSimulation(1, nil)))
	})
}

// TestBusyTimeInSimulation: on the simulation executor a subtask's busy
// time is one tick (1ms) per step it took — each poll of its source, each
// batch or end-of-input event it read, as its trace shows — and the same
// seed gives the same busy times.
//
// Mutants this catches: the simulation not counting its tick per step
// (0); counting the clock's moves besides the tick twice, or the time the
// simulation advanced but took no step in (more than the steps); a step
// left uncounted (less).
func TestBusyTimeInSimulation(t *testing.T) {
	type subtask struct {
		task    string
		subtask int
	}
	run := func(t *testing.T) []flinksim.SubtaskInfo {
		var mu sync.Mutex
		steps := make(map[subtask]int)
		env := flinksim.NewEnvironment(flinksim.WithParallelism(2), flinksim.WithBatchSize(8),
			flinksim.WithSimulation(7, nil), flinksim.WithTracer(func(ev flinksim.TraceEvent) {
				switch ev.Kind {
				case flinksim.TracePoll, flinksim.TraceBatchIn, flinksim.TraceEndOfData, flinksim.TraceEndOfPartition:
					mu.Lock()
					steps[subtask{ev.Task, ev.Subtask}]++
					mu.Unlock()
				}
			}))
		src := flinksim.Generate(env, "numbers", 500, func(i int64) (int64, error) { return i % 7, nil })
		counts := flinksim.Reduce(flinksim.KeyBy(src, func(v int64) int64 { return v }), "count",
			func(acc, v int64) (int64, error) { return acc + v, nil })
		flinksim.Sink(flinksim.Rebalance(counts), "out", func(int64) error { return nil }, flinksim.Parallelism(3))
		job := startJob(t, env)
		require.NoError(t, job.Wait(cpDeadline(t)))
		subtasks := job.Subtasks()
		mu.Lock()
		defer mu.Unlock()
		for _, s := range subtasks {
			n := steps[subtask{s.Task, s.Subtask}]
			require.Positive(t, n, "%s (%d) took steps", s.Task, s.Subtask)
			assert.Equal(t, time.Duration(n)*time.Millisecond, s.BusyTime, "%s (%d): one tick per step", s.Task, s.Subtask)
		}
		return subtasks
	}
	first, second := run(t), run(t)
	assert.Equal(t, first, second, "the same seed, the same busy times")
}
