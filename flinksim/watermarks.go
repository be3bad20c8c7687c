package flinksim

import (
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Event time, as Flink's: every record may carry an event timestamp, in
// milliseconds since the epoch, and watermarks — "no record with a
// timestamp at or below this one will come" — flow with the records.
const (
	// NoTimestamp is the timestamp of a record that has none: one a source
	// emitted without a timestamp, before any timestamp assigner.
	NoTimestamp = engine.NoTimestamp
	// MinWatermark is the watermark before any was emitted.
	MinWatermark = engine.MinWatermark
	// MaxWatermark is the final watermark, at the end of input (and of a
	// stop with drain): every event-time timer and window fires.
	MaxWatermark = engine.MaxWatermark
)

// WatermarkOutput is where a WatermarkGenerator emits, as Flink's.
type WatermarkOutput interface {
	// EmitWatermark emits watermark wm; one not above the last emitted is
	// ignored. It marks the output active.
	EmitWatermark(wm int64)
	// MarkIdle says the input emits nothing for now: the operators
	// downstream leave it out of their watermark, so it does not hold them
	// back, until it emits a record or a watermark again.
	MarkIdle()
	// MarkActive ends MarkIdle.
	MarkActive()
}

// WatermarkGenerator generates watermarks from the records of one input
// (a source split, or a stream), as Flink's. The task calls it from one
// goroutine.
type WatermarkGenerator[T any] interface {
	// OnEvent is called for every record, with its timestamp; it may emit
	// a watermark (a punctuated generator) or only remember what it saw.
	OnEvent(v T, timestamp int64, out WatermarkOutput)
	// OnPeriodicEmit is called every Config.WatermarkInterval of the job's
	// clock; a periodic generator emits its watermark here.
	OnPeriodicEmit(out WatermarkOutput)
}

// WatermarkStrategy says how a stream's records get their timestamps and
// how watermarks are generated from them, as Flink's WatermarkStrategy.
// Give it to AssignTimestampsAndWatermarks, or to FromSourceWithWatermarks
// for watermarks per source split. Make one with ForBoundedOutOfOrderness,
// ForMonotonousTimestamps, ForGenerator or NoWatermarks; the zero value
// is NoWatermarks.
type WatermarkStrategy[T any] struct {
	newGenerator func() WatermarkGenerator[T]
	assigner     func(v T, recordTimestamp int64) int64
	idleness     time.Duration
	err          error
}

// ForBoundedOutOfOrderness generates watermarks for records that arrive
// at most maxOutOfOrderness late, as Flink's
// BoundedOutOfOrdernessWatermarks: every watermark interval it emits the
// highest timestamp seen so far − maxOutOfOrderness − 1 ms. maxOutOfOrderness
// must be a whole number of milliseconds, 0 or more.
func ForBoundedOutOfOrderness[T any](maxOutOfOrderness time.Duration) WatermarkStrategy[T] {
	ms, err := wholeMillis("max out-of-orderness", maxOutOfOrderness, true)
	return WatermarkStrategy[T]{newGenerator: func() WatermarkGenerator[T] {
		return &boundedOutOfOrderness[T]{bound: ms, highest: MinWatermark + ms + 1}
	}, err: err}
}

// ForMonotonousTimestamps generates watermarks for records whose
// timestamps never decrease: ForBoundedOutOfOrderness(0).
func ForMonotonousTimestamps[T any]() WatermarkStrategy[T] {
	return ForBoundedOutOfOrderness[T](0)
}

// ForGenerator uses a generator of the user's: newGenerator makes one per
// subtask (per split, in a source).
func ForGenerator[T any](newGenerator func() WatermarkGenerator[T]) WatermarkStrategy[T] {
	s := WatermarkStrategy[T]{newGenerator: newGenerator}
	if newGenerator == nil {
		s.err = fmt.Errorf("%w: ForGenerator with a nil function", ErrInvalidConfig)
	}
	return s
}

// NoWatermarks generates no watermarks: event-time windows and timers
// downstream fire only at the end of input. Records keep their timestamps.
func NoWatermarks[T any]() WatermarkStrategy[T] { return WatermarkStrategy[T]{} }

// WithTimestampAssigner sets how a record's timestamp is taken from it, as
// Flink's TimestampAssigner: fn gets the record and the timestamp it
// carries (NoTimestamp, or its source's, as a Kafka record's), and returns
// the record's event timestamp in milliseconds.
func (s WatermarkStrategy[T]) WithTimestampAssigner(fn func(v T, recordTimestamp int64) int64) WatermarkStrategy[T] {
	s.assigner = fn
	if fn == nil && s.err == nil {
		s.err = fmt.Errorf("%w: WithTimestampAssigner with a nil function", ErrInvalidConfig)
	}
	return s
}

// WithIdleness marks the input idle once it has emitted no record for
// timeout on the job's clock, as Flink's withIdleness, so that a split or
// a subtask without data does not hold the watermark of the job back; it
// is active again with its next record.
func (s WatermarkStrategy[T]) WithIdleness(timeout time.Duration) WatermarkStrategy[T] {
	if timeout <= 0 && s.err == nil {
		s.err = fmt.Errorf("%w: idleness timeout %v <= 0", ErrInvalidConfig, timeout)
	}
	s.idleness = timeout
	return s
}

// Err returns why the strategy is invalid, or nil; an operator given an
// invalid strategy fails the job's build with it.
func (s WatermarkStrategy[T]) Err() error { return s.err }

// wholeMillis converts d to milliseconds, refusing a negative duration
// (or a zero one, unless zeroOK) and one with a fraction of a millisecond.
func wholeMillis(what string, d time.Duration, zeroOK bool) (int64, error) {
	switch {
	case d < 0 || d == 0 && !zeroOK:
		return 0, fmt.Errorf("%w: %s %v must be positive", ErrInvalidConfig, what, d)
	case d%time.Millisecond != 0:
		return 0, fmt.Errorf("%w: %s %v is not a whole number of milliseconds", ErrInvalidConfig, what, d)
	}
	return d.Milliseconds(), nil
}

// boundedOutOfOrderness is Flink's BoundedOutOfOrdernessWatermarks.
type boundedOutOfOrderness[T any] struct {
	bound   int64
	highest int64
}

func (g *boundedOutOfOrderness[T]) OnEvent(_ T, ts int64, _ WatermarkOutput) {
	g.highest = max(g.highest, ts)
}

func (g *boundedOutOfOrderness[T]) OnPeriodicEmit(out WatermarkOutput) {
	out.EmitWatermark(g.highest - g.bound - 1)
}

// AssignTimestampsAndWatermarks gives the records of s their timestamps
// and generates watermarks from them with strategy, as Flink's
// assignTimestampsAndWatermarks: the watermarks coming from upstream are
// dropped (all but the final one), replaced by the strategy's. It is
// chained to s when it can be, so it runs in the tasks of the source.
func AssignTimestampsAndWatermarks[T any](s Stream[T], name string, strategy WatermarkStrategy[T], opts ...OperatorOption) Stream[T] {
	env, err := consume(s, name, false)
	if err != nil {
		return invalid[T](env, err)
	}
	if strategy.err != nil {
		err := fmt.Errorf("operator %q: %w", name, strategy.err)
		env.addError(err)
		return invalid[T](env, err)
	}
	interval := env.cfg.WatermarkInterval
	return addVertex(env, vertexSpec[T]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[T]) (engine.Operator, error) {
			op := &timestampsOp[T]{ctx: ctx, out: out, interval: interval}
			op.gen = newWatermarkDriver(ctx, strategy, ctx)
			op.gen.start()
			ctx.WakeAt(ctx.Clock.Now().Add(interval))
			return op, nil
		}}, edgesOf(s), opts)
}

