package flinksim

import (
	"fmt"
	"time"
)

// WindowedStream is a keyed stream cut into windows, as Flink's
// WindowedStream: make one with KeyedStream.Window (or WindowAll), set its
// trigger, allowed lateness and late side output, and end it with a window
// function: ReduceWindow, AggregateWindow, ProcessWindow, or the
// incremental ones with a process function, ReduceProcessWindow and
// AggregateProcessWindow.
type WindowedStream[K comparable, T any] struct {
	ks       KeyedStream[K, T]
	assigner WindowAssigner
	trigger  Trigger
	lateness time.Duration
	lateTag  string
	all      bool // WindowAll: one subtask
	err      error
}

// Window cuts the keyed stream into the windows assigner gives each record,
// as Flink's keyedStream.window.
func (ks KeyedStream[K, T]) Window(assigner WindowAssigner) WindowedStream[K, T] {
	return WindowedStream[K, T]{ks: ks, assigner: assigner}
}

// WindowAll cuts a stream that is not keyed into windows, as Flink's
// windowAll: every record goes to one window operator of parallelism 1.
// Window functions get the zero struct{} as the key.
func WindowAll[T any](s Stream[T], assigner WindowAssigner) WindowedStream[struct{}, T] {
	ks := KeyBy(s, func(T) struct{} { return struct{}{} })
	return WindowedStream[struct{}, T]{ks: ks, assigner: assigner, all: true}
}

// Trigger sets when windows fire (default: when the watermark passes the
// window's end for event-time assigners, when the clock does for
// processing-time ones, never for GlobalWindows).
func (w WindowedStream[K, T]) Trigger(t Trigger) WindowedStream[K, T] {
	w.trigger = t
	return w
}

// AllowedLateness keeps event-time windows for d after they fired, as
// Flink's allowedLateness: a record that arrives for a window that fired
// but is not yet d late is added to it and fires it again at once (a late
// firing with the updated result). Records later than that are dropped, or
// go to SideOutputLateData. It does not apply to processing time.
func (w WindowedStream[K, T]) AllowedLateness(d time.Duration) WindowedStream[K, T] {
	w.lateness = d
	if _, err := wholeMillis("allowed lateness", d, true); err != nil && w.err == nil {
		w.err = err
	}
	return w
}

// SideOutputLateData sends the records dropped as late to the side output
// tag, as Flink's sideOutputLateData; read it with SideOutput on the
// window function's stream.
func (w WindowedStream[K, T]) SideOutputLateData(tag OutputTag[T]) WindowedStream[K, T] {
	w.lateTag = tag.id
	if tag.id == "" && w.err == nil {
		w.err = fmt.Errorf("%w: SideOutputLateData with an empty tag", ErrInvalidStream)
	}
	return w
}

// Trigger decides when a window fires, as Flink's Trigger: make one with
// EventTimeTrigger, ProcessingTimeTrigger, CountTrigger or PurgingTrigger.
// The zero Trigger is the assigner's default.
type Trigger struct {
	kind  triggerKind
	count int64
	purge bool
	err   error
}

type triggerKind uint8

const (
	defaultTrigger triggerKind = iota
	eventTimeTrigger
	processingTimeTrigger
	countTrigger
	neverTrigger
)

// EventTimeTrigger fires a window once the watermark reaches its max
// timestamp, and again for every record allowed lateness lets in after.
func EventTimeTrigger() Trigger { return Trigger{kind: eventTimeTrigger} }

// ProcessingTimeTrigger fires a window once the job's clock reaches its
// max timestamp.
func ProcessingTimeTrigger() Trigger { return Trigger{kind: processingTimeTrigger} }

// CountTrigger fires a window every n records, as Flink's CountTrigger
// (GlobalWindows with CountTrigger is Flink's countWindow without purging;
// wrap it in PurgingTrigger for tumbling counts). The records of a window
// that has not reached n when the input ends are not emitted, as in
// Flink.
func CountTrigger(n int64) Trigger {
	t := Trigger{kind: countTrigger, count: n}
	if n < 1 {
		t.err = fmt.Errorf("%w: count trigger of %d records", ErrInvalidConfig, n)
	}
	return t
}

