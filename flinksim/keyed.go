package flinksim

import (
	"fmt"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// KeyBy partitions s by the key that key extracts, as Flink's keyBy: every
// record goes to the subtask owning its key's key group. The key is
// encoded with CodecFor[K] to be hashed; use KeyByCodec for another codec.
// Strings, bools, numbers, and structs and fixed arrays built of them with
// exported fields have a stable built-in codec (see CodecFor). Other key
// types, which CodecFor can only gob-encode (structs with unexported
// fields, pointers, interfaces), are refused with ErrUnstableKey, since
// gob's bytes differ between processes and a key must land in the same key
// group in every process that restores a snapshot. Keys compare with ==, so a NaN float key never finds its
// state. KeyBy is not an operator and has no name.
func KeyBy[K comparable, T any](s Stream[T], key func(T) K) KeyedStream[K, T] {
	if s.isZero() {
		return KeyedStream[K, T]{in: invalid[T](nil, zeroError("KeyBy"))}
	}
	codec := CodecFor[K]()
	if _, isGob := codec.(GobCodec[K]); isGob {
		err := fmt.Errorf("%w: %s has no stable built-in codec (%s); use KeyByCodec", ErrUnstableKey, reflect.TypeFor[K](), stableReason(reflect.TypeFor[K]()))
		if s.env != nil {
			s.env.addError(err)
		}
		return KeyedStream[K, T]{in: invalid[T](s.env, err)}
	}
	ks := KeyByCodec(s, key, codec)
	ks.customKeys = false
	return ks
}

// KeyByCodec is KeyBy with the codec that encodes keys for hashing. The
// codec's encoding decides which key group, and so which subtask, a key
// belongs to: changing it makes existing snapshots unrestorable. With
// KeyByCodec a snapshot whose keys were of another type restores (the
// codec must read them); with KeyBy it is refused.
func KeyByCodec[K comparable, T any](s Stream[T], key func(T) K, codec Codec[K]) KeyedStream[K, T] {
	if s.isZero() {
		return KeyedStream[K, T]{in: invalid[T](nil, zeroError("KeyBy"))}
	}
	if key == nil || codec == nil {
		err := fmt.Errorf("%w: KeyBy with a nil key function or codec", ErrInvalidOperator)
		if s.env != nil {
			s.env.addError(err)
		}
		return KeyedStream[K, T]{in: invalid[T](s.env, err)}
	}
	return KeyedStream[K, T]{in: s, key: key, keyCodec: codec, customKeys: true}
}

// Err returns why the keyed stream is invalid, or nil.
func (ks KeyedStream[K, T]) Err() error {
	if err := ks.in.Err(); err != nil {
		return err
	}
	if ks.key == nil {
		return fmt.Errorf("%w: zero KeyedStream (make one with KeyBy)", ErrInvalidStream)
	}
	return nil
}

// keyedEdges returns the hash edges that feed a consumer of ks.
func keyedEdges[K comparable, T any](ks KeyedStream[K, T]) []*engine.Edge {
	edges := make([]*engine.Edge, len(ks.in.ups))
	for i, u := range ks.in.ups {
		edges[i] = &engine.Edge{From: u.v, Strategy: engine.StrategyHash,
			NewWriter: engine.HashWriterOf[K, T](ks.key, appendKeyOrPanic(ks.keyCodec))}
		tagEdge[T](edges[i], u)
	}
	return edges
}

// appendKeyOrPanic adapts a key codec to the hash writer, which cannot
// return an error: a key the codec cannot encode panics with an error
// wrapping ErrEncode, which the operator emitting the record recovers into
// its failure (an OperatorError wrapping ErrPanic and ErrEncode). The
// built-in key codecs never fail.
func appendKeyOrPanic[K comparable](c Codec[K]) func([]byte, K) []byte {
	return func(dst []byte, k K) []byte {
		b, err := c.Append(dst, k)
		if err != nil {
			panic(fmt.Errorf("%w: key of type %T: %w", ErrEncode, k, err))
		}
		return b
	}
}

// KeyedProcessFunction handles the records of a keyed stream, as Flink's
// KeyedProcessFunction. State declared on the KeyedRuntimeContext is scoped
// to ctx.Key(). If the function also has a Close() error method, it is
// called when the subtask ends.
type KeyedProcessFunction[K comparable, I, O any] interface {
	ProcessElement(ctx *KeyedContext[K], in I, out Collector[O]) error
}

// ProcessFunc adapts a plain function to KeyedProcessFunction.
type ProcessFunc[K comparable, I, O any] func(ctx *KeyedContext[K], in I, out Collector[O]) error

// ProcessElement implements KeyedProcessFunction.
func (f ProcessFunc[K, I, O]) ProcessElement(ctx *KeyedContext[K], in I, out Collector[O]) error {
	return f(ctx, in, out)
}

// Process runs a keyed process function on ks. open is called once per
// subtask, before any record: it declares the state the function uses and
// returns the function. When the job restores from a snapshot, the state
// is there when open declares it; the function may implement
// CheckpointListener.
//
//	counts := flinksim.Process(words, "count",
//		func(rt *flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, string, int64], error) {
//			n := flinksim.NewValueState[int64](rt, "n")
//			return flinksim.ProcessFunc[string, string, int64](func(ctx *flinksim.KeyedContext[string], w string, out flinksim.Collector[int64]) error {
//				c, _ := n.Value()
//				n.Update(c + 1)
//				out.Collect(c + 1)
//				return nil
//			}), nil
//		})
func Process[K comparable, I, O any](ks KeyedStream[K, I], name string,
	open func(rt *KeyedRuntimeContext[K]) (KeyedProcessFunction[K, I, O], error), opts ...OperatorOption) Stream[O] {
	if ks.in.isZero() {
		return invalid[O](nil, zeroError(fmt.Sprintf("operator %q", name)))
	}
	if err := ks.Err(); err != nil {
		return invalid[O](ks.in.env, err) // recorded where it arose
	}
	env, err := consume(ks.in, name, open == nil)
	if err != nil {
		return invalid[O](env, err)
	}
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
			op := &processOp[K, I, O]{fn: fn}
			if err := op.init(ctx, rt, fn, out); err != nil {
				return nil, err
			}
			return op, nil
		}}, keyedEdges(ks), opts)
}