// timestampsOp is Flink's TimestampsAndWatermarksOperator.
type timestampsOp[T any] struct {
	noLifecycle
	ctx      *engine.OperatorContext
	out      engine.Collector[T]
	gen      *watermarkDriver[T]
	interval time.Duration
}

func (o *timestampsOp[T]) Collect(v T) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	ts := o.gen.timestamp(v, o.ctx.Timestamp())
	o.ctx.SetTimestamp(ts)
	o.out.Collect(v)
	o.gen.onEvent(v, ts)
}

func (o *timestampsOp[T]) ProcessBatch(b any, from, to int) {
	processBatch[T](o.ctx, o, b, from, to)
}

// ProcessWatermark drops the watermarks from upstream, but the final one.
func (o *timestampsOp[T]) ProcessWatermark(wm int64) {
	if wm == MaxWatermark {
		o.ctx.EmitWatermark(wm)
	}
}

func (o *timestampsOp[T]) OnProcessingTime(now time.Time) {
	defer o.ctx.Recover()
	o.ctx.WakeAt(now.Add(o.interval))
	o.gen.periodic(now)
}

// watermarkDriver runs a strategy's timestamp assigner and generator for
// one input: it calls the generator's periodic emit on the job's clock and
// marks the input idle after the strategy's idleness timeout.
type watermarkDriver[T any] struct {
	ctx      *engine.OperatorContext
	gen      WatermarkGenerator[T]
	assigner func(v T, recordTimestamp int64) int64
	out      watermarkSink
	// Idleness: records counts what timestamp saw, seen what the last
	// periodic emit saw; quietSince is when the count last moved.
	idleness   time.Duration
	records    uint64
	seen       uint64
	quietSince time.Time
	idle       bool
}

