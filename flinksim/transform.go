package flinksim

import (
	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Map applies fn to every record. An error from fn fails the job with an
// OperatorError naming the operator and subtask.
func Map[In, Out any](in Stream[In], name string, fn func(In) (Out, error), opts ...OperatorOption) Stream[Out] {
	env, err := consume(in, name, fn == nil)
	if err != nil {
		return invalid[Out](env, err)
	}
	return addVertex(env, vertexSpec[Out]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[Out]) (engine.Operator, error) {
			return &mapOp[In, Out]{ctx: ctx, fn: fn, out: out}, nil
		}}, edgesOf(in), opts)
}

type mapOp[In, Out any] struct {
	noLifecycle
	ctx *engine.OperatorContext
	fn  func(In) (Out, error)
	out engine.Collector[Out]
}

func (o *mapOp[In, Out]) Collect(v In) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	r, err := o.fn(v)
	if err != nil {
		o.ctx.Fail(err)
		return
	}
	o.out.Collect(r)
}

func (o *mapOp[In, Out]) ProcessBatch(b any, from, to int) { processBatch[In](o.ctx, o, b, from, to) }

// FlatMap calls fn for every record; fn emits zero or more records to out.
func FlatMap[In, Out any](in Stream[In], name string, fn func(v In, out Collector[Out]) error, opts ...OperatorOption) Stream[Out] {
	env, err := consume(in, name, fn == nil)
	if err != nil {
		return invalid[Out](env, err)
	}
	return addVertex(env, vertexSpec[Out]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[Out]) (engine.Operator, error) {
			return &flatMapOp[In, Out]{ctx: ctx, fn: fn, out: out}, nil
		}}, edgesOf(in), opts)
}

type flatMapOp[In, Out any] struct {
	noLifecycle
	ctx *engine.OperatorContext
	fn  func(In, Collector[Out]) error
	out Collector[Out] // converted once, not per call
}

func (o *flatMapOp[In, Out]) Collect(v In) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	if err := o.fn(v, o.out); err != nil {
		o.ctx.Fail(err)
	}
}

func (o *flatMapOp[In, Out]) ProcessBatch(b any, from, to int) {
	processBatch[In](o.ctx, o, b, from, to)
}

// Filter keeps the records for which fn returns true.
func Filter[T any](in Stream[T], name string, fn func(T) (bool, error), opts ...OperatorOption) Stream[T] {
	env, err := consume(in, name, fn == nil)
	if err != nil {
		return invalid[T](env, err)
	}
	return addVertex(env, vertexSpec[T]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[T]) (engine.Operator, error) {
			return &filterOp[T]{ctx: ctx, fn: fn, out: out}, nil
		}}, edgesOf(in), opts)
}

type filterOp[T any] struct {
	noLifecycle
	ctx *engine.OperatorContext
	fn  func(T) (bool, error)
	out engine.Collector[T]
}

func (o *filterOp[T]) Collect(v T) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	keep, err := o.fn(v)
	if err != nil {
		o.ctx.Fail(err)
		return
	}
	if keep {
		o.out.Collect(v)
	}
}

func (o *filterOp[T]) ProcessBatch(b any, from, to int) { processBatch[T](o.ctx, o, b, from, to) }

// processBatch feeds the records from to to of a batch that arrived over
// a channel to c, each with its timestamp.
func processBatch[T any](ctx *engine.OperatorContext, c engine.Collector[T], b any, from, to int) {
	batch := b.(*engine.Batch[T])
	for i := from; i < to; i++ {
		if ctx.Failed() {
			return
		}
		ctx.SetTimestamp(batch.Times[i])
		c.Collect(batch.Values[i])
	}
}

// noLifecycle is embedded by operators with nothing to do at end of input
// or close.
type noLifecycle struct{}

func (noLifecycle) EndInput()    {}
func (noLifecycle) Close() error { return nil }