// PurgingTrigger makes t clear a window's contents each time it fires, as
// Flink's PurgingTrigger.
func PurgingTrigger(t Trigger) Trigger {
	t.purge = true
	return t
}

// String names the trigger as Flink does.
func (t Trigger) String() string {
	var s string
	switch t.kind {
	case eventTimeTrigger:
		s = "EventTimeTrigger()"
	case processingTimeTrigger:
		s = "ProcessingTimeTrigger()"
	case countTrigger:
		s = fmt.Sprintf("CountTrigger(%d)", t.count)
	case neverTrigger:
		s = "NeverTrigger()"
	default:
		s = "DefaultTrigger()"
	}
	if t.purge {
		return "PurgingTrigger(" + s + ")"
	}
	return s
}

// resolve returns the trigger the windows of assigner a use.
func (t Trigger) resolve(a WindowAssigner) Trigger {
	if t.kind != defaultTrigger {
		return t
	}
	switch {
	case a.kind == globalAssigner:
		t.kind = neverTrigger
	case a.isEventTime():
		t.kind = eventTimeTrigger
	default:
		t.kind = processingTimeTrigger
	}
	return t
}

// ProcessWindowFunction computes the result of a window from all its
// records (or, with ReduceProcessWindow and AggregateProcessWindow, from
// the one pre-aggregated value), as Flink's ProcessWindowFunction. What it
// emits carries the window's max timestamp.
type ProcessWindowFunction[K comparable, IN, OUT any] interface {
	Process(ctx *WindowContext[K], elements []IN, out Collector[OUT]) error
}

// ProcessWindowFunc adapts a plain function to ProcessWindowFunction.
type ProcessWindowFunc[K comparable, IN, OUT any] func(ctx *WindowContext[K], elements []IN, out Collector[OUT]) error

// Process implements ProcessWindowFunction.
func (f ProcessWindowFunc[K, IN, OUT]) Process(ctx *WindowContext[K], elements []IN, out Collector[OUT]) error {
	return f(ctx, elements, out)
}

// WindowContext tells a window function which window of which key fires.
type WindowContext[K comparable] struct {
	op     *windowCore[K]
	window Window
}

// Key returns the key of the window.
func (c *WindowContext[K]) Key() K { return c.op.backend.CurrentKey() }

// Window returns the window that fires.
func (c *WindowContext[K]) Window() Window { return c.window }

// CurrentWatermark returns the operator's input watermark.
func (c *WindowContext[K]) CurrentWatermark() int64 { return c.op.ctx.InputWatermark() }

// CurrentProcessingTime returns the job's clock, in milliseconds.
func (c *WindowContext[K]) CurrentProcessingTime() int64 { return c.op.ctx.Clock.Now().UnixMilli() }

// Runtime returns the operator's runtime context.
func (c *WindowContext[K]) Runtime() *KeyedRuntimeContext[K] { return c.op.rt }

// ReduceWindow combines the records of each window with fn, incrementally,
// as Flink's window reduce; it emits one value per firing.
func ReduceWindow[K comparable, T any](w WindowedStream[K, T], name string, fn func(a, b T) (T, error), opts ...OperatorOption) Stream[T] {
	if fn == nil {
		return windowNilFunc[K, T, T](w, name)
	}
	return addWindowOperator(w, name, reduceAgg(fn), func(_ *WindowContext[K], acc T, out Collector[T]) error {
		out.Collect(acc)
		return nil
	}, opts)
}

// ReduceProcessWindow reduces each window incrementally with reduce and
// hands the result to fn when it fires.
func ReduceProcessWindow[K comparable, T, OUT any](w WindowedStream[K, T], name string, reduce func(a, b T) (T, error), fn ProcessWindowFunction[K, T, OUT], opts ...OperatorOption) Stream[OUT] {
	if reduce == nil || fn == nil {
		return windowNilFunc[K, T, OUT](w, name)
	}
	return addWindowOperator(w, name, reduceAgg(reduce), func(ctx *WindowContext[K], acc T, out Collector[OUT]) error {
		return fn.Process(ctx, []T{acc}, out)
	}, opts)
}