// watermarkSink is where a driver's watermarks go: the operator's output,
// or a source's per-split multiplexer.
type watermarkSink interface {
	EmitWatermark(wm int64)
	MarkIdle()
	MarkActive()
}

func newWatermarkDriver[T any](ctx *engine.OperatorContext, s WatermarkStrategy[T], out watermarkSink) *watermarkDriver[T] {
	d := &watermarkDriver[T]{ctx: ctx, assigner: s.assigner, idleness: s.idleness, out: out}
	if s.newGenerator != nil {
		d.gen = s.newGenerator()
	}
	return d
}

// start begins the idleness clock; the driver's owner schedules the
// periodic emits.
func (d *watermarkDriver[T]) start() { d.quietSince = d.ctx.Clock.Now() }

// timestamp returns v's timestamp, and marks the input active: the
// record is emitted next, and then shown to the generator with onEvent.
func (d *watermarkDriver[T]) timestamp(v T, recordTimestamp int64) int64 {
	ts := recordTimestamp
	if d.assigner != nil {
		ts = d.assigner(v, recordTimestamp)
	}
	d.records++
	if d.idle {
		d.idle = false
		d.out.MarkActive()
	}
	return ts
}

// onEvent shows the generator v, emitted with timestamp ts. It comes after
// the record, as in Flink, so a watermark that a punctuated generator
// emits for a record follows it and does not make it late.
func (d *watermarkDriver[T]) onEvent(v T, ts int64) {
	if d.gen != nil {
		d.gen.OnEvent(v, ts, d)
	}
}

// periodic runs the periodic emit due at now.
func (d *watermarkDriver[T]) periodic(now time.Time) {
	if d.idleness > 0 {
		if d.records != d.seen {
			d.seen, d.quietSince = d.records, now
		} else if !d.idle && now.Sub(d.quietSince) >= d.idleness {
			d.idle = true
			d.out.MarkIdle()
			return
		}
		if d.idle {
			return
		}
	}
	if d.gen != nil {
		d.gen.OnPeriodicEmit(d)
	}
}

// EmitWatermark implements WatermarkOutput for the generator.
func (d *watermarkDriver[T]) EmitWatermark(wm int64) {
	if d.idle {
		d.idle = false
		d.out.MarkActive()
	}
	d.out.EmitWatermark(wm)
}

// MarkIdle implements WatermarkOutput for the generator.
func (d *watermarkDriver[T]) MarkIdle() {
	if !d.idle {
		d.idle = true
		d.out.MarkIdle()
	}
}

// MarkActive implements WatermarkOutput for the generator.
func (d *watermarkDriver[T]) MarkActive() {
	if d.idle {
		d.idle = false
		d.out.MarkActive()
	}
}