// processOp runs a keyed process function.
type processOp[K comparable, I, O any] struct {
	keyedFunctionCore[K, O]
	fn KeyedProcessFunction[K, I, O]
}

// ProcessBatch is forKeyed written out: the keyed operator most jobs run
// calls its function directly, not through a closure per record.
func (o *processOp[K, I, O]) ProcessBatch(b any, from, to int) {
	defer o.ctx.Recover()
	batch := b.(*engine.Batch[engine.Keyed[K, I]])
	for i := from; i < to; i++ {
		if o.ctx.Failed() {
			return
		}
		e := &batch.Values[i]
		o.ctx.RecordsIn++
		o.ctx.SetTimestamp(batch.Times[i])
		o.rt.backend.SetCurrentKey(e.Key, int(e.KeyGroup))
		if err := o.fn.ProcessElement(&o.kctx, e.Value, o.out); err != nil {
			o.ctx.Fail(err)
			return
		}
	}
}

// CheckpointListener is implemented by functions that want to know when a
// checkpoint completes or aborts, as Flink's CheckpointListener.
type CheckpointListener interface {
	NotifyCheckpointComplete(id int64) error
	NotifyCheckpointAborted(id int64)
}

// Reduce combines the records of each key with fn, as Flink's rolling
// reduce: for every record it emits the key's new accumulated value. The
// first record of a key is emitted as it is.
func Reduce[K comparable, T any](ks KeyedStream[K, T], name string, fn func(acc, v T) (T, error), opts ...OperatorOption) Stream[T] {
	if fn == nil {
		return Process[K, T, T](ks, name, nil, opts...)
	}
	return Process(ks, name, func(rt *KeyedRuntimeContext[K]) (KeyedProcessFunction[K, T, T], error) {
		acc := NewReducingState(rt, "reduce", fn)
		return ProcessFunc[K, T, T](func(_ *KeyedContext[K], v T, out Collector[T]) error {
			if err := acc.Add(v); err != nil {
				return err
			}
			r, _ := acc.Get()
			out.Collect(r)
			return nil
		}), nil
	}, opts...)
}