// AggregateWindow aggregates the records of each window incrementally with
// agg, as Flink's window aggregate; it emits agg's result per firing.
func AggregateWindow[K comparable, T, ACC, OUT any](w WindowedStream[K, T], name string, agg AggregateFunction[T, ACC, OUT], opts ...OperatorOption) Stream[OUT] {
	if agg == nil {
		return windowNilFunc[K, T, OUT](w, name)
	}
	return addWindowOperator(w, name, aggregateAgg(agg), func(_ *WindowContext[K], acc ACC, out Collector[OUT]) error {
		out.Collect(agg.Result(acc))
		return nil
	}, opts)
}

// AggregateProcessWindow aggregates each window incrementally with agg and
// hands the result to fn when it fires, as Flink's aggregate(agg,
// windowFunction): fn sees the window and key, and the state is one
// accumulator per window, not its records.
func AggregateProcessWindow[K comparable, T, ACC, V, OUT any](w WindowedStream[K, T], name string, agg AggregateFunction[T, ACC, V], fn ProcessWindowFunction[K, V, OUT], opts ...OperatorOption) Stream[OUT] {
	if agg == nil || fn == nil {
		return windowNilFunc[K, T, OUT](w, name)
	}
	return addWindowOperator(w, name, aggregateAgg(agg), func(ctx *WindowContext[K], acc ACC, out Collector[OUT]) error {
		return fn.Process(ctx, []V{agg.Result(acc)}, out)
	}, opts)
}

// ProcessWindow keeps every record of each window and hands them to fn
// when it fires, as Flink's window process.
func ProcessWindow[K comparable, T, OUT any](w WindowedStream[K, T], name string, fn ProcessWindowFunction[K, T, OUT], opts ...OperatorOption) Stream[OUT] {
	if fn == nil {
		return windowNilFunc[K, T, OUT](w, name)
	}
	return addWindowOperator(w, name, bufferAgg[T](), func(ctx *WindowContext[K], acc []T, out Collector[OUT]) error {
		return fn.Process(ctx, acc, out)
	}, opts)
}

// windowNilFunc reports a window operator given a nil function.
func windowNilFunc[K comparable, T, OUT any](w WindowedStream[K, T], name string) Stream[OUT] {
	env, err := consume(w.ks.in, name, true)
	return invalid[OUT](env, err)
}

// windowAgg is how a window operator keeps a window's contents: an
// accumulator that records are added to and that merges (for sessions).
type windowAgg[T, ACC any] struct {
	// add adds v to acc; first says acc is new (not yet added to).
	add   func(acc ACC, v T, first bool) (ACC, error)
	merge func(a, b ACC) (ACC, error)
	// create returns a new accumulator.
	create func() ACC
	// codec returns the codec of accumulators in snapshots.
	codec func(sc *stateCodecs) Codec[ACC]
}

func reduceAgg[T any](fn func(a, b T) (T, error)) windowAgg[T, T] {
	return windowAgg[T, T]{
		create: func() T { var zero T; return zero },
		add: func(acc, v T, first bool) (T, error) {
			if first {
				return v, nil
			}
			return fn(acc, v)
		},
		merge: fn,
		codec: codecOf[T],
	}
}

func aggregateAgg[T, ACC, OUT any](agg AggregateFunction[T, ACC, OUT]) windowAgg[T, ACC] {
	return windowAgg[T, ACC]{
		create: agg.CreateAccumulator,
		add:    func(acc ACC, v T, _ bool) (ACC, error) { return agg.Add(v, acc), nil },
		merge:  func(a, b ACC) (ACC, error) { return agg.Merge(a, b), nil },
		codec:  codecOf[ACC],
	}
}

func bufferAgg[T any]() windowAgg[T, []T] {
	return windowAgg[T, []T]{
		create: func() []T { return nil },
		add:    func(acc []T, v T, _ bool) ([]T, error) { return append(acc, v), nil },
		merge:  func(a, b []T) ([]T, error) { return append(a, b...), nil },
		codec:  func(sc *stateCodecs) Codec[[]T] { return sliceCodec[T]{codecOf[T](sc)} },
	}
}
