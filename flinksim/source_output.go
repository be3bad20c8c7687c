package flinksim

import (
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// ReaderOutput is what a SourceReader's PollNext emits to, as Flink's
// ReaderOutput: the Collector given to PollNext implements it, so a reader
// that knows its records' timestamps or splits asserts it:
//
//	ro := out.(flinksim.ReaderOutput[T])
//	ro.Split(partition).CollectAt(v, recordTimestamp)
//
// Records emitted with Collect carry NoTimestamp until a timestamp
// assigner gives them one.
type ReaderOutput[T any] interface {
	Collector[T]
	// CollectAt emits v with the event timestamp its input gave it (in
	// milliseconds), which the strategy's timestamp assigner may replace.
	CollectAt(v T, timestamp int64)
	// Split returns the output of split id. With FromSourceWithWatermarks
	// every split has a watermark generator of its own, and the source's
	// watermark is the minimum over its active splits, as Flink's
	// per-split watermarks: a split that lags holds the watermark back
	// for all, an idle one does not.
	Split(id string) SplitOutput[T]
	// ReleaseSplit says split id is read to the end: its watermark holds
	// nothing back any more.
	ReleaseSplit(id string)
}

// SplitOutput emits the records of one split (see ReaderOutput.Split).
type SplitOutput[T any] interface {
	Collector[T]
	CollectAt(v T, timestamp int64)
}

// FromSourceWithWatermarks is FromSource with a watermark strategy, as
// Flink's env.fromSource(source, watermarkStrategy, name): records get
// their timestamps and watermarks in the source, per split when the reader
// emits through ReaderOutput.Split.
func FromSourceWithWatermarks[T, S any](env *Environment, name string, src Source[T, S], strategy WatermarkStrategy[T], opts ...OperatorOption) Stream[T] {
	if env != nil && strategy.err != nil {
		err := fmt.Errorf("source %q: %w", name, strategy.err)
		env.addError(err)
		return invalid[T](env, err)
	}
	return fromSource(env, name, src, &strategy, false, opts)
}

// sourceOutput is the ReaderOutput of a source subtask. With a strategy it
// runs a watermark driver per split (the records emitted without a split
// have one of their own) and emits the minimum of their watermarks.
type sourceOutput[T any] struct {
	ctx      *engine.OperatorContext
	out      engine.Collector[T]
	strategy *WatermarkStrategy[T] // nil: no watermarks in the source
	interval time.Duration
	main     *splitOutput[T]
	splits   map[string]*splitOutput[T]
	order    []*splitOutput[T] // the splits, oldest first: periodic emits run in this order
	emitted  int64
	// started is when the subtask began: with idleness, a subtask that
	// has emitted nothing by started + the timeout is idle.
	started time.Time
}

func newSourceOutput[T any](ctx *engine.OperatorContext, out engine.Collector[T], strategy *WatermarkStrategy[T], interval time.Duration) *sourceOutput[T] {
	o := &sourceOutput[T]{ctx: ctx, out: out, strategy: strategy, interval: interval, emitted: MinWatermark, started: ctx.Clock.Now()}
	if strategy != nil {
		ctx.WakeAt(ctx.Clock.Now().Add(interval))
	}
	return o
}

// Collect implements Collector.
func (o *sourceOutput[T]) Collect(v T) { o.CollectAt(v, NoTimestamp) }

// CollectAt implements ReaderOutput.
func (o *sourceOutput[T]) CollectAt(v T, ts int64) {
	if o.strategy == nil {
		o.ctx.SetTimestamp(ts)
		o.out.Collect(v)
		return
	}
	if o.main == nil {
		o.main = o.newSplit("")
	}
	o.main.CollectAt(v, ts)
}

// Split implements ReaderOutput.
func (o *sourceOutput[T]) Split(id string) SplitOutput[T] {
	if o.strategy == nil {
		return o
	}
	if s, ok := o.splits[id]; ok {
		return s
	}
	if o.splits == nil {
		o.splits = make(map[string]*splitOutput[T])
	}
	s := o.newSplit(id)
	o.splits[id] = s
	return s
}

func (o *sourceOutput[T]) newSplit(id string) *splitOutput[T] {
	s := &splitOutput[T]{src: o, id: id, watermark: MinWatermark}
	s.driver = newWatermarkDriver(o.ctx, *o.strategy, s)
	s.driver.start()
	o.order = append(o.order, s)
	o.combine() // active again, if the subtask was idle before its first split
	return s
}

// ReleaseSplit implements ReaderOutput.
func (o *sourceOutput[T]) ReleaseSplit(id string) {
	s, ok := o.splits[id]
	if !ok {
		return
	}
	delete(o.splits, id)
	for i, x := range o.order {
		if x == s {
			o.order = append(o.order[:i], o.order[i+1:]...)
			break
		}
	}
	o.combine()
}

// periodic runs the periodic emit of every split.
func (o *sourceOutput[T]) periodic(now time.Time) {
	if o.strategy == nil {
		return
	}
	o.ctx.WakeAt(now.Add(o.interval))
	if len(o.order) == 0 && o.strategy.idleness > 0 && now.Sub(o.started) >= o.strategy.idleness {
		o.ctx.MarkIdle() // nothing emitted yet: hold nothing back
	}
	for _, s := range o.order {
		s.driver.periodic(now)
	}
}

// combine emits the minimum watermark of the active splits, or marks the
// subtask idle when every split is.
func (o *sourceOutput[T]) combine() {
	if len(o.order) == 0 {
		return
	}
	low, active := MaxWatermark, false
	for _, s := range o.order {
		if !s.idle {
			low, active = min(low, s.watermark), true
		}
	}
	if !active {
		o.ctx.MarkIdle()
		return
	}
	o.ctx.MarkActive()
	if low > o.emitted {
		o.emitted = low
		o.ctx.EmitWatermark(low)
	}
}

// splitOutput is one split's output and the sink of its watermark driver.
type splitOutput[T any] struct {
	src       *sourceOutput[T]
	id        string
	driver    *watermarkDriver[T]
	watermark int64
	idle      bool
}

func (s *splitOutput[T]) Collect(v T) { s.CollectAt(v, NoTimestamp) }

func (s *splitOutput[T]) CollectAt(v T, ts int64) {
	ts = s.driver.timestamp(v, ts)
	s.src.ctx.SetTimestamp(ts)
	s.src.out.Collect(v)
	s.driver.onEvent(v, ts)
}

// EmitWatermark, MarkIdle and MarkActive take the split's driver's output.
func (s *splitOutput[T]) EmitWatermark(wm int64) {
	if wm > s.watermark {
		s.watermark = wm
	}
	s.src.combine()
}

func (s *splitOutput[T]) MarkIdle() {
	s.idle = true
	s.src.combine()
}

func (s *splitOutput[T]) MarkActive() {
	s.idle = false
	s.src.combine()
}
