package flinksim

import (
	"fmt"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// ProcessFunction handles the records of a stream that is not keyed, as
// Flink's ProcessFunction on a DataStream. It has no keyed state and no
// timers: Flink allows timers on keyed streams only, and so does this
// package (a function with an OnTimer method is refused when the operator
// opens; key the stream and use Process). Per-subtask state is operator
// list state, declared with NewOperatorListState on the RuntimeContext of
// ProcessStream's open. If the function also has a Close() error method,
// it is called when the subtask ends; if it implements CheckpointListener,
// it hears of completed and aborted checkpoints.
type ProcessFunction[I, O any] interface {
	ProcessElement(ctx *ProcessContext, in I, out Collector[O]) error
}

// ProcessStreamFunc adapts a plain function to ProcessFunction.
type ProcessStreamFunc[I, O any] func(ctx *ProcessContext, in I, out Collector[O]) error

// ProcessElement implements ProcessFunction.
func (f ProcessStreamFunc[I, O]) ProcessElement(ctx *ProcessContext, in I, out Collector[O]) error {
	return f(ctx, in, out)
}

// ProcessContext is handed to the functions of streams that are not keyed
// (ProcessStream, RichMap, RichFlatMap, RichFilter) with each record. It
// emits to side outputs (see Output). New capabilities are added to it as
// methods, so functions written against it keep compiling.
type ProcessContext struct {
	rt *RuntimeContext
}

// Timestamp returns the event timestamp of the record being processed, or
// NoTimestamp.
func (c *ProcessContext) Timestamp() int64 { return c.rt.op.Timestamp() }

// CurrentWatermark returns the operator's current input watermark
// (MinWatermark before the first).
func (c *ProcessContext) CurrentWatermark() int64 { return c.rt.op.InputWatermark() }

// CurrentProcessingTime returns the job's clock, in milliseconds.
func (c *ProcessContext) CurrentProcessingTime() int64 { return c.rt.op.Clock.Now().UnixMilli() }

// Runtime returns the operator's runtime context.
func (c *ProcessContext) Runtime() *RuntimeContext { return c.rt }

func (c *ProcessContext) operator() *engine.OperatorContext { return c.rt.op }

// ProcessStream runs a process function on s, a stream that is not keyed,
// as Flink's DataStream.process. open is called once per subtask, before
// any record: it may declare operator list state (restored when the job
// restores) and set up what the subtask needs, and returns the function.
//
//	tagged := flinksim.ProcessStream(lines, "tag",
//		func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[string, string], error) {
//			prefix := fmt.Sprintf("subtask %d: ", rt.Subtask())
//			return flinksim.ProcessStreamFunc[string, string](func(ctx *flinksim.ProcessContext, line string, out flinksim.Collector[string]) error {
//				out.Collect(prefix + line)
//				return nil
//			}), nil
//		})
func ProcessStream[I, O any](s Stream[I], name string, open func(rt *RuntimeContext) (ProcessFunction[I, O], error), opts ...OperatorOption) Stream[O] {
	return addRichOperator(s, name, open, opts, func(rich richOperator, fn ProcessFunction[I, O], out engine.Collector[O]) engine.Operator {
		return &processStreamOp[I, O]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}
	})
}

// checkFunction refuses the function an open returned when it is nil, or
// when it has an OnTimer method: timers need a keyed stream, and such a
// method would never be called.
func checkFunction(fn any) error {
	if fn == nil || reflect.ValueOf(fn).Kind() == reflect.Func && reflect.ValueOf(fn).IsNil() {
		return fmt.Errorf("%w: open returned a nil function", ErrInvalidOperator)
	}
	if _, ok := reflect.TypeOf(fn).MethodByName("OnTimer"); ok {
		return fmt.Errorf("%w: %T has an OnTimer method, but timers need a keyed stream (KeyBy, then Process)", ErrInvalidOperator, fn)
	}
	return nil
}

type processStreamOp[I, O any] struct {
	richOperator
	pctx ProcessContext
	fn   ProcessFunction[I, O]
	out  Collector[O] // converted once, not per call
}

func (o *processStreamOp[I, O]) Collect(v I) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	if err := o.fn.ProcessElement(&o.pctx, v, o.out); err != nil {
		o.ctx.Fail(err)
	}
}

func (o *processStreamOp[I, O]) ProcessBatch(b any, from, to int) {
	processBatch[I](o.ctx, o, b, from, to)
}

// richOperator is the part of an operator with a user function opened on
// a RuntimeContext: the function's operator list states in checkpoints,
// its CheckpointListener, and its Close.
type richOperator struct {
	ctx *engine.OperatorContext
	rt  *RuntimeContext
	fn  any
}

// SnapshotState records the function's operator list states.
func (o *richOperator) SnapshotState(int64) (engine.OperatorState, error) {
	lists, err := o.rt.lists.snapshot(o.ctx.Restored, o.ctx.Subtask)
	return engine.OperatorState{Lists: lists}, err
}

func (o *richOperator) NotifyCheckpointComplete(id int64) error {
	if l, ok := o.fn.(CheckpointListener); ok {
		return l.NotifyCheckpointComplete(id)
	}
	return nil
}

func (o *richOperator) NotifyCheckpointAborted(id int64) {
	if l, ok := o.fn.(CheckpointListener); ok {
		l.NotifyCheckpointAborted(id)
	}
}

func (o *richOperator) EndInput() {}

func (o *richOperator) Close() error {
	if c, ok := o.fn.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}
