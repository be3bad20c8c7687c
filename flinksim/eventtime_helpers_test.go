package flinksim_test

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// The event-time tests run scripted sources: every source subtask follows
// a script of records (with timestamps, on splits), split releases, pauses
// and waits. A pause lets the periodic watermark emit run between the
// records before it and those after, on either executor: on the concurrent
// one the reader moves the job's ManualClock past the pause and yields,
// and the task runs its due timer before it polls again; on the simulation
// the reader reports more (emitting nothing) until the virtual clock, which
// moves a tick per step, has passed the pause. Watermarks travel in-band
// with the records, so what a consumer of one source subtask sees at each
// record is then the same on every run.

// wmInterval is the watermark interval of the event-time tests.
const wmInterval = 10 * time.Millisecond

// wmPause is a pause of a script: long enough for a periodic emit on either
// executor.
const wmPause = 20 * wmInterval

// withWatermarkInterval sets Config.WatermarkInterval.
func withWatermarkInterval(d time.Duration) flinksim.Option {
	return func(c *flinksim.Config) { c.WatermarkInterval = d }
}

type stepKind uint8

const (
	stepRecord stepKind = iota
	stepRelease
	stepPause
	stepWait
	stepBlock
	stepAdvance
)

// step is one step of a script.
type step struct {
	kind  stepKind
	split string // the split of a record or a release; "" is the main output
	v     int
	ts    int64 // NoTimestamp: emitted with Collect
	until func() bool
	d     time.Duration // of an advance
}

// rec emits v at ts on the main output.
func rec(v int, ts int64) step { return step{kind: stepRecord, v: v, ts: ts} }

// recOn emits v at ts on split.
func recOn(split string, v int, ts int64) step {
	return step{kind: stepRecord, split: split, v: v, ts: ts}
}

// release releases split.
func release(split string) step { return step{kind: stepRelease, split: split} }

// pause lets the periodic emits run.
func pause() step { return step{kind: stepPause} }

// waitUntil waits, with time passing, until cond holds.
func waitUntil(cond func() bool) step { return step{kind: stepWait, until: cond} }

// blockUntil waits, without time passing, until cond holds; the reader
// reports nothing available meanwhile and never signals, so only a stop
// or a cancel moves a job blocked on it on.
func blockUntil(cond func() bool) step { return step{kind: stepBlock, until: cond} }

// advance moves the job's clock by d (on the simulation: waits until it
// has moved by d).
func advance(d time.Duration) step { return step{kind: stepAdvance, d: d} }

// stepSplit is the split of one subtask's script, with its position.
type stepSplit struct {
	Script int
	Pos    int
}

// scriptSource runs scripts[i] in the reader that gets split i; give it
// the parallelism len(scripts). clock is the job's ManualClock on the
// concurrent executor, nil on the simulation.
type scriptSource struct {
	scripts [][]step
	clock   *flinksim.ManualClock
}

func (s *scriptSource) Splits(int) ([]stepSplit, error) {
	out := make([]stepSplit, len(s.scripts))
	for i := range out {
		out[i] = stepSplit{Script: i}
	}
	return out, nil
}

func (s *scriptSource) SplitCodec() flinksim.Codec[stepSplit] {
	return flinksim.CodecFor[stepSplit]()
}

func (s *scriptSource) NewReader(ctx *flinksim.ReaderContext) (flinksim.SourceReader[int, stepSplit], error) {
	return &scriptReader{src: s, ctx: ctx}, nil
}

type scriptReader struct {
	src    *scriptSource
	ctx    *flinksim.ReaderContext
	splits []stepSplit
	until  time.Time // end of the pause under way
	noMore bool
}

func (r *scriptReader) AddSplits(s []stepSplit) error {
	r.splits = append(r.splits, s...)
	return nil
}

func (r *scriptReader) NotifyNoMoreSplits() { r.noMore = true }

// yield lets time pass: the concurrent executor's clock moves by d and the
// task runs its due timers before the next poll.
func (r *scriptReader) yield(d time.Duration) flinksim.InputStatus {
	if r.src.clock == nil {
		return flinksim.MoreAvailable
	}
	r.src.clock.Advance(d)
	r.ctx.Available()
	return flinksim.NothingAvailable
}

func (r *scriptReader) PollNext(out flinksim.Collector[int]) (flinksim.InputStatus, error) {
	ro := out.(flinksim.ReaderOutput[int])
	for len(r.splits) > 0 {
		sp := &r.splits[0]
		script := r.src.scripts[sp.Script]
		if sp.Pos == len(script) {
			r.splits = r.splits[1:]
			continue
		}
		st := script[sp.Pos]
		switch st.kind {
		case stepRecord:
			sp.Pos++
			var so flinksim.SplitOutput[int] = ro
			if st.split != "" {
				so = ro.Split(st.split)
			}
			if st.ts == flinksim.NoTimestamp {
				so.Collect(st.v)
			} else {
				so.CollectAt(st.v, st.ts)
			}
			return flinksim.MoreAvailable, nil
		case stepRelease:
			sp.Pos++
			ro.ReleaseSplit(st.split)
		case stepPause:
			now := r.ctx.Now()
			if r.until.IsZero() {
				r.until = now.Add(wmPause)
				return r.yield(wmPause), nil
			}
			if now.Before(r.until) {
				return r.yield(wmInterval), nil
			}
			r.until = time.Time{}
			sp.Pos++
		case stepBlock:
			if !st.until() {
				return flinksim.NothingAvailable, nil
			}
			sp.Pos++
		case stepAdvance:
			now := r.ctx.Now()
			if r.until.IsZero() {
				r.until = now.Add(st.d)
				return r.yield(st.d), nil
			}
			if now.Before(r.until) {
				return r.yield(wmInterval), nil
			}
			r.until = time.Time{}
			sp.Pos++
		case stepWait:
			if !st.until() {
				return r.yield(wmInterval), nil
			}
			sp.Pos++
		}
	}
	if r.noMore {
		return flinksim.EndOfInput, nil
	}
	return flinksim.NothingAvailable, nil
}

