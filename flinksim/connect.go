package flinksim

import (
	"fmt"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// ConnectedStreams are two streams of possibly different types that feed
// one operator, as Flink's ConnectedStreams: make them with Connect and
// end them with CoMap, CoFlatMap or CoProcess. The operator's watermark is
// the minimum of both inputs'.
type ConnectedStreams[A, B any] struct {
	first  Stream[A]
	second Stream[B]
}

// Connect connects two streams, as Flink's connect.
func Connect[A, B any](first Stream[A], second Stream[B]) ConnectedStreams[A, B] {
	return ConnectedStreams[A, B]{first: first, second: second}
}

// KeyedConnectedStreams are two keyed streams with keys of one type,
// as Flink's connect of two keyed streams: a record of either input with
// key k goes to the subtask owning k, where both inputs share k's keyed
// state and timers. Make them with ConnectKeyed; end them with
// KeyedCoProcess.
type KeyedConnectedStreams[K comparable, A, B any] struct {
	first  KeyedStream[K, A]
	second KeyedStream[K, B]
}

// ConnectKeyed connects two keyed streams whose keys have one type. Both
// must encode their keys alike (KeyBy, or KeyByCodec with codecs of one
// type), so that a key has one key group whichever input it comes on.
func ConnectKeyed[K comparable, A, B any](first KeyedStream[K, A], second KeyedStream[K, B]) KeyedConnectedStreams[K, A, B] {
	return KeyedConnectedStreams[K, A, B]{first: first, second: second}
}

// connectEnv checks that two streams can feed operator name and returns
// their environment.
func connectEnv[A, B any](first Stream[A], second Stream[B], name string, fnIsNil bool) (*Environment, error) {
	env, err := consume(first, name, fnIsNil)
	if err != nil {
		return env, err
	}
	env2, err := consume(second, name, false)
	if err != nil {
		return env, err
	}
	if env2 != env {
		err := fmt.Errorf("%w: operator %q connects streams of different environments", ErrInvalidStream, name)
		env.addError(err)
		return env, err
	}
	return env, nil
}

// secondInput marks edges as the operator's second logical input.
func secondInput(edges []*engine.Edge) []*engine.Edge {
	for _, e := range edges {
		e.Input = 1
	}
	return edges
}

// CoMap maps the records of both inputs to one output type, as Flink's
// CoMapFunction: mapFirst for the first input's, mapSecond for the
// second's.
func CoMap[A, B, O any](c ConnectedStreams[A, B], name string, mapFirst func(A) (O, error), mapSecond func(B) (O, error), opts ...OperatorOption) Stream[O] {
	if mapFirst == nil || mapSecond == nil {
		return CoFlatMap[A, B, O](c, name, nil, nil, opts...)
	}
	return CoFlatMap(c, name,
		func(a A, out Collector[O]) error {
			o, err := mapFirst(a)
			if err == nil {
				out.Collect(o)
			}
			return err
		},
		func(b B, out Collector[O]) error {
			o, err := mapSecond(b)
			if err == nil {
				out.Collect(o)
			}
			return err
		}, opts...)
}

// CoFlatMap calls flatMapFirst for each record of the first input and
// flatMapSecond for each of the second, as Flink's CoFlatMapFunction.
func CoFlatMap[A, B, O any](c ConnectedStreams[A, B], name string, flatMapFirst func(A, Collector[O]) error, flatMapSecond func(B, Collector[O]) error, opts ...OperatorOption) Stream[O] {
	env, err := connectEnv(c.first, c.second, name, flatMapFirst == nil || flatMapSecond == nil)
	if err != nil {
		return invalid[O](env, err)
	}
	edges := append(edgesOf(c.first), secondInput(edgesOf(c.second))...)
	return addVertex(env, vertexSpec[O]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[O]) (engine.Operator, error) {
			return &coFlatMapOp[A, B, O]{ctx: ctx, first: flatMapFirst, second: flatMapSecond, out: out}, nil
		}}, edges, opts)
}

type coFlatMapOp[A, B, O any] struct {
	noLifecycle
	ctx    *engine.OperatorContext
	first  func(A, Collector[O]) error
	second func(B, Collector[O]) error
	out    Collector[O]
}

func (o *coFlatMapOp[A, B, O]) ProcessBatch(b any, from, to int) { o.ProcessBatchOf(0, b, from, to) }

func (o *coFlatMapOp[A, B, O]) ProcessBatchOf(input int, b any, from, to int) {
	defer o.ctx.Recover()
	if input == 0 {
		eachRecord(o.ctx, b.(*engine.Batch[A]), from, to, func(a A) error { return o.first(a, o.out) })
		return
	}
	eachRecord(o.ctx, b.(*engine.Batch[B]), from, to, func(v B) error { return o.second(v, o.out) })
}

func (o *coFlatMapOp[A, B, O]) EndInputOf(int) {}

// eachRecord calls fn for records from to to of a batch, each with its
// timestamp current, counting them; an error fails the operator.
func eachRecord[T any](ctx *engine.OperatorContext, batch *engine.Batch[T], from, to int, fn func(T) error) {
	for i := from; i < to; i++ {
		if ctx.Failed() {
			return
		}
		ctx.RecordsIn++
		ctx.SetTimestamp(batch.Times[i])
		if err := fn(batch.Values[i]); err != nil {
			ctx.Fail(err)
			return
		}
	}
}

