package flinksim

import (
	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// The rich transformations are Map, FlatMap and Filter with an open, as
// Flink's RichMapFunction and friends: open runs once per subtask, before
// any record, with the subtask's RuntimeContext — to open a connection,
// fill a cache, declare operator list state — and returns the function,
// which gets a ProcessContext (the record's timestamp, the watermark, side
// outputs) with each record. If the function has a Close() error method,
// it is called when the subtask ends; if it implements CheckpointListener,
// it hears of completed and aborted checkpoints. The plain Map, FlatMap and
// Filter cost less per record: use them when no setup is needed.

// MapFunction maps one record to one, as Flink's MapFunction; see RichMap.
type MapFunction[In, Out any] interface {
	Map(ctx *ProcessContext, v In) (Out, error)
}

// MapFunc adapts a plain function to MapFunction.
type MapFunc[In, Out any] func(ctx *ProcessContext, v In) (Out, error)

// Map implements MapFunction.
func (f MapFunc[In, Out]) Map(ctx *ProcessContext, v In) (Out, error) { return f(ctx, v) }

// FlatMapFunction maps one record to any number, as Flink's
// FlatMapFunction; see RichFlatMap.
type FlatMapFunction[In, Out any] interface {
	FlatMap(ctx *ProcessContext, v In, out Collector[Out]) error
}

// FlatMapFunc adapts a plain function to FlatMapFunction.
type FlatMapFunc[In, Out any] func(ctx *ProcessContext, v In, out Collector[Out]) error

// FlatMap implements FlatMapFunction.
func (f FlatMapFunc[In, Out]) FlatMap(ctx *ProcessContext, v In, out Collector[Out]) error {
	return f(ctx, v, out)
}

// FilterFunction keeps the records it returns true for, as Flink's
// FilterFunction; see RichFilter.
type FilterFunction[T any] interface {
	Filter(ctx *ProcessContext, v T) (bool, error)
}

// FilterFunc adapts a plain function to FilterFunction.
type FilterFunc[T any] func(ctx *ProcessContext, v T) (bool, error)

// Filter implements FilterFunction.
func (f FilterFunc[T]) Filter(ctx *ProcessContext, v T) (bool, error) { return f(ctx, v) }

// RichMap is Map with an open that runs once per subtask and returns the
// function (see the rich transformations above).
//
//	enriched := flinksim.RichMap(orders, "enrich",
//		func(rt *flinksim.RuntimeContext) (flinksim.MapFunction[Order, Enriched], error) {
//			db, err := openCustomers(rt.Subtask())
//			if err != nil {
//				return nil, err
//			}
//			return customerLookup{db}, nil // Map, and Close to close db
//		})
func RichMap[In, Out any](in Stream[In], name string, open func(rt *RuntimeContext) (MapFunction[In, Out], error), opts ...OperatorOption) Stream[Out] {
	return addRichOperator(in, name, open, opts, func(rich richOperator, fn MapFunction[In, Out], out engine.Collector[Out]) engine.Operator {
		return &richMapOp[In, Out]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}
	})
}

// addRichOperator adds an operator reading in whose function open returns,
// once per subtask (see openRich); newOp builds the operator around it.
func addRichOperator[In, Out, F any](in Stream[In], name string, open func(rt *RuntimeContext) (F, error), opts []OperatorOption,
	newOp func(rich richOperator, fn F, out engine.Collector[Out]) engine.Operator) Stream[Out] {
	env, err := consume(in, name, open == nil)
	if err != nil {
		return invalid[Out](env, err)
	}
	return addVertex(env, vertexSpec[Out]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[Out]) (engine.Operator, error) {
			fn, rich, err := openRich(ctx, open)
			if err != nil {
				return nil, err
			}
			return newOp(rich, fn, out), nil
		}}, edgesOf(in), opts)
}

// openRich opens a rich function on a new RuntimeContext of ctx.
func openRich[F any](ctx *engine.OperatorContext, open func(rt *RuntimeContext) (F, error)) (F, richOperator, error) {
	rt := &RuntimeContext{op: ctx}
	fn, err := open(rt)
	if err := rt.open(err); err != nil {
		return fn, richOperator{}, err
	}
	if err := checkFunction(fn); err != nil {
		return fn, richOperator{}, err
	}
	return fn, richOperator{ctx: ctx, rt: rt, fn: fn}, nil
}

type richMapOp[In, Out any] struct {
	richOperator
	pctx ProcessContext
	fn   MapFunction[In, Out]
	out  engine.Collector[Out]
}

func (o *richMapOp[In, Out]) Collect(v In) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	r, err := o.fn.Map(&o.pctx, v)
	if err != nil {
		o.ctx.Fail(err)
		return
	}
	o.out.Collect(r)
}

func (o *richMapOp[In, Out]) ProcessBatch(b any, from, to int) {
	processBatch[In](o.ctx, o, b, from, to)
}

// RichFlatMap is FlatMap with an open that runs once per subtask and
// returns the function (see the rich transformations above).
func RichFlatMap[In, Out any](in Stream[In], name string, open func(rt *RuntimeContext) (FlatMapFunction[In, Out], error), opts ...OperatorOption) Stream[Out] {
	return addRichOperator(in, name, open, opts, func(rich richOperator, fn FlatMapFunction[In, Out], out engine.Collector[Out]) engine.Operator {
		return &richFlatMapOp[In, Out]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}
	})
}

type richFlatMapOp[In, Out any] struct {
	richOperator
	pctx ProcessContext
	fn   FlatMapFunction[In, Out]
	out  Collector[Out] // converted once, not per call
}

func (o *richFlatMapOp[In, Out]) Collect(v In) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	if err := o.fn.FlatMap(&o.pctx, v, o.out); err != nil {
		o.ctx.Fail(err)
	}
}

func (o *richFlatMapOp[In, Out]) ProcessBatch(b any, from, to int) {
	processBatch[In](o.ctx, o, b, from, to)
}

// RichFilter is Filter with an open that runs once per subtask and returns
// the function (see the rich transformations above).
func RichFilter[T any](in Stream[T], name string, open func(rt *RuntimeContext) (FilterFunction[T], error), opts ...OperatorOption) Stream[T] {
	return addRichOperator(in, name, open, opts, func(rich richOperator, fn FilterFunction[T], out engine.Collector[T]) engine.Operator {
		return &richFilterOp[T]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}
	})
}

type richFilterOp[T any] struct {
	richOperator
	pctx ProcessContext
	fn   FilterFunction[T]
	out  engine.Collector[T]
}

func (o *richFilterOp[T]) Collect(v T) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	keep, err := o.fn.Filter(&o.pctx, v)
	if err != nil {
		o.ctx.Fail(err)
		return
	}
	if keep {
		o.out.Collect(v)
	}
}

func (o *richFilterOp[T]) ProcessBatch(b any, from, to int) { processBatch[T](o.ctx, o, b, from, to) }