func (r *scriptReader) SnapshotState(int64) ([]stepSplit, error) {
	return append([]stepSplit(nil), r.splits...), nil
}

func (r *scriptReader) Close() error { return nil }

// eventTimeEnv returns an environment for ex with the event-time tests'
// watermark interval, and the ManualClock scripts must advance on the
// concurrent executor (nil on the simulation).
func eventTimeEnv(ex executor, opts ...flinksim.Option) (*flinksim.Environment, *flinksim.ManualClock) {
	opts = append([]flinksim.Option{withWatermarkInterval(wmInterval)}, opts...)
	var clock *flinksim.ManualClock
	if ex.name == "concurrent" {
		clock = flinksim.NewManualClock(time.UnixMilli(1_000_000))
		opts = append(opts, flinksim.WithClock(clock))
	}
	return ex.newEnv(opts...), clock
}

// seen is what a probe saw: a record (Timer false) with its timestamp and
// the watermark when it came, or a timer that fired.
type seen struct {
	Timer  bool
	Domain flinksim.TimeDomain
	Key, V int
	TS, WM int64
}

// probeState tells a waiting script what the probe saw.
type probeState struct {
	mu      sync.Mutex
	reached map[int64]bool          // event-time timers of watch that fired
	values  map[int]bool            // the records seen
	signal  map[int64]chan struct{} // closed when reached[t] is set
	fired   atomic.Int64
}

// reachedCh returns a channel closed once the probe's watermark reached t
// (t must be in the probe's watch list).
func (p *probeState) reachedCh(t int64) <-chan struct{} { return p.signal[t] }

// saw reports whether the probe has seen record v.
func (p *probeState) saw(v int) func() bool {
	return func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.values[v]
	}
}

// reachedWM reports whether the probe's watermark reached t (t must be in
// the probe's watch list).
func (p *probeState) reachedWM(t int64) func() bool {
	return func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.reached[t]
	}
}

// probe keys s by v%keys and, for every record, emits what it saw; for
// every record it registers an event-time timer at the record's timestamp
// plus timerOffset (unless timerOffset < 0), and on the first record of a
// key the timers in watch, which mark the probe's state reached when they
// fire. Every timer that fires emits what it saw too.
func probe(s flinksim.Stream[int], keys int, timerOffset int64, watch []int64, opts ...flinksim.OperatorOption) (*flinksim.CollectSink[seen], *probeState) {
	ps := &probeState{reached: make(map[int64]bool), values: make(map[int]bool), signal: make(map[int64]chan struct{})}
	for _, w := range watch {
		ps.signal[w] = make(chan struct{})
	}
	out := flinksim.Process(flinksim.KeyBy(s, func(v int) int { return v % keys }), "probe",
		func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, seen], error) {
			return &probeFn{ps: ps, offset: timerOffset, watch: watch, first: flinksim.NewValueState[bool](rt, "seen")}, nil
		}, opts...)
	return flinksim.Collect(out, "probe-out", opts...), ps
}

type probeFn struct {
	ps     *probeState
	offset int64
	watch  []int64
	first  flinksim.ValueState[bool]
}

func (p *probeFn) ProcessElement(ctx *flinksim.KeyedContext[int], v int, out flinksim.Collector[seen]) error {
	ts := ctx.TimerService()
	out.Collect(seen{Key: ctx.Key(), V: v, TS: ctx.Timestamp(), WM: ts.CurrentWatermark()})
	p.ps.mu.Lock()
	p.ps.values[v] = true
	p.ps.mu.Unlock()
	if p.offset >= 0 && ctx.Timestamp() != flinksim.NoTimestamp {
		ts.RegisterEventTimeTimer(ctx.Timestamp() + p.offset)
	}
	if done, _ := p.first.Value(); !done {
		p.first.Update(true)
		for _, w := range p.watch {
			ts.RegisterEventTimeTimer(w)
		}
	}
	return nil
}

func (p *probeFn) OnTimer(ctx *flinksim.OnTimerContext[int], t int64, out flinksim.Collector[seen]) error {
	p.ps.fired.Add(1)
	for _, w := range p.watch {
		if w == t {
			p.ps.mu.Lock()
			if !p.ps.reached[t] {
				p.ps.reached[t] = true
				close(p.ps.signal[t])
			}
			p.ps.mu.Unlock()
		}
	}
	ts := ctx.TimerService()
	out.Collect(seen{Timer: true, Domain: ctx.TimeDomain(), Key: ctx.Key(), TS: ctx.Timestamp(), WM: ts.CurrentWatermark()})
	return nil
}

// records returns the records a probe saw, in order.
func records(all []seen) []seen {
	var out []seen
	for _, s := range all {
		if !s.Timer {
			out = append(out, s)
		}
	}
	return out
}

// timersFired returns the timers a probe saw fire, in order.
func timersFired(all []seen) []seen {
	var out []seen
	for _, s := range all {
		if s.Timer {
			out = append(out, s)
		}
	}
	return out
}