// KeyedCoProcessFunction handles the records of two connected keyed
// streams, as Flink's KeyedCoProcessFunction: both see the keyed state and
// timers of the record's key. It may implement TimerFunction (OnTimer),
// CheckpointListener, and Close() error.
type KeyedCoProcessFunction[K comparable, A, B, O any] interface {
	ProcessElement1(ctx *KeyedContext[K], a A, out Collector[O]) error
	ProcessElement2(ctx *KeyedContext[K], b B, out Collector[O]) error
}

// KeyedCoProcess runs a keyed co-process function on two connected keyed
// streams. open is called once per subtask, before any record, to declare
// the state the function uses, as Process's.
func KeyedCoProcess[K comparable, A, B, O any](c KeyedConnectedStreams[K, A, B], name string,
	open func(rt *KeyedRuntimeContext[K]) (KeyedCoProcessFunction[K, A, B, O], error), opts ...OperatorOption) Stream[O] {
	for _, err := range []error{c.first.Err(), c.second.Err()} {
		if err != nil {
			env := c.first.in.env
			if env == nil {
				env = c.second.in.env
			}
			return invalid[O](env, err)
		}
	}
	env, err := connectEnv(c.first.in, c.second.in, name, open == nil)
	if err != nil {
		return invalid[O](env, err)
	}
	if c.first.customKeys != c.second.customKeys ||
		reflect.TypeOf(c.first.keyCodec) != reflect.TypeOf(c.second.keyCodec) {
		err := fmt.Errorf("%w: operator %q connects keyed streams whose keys are encoded differently (%T, %T): a key would have two key groups",
			ErrInvalidStream, name, c.first.keyCodec, c.second.keyCodec)
		env.addError(err)
		return invalid[O](env, err)
	}
	edges := append(keyedEdges(c.first), secondInput(keyedEdges(c.second))...)
	ks := c.first
	return addVertex(env, vertexSpec[O]{name: name, keyed: true,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[O]) (engine.Operator, error) {
			rt, err := newKeyedRuntime(ctx, ks)
			if err != nil {
				return nil, err
			}
			fn, err := openKeyed(rt, open)
			if err != nil {
				return nil, err
			}
			op := &keyedCoProcessOp[K, A, B, O]{fn: fn}
			if err := op.init(ctx, rt, fn, out); err != nil {
				return nil, err
			}
			return op, nil
		}}, edges, opts)
}

type keyedCoProcessOp[K comparable, A, B, O any] struct {
	keyedFunctionCore[K, O]
	fn KeyedCoProcessFunction[K, A, B, O]
}

func (o *keyedCoProcessOp[K, A, B, O]) ProcessBatch(b any, from, to int) {
	o.ProcessBatchOf(0, b, from, to)
}

func (o *keyedCoProcessOp[K, A, B, O]) ProcessBatchOf(input int, b any, from, to int) {
	defer o.ctx.Recover()
	if input == 0 {
		forKeyed(o.ctx, o.rt.backend, b.(*engine.Batch[engine.Keyed[K, A]]), from, to, func(a A) error {
			return o.fn.ProcessElement1(&o.kctx, a, o.out)
		})
		return
	}
	forKeyed(o.ctx, o.rt.backend, b.(*engine.Batch[engine.Keyed[K, B]]), from, to, func(v B) error {
		return o.fn.ProcessElement2(&o.kctx, v, o.out)
	})
}

func (o *keyedCoProcessOp[K, A, B, O]) EndInputOf(int) {}

// CoProcessFunction handles the records of two connected streams that are
// not keyed, as Flink's CoProcessFunction. It may implement
// CheckpointListener and Close() error; it has no timers (those need keyed
// streams: ConnectKeyed and KeyedCoProcess).
type CoProcessFunction[A, B, O any] interface {
	ProcessElement1(ctx *ProcessContext, a A, out Collector[O]) error
	ProcessElement2(ctx *ProcessContext, b B, out Collector[O]) error
}

// CoProcess runs a co-process function on two connected streams. open is
// called once per subtask, before any record; it may declare operator list
// state or broadcast-free setup, as ProcessStream's.
func CoProcess[A, B, O any](c ConnectedStreams[A, B], name string,
	open func(rt *RuntimeContext) (CoProcessFunction[A, B, O], error), opts ...OperatorOption) Stream[O] {
	env, err := connectEnv(c.first, c.second, name, open == nil)
	if err != nil {
		return invalid[O](env, err)
	}
	edges := append(edgesOf(c.first), secondInput(edgesOf(c.second))...)
	return addVertex(env, vertexSpec[O]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[O]) (engine.Operator, error) {
			fn, rich, err := openRich(ctx, open)
			if err != nil {
				return nil, err
			}
			return &coProcessOp[A, B, O]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}, nil
		}}, edges, opts)
}

type coProcessOp[A, B, O any] struct {
	richOperator
	pctx ProcessContext
	fn   CoProcessFunction[A, B, O]
	out  Collector[O]
}

func (o *coProcessOp[A, B, O]) ProcessBatch(b any, from, to int) { o.ProcessBatchOf(0, b, from, to) }

func (o *coProcessOp[A, B, O]) ProcessBatchOf(input int, b any, from, to int) {
	defer o.ctx.Recover()
	if input == 0 {
		eachRecord(o.ctx, b.(*engine.Batch[A]), from, to, func(a A) error { return o.fn.ProcessElement1(&o.pctx, a, o.out) })
		return
	}
	eachRecord(o.ctx, b.(*engine.Batch[B]), from, to, func(v B) error { return o.fn.ProcessElement2(&o.pctx, v, o.out) })
}

func (o *coProcessOp[A, B, O]) EndInputOf(int) {}
