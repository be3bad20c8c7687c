package flinksim

import (
	"errors"
	"fmt"
	"iter"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// The broadcast state pattern, as Flink's: a low-volume stream (rules,
// configuration) is broadcast to every subtask of an operator that also
// reads a high-volume stream. The broadcast stream's records update
// broadcast state — a map every subtask holds the same copy of, since every
// subtask sees the same broadcast records and may change the state only
// from them — which the other stream's records read.
//
// Broadcast state is checkpointed once, by subtask 0, and every subtask of
// a restored job, at any parallelism, starts from that copy.

// ErrBroadcastReadOnly reports broadcast state changed outside
// ProcessBroadcastElement: the copies of the subtasks would differ.
var ErrBroadcastReadOnly = errors.New("flinksim: broadcast state is read-only outside ProcessBroadcastElement")

// BroadcastConnectedStreams are a stream connected with a stream broadcast
// to all its subtasks; make them with ConnectBroadcast, end them with
// ProcessBroadcast.
type BroadcastConnectedStreams[A, B any] struct {
	in        Stream[A]
	broadcast Stream[B]
}

// ConnectBroadcast connects in with broadcast, whose every record goes to
// every subtask of the operator, as Flink's connect with a
// BroadcastStream.
func ConnectBroadcast[A, B any](in Stream[A], broadcast Stream[B]) BroadcastConnectedStreams[A, B] {
	return BroadcastConnectedStreams[A, B]{in: in, broadcast: broadcast}
}

// KeyedBroadcastConnectedStreams are a keyed stream connected with a
// broadcast stream; make them with ConnectKeyedBroadcast, end them with
// ProcessKeyedBroadcast.
type KeyedBroadcastConnectedStreams[K comparable, A, B any] struct {
	in        KeyedStream[K, A]
	broadcast Stream[B]
}

// ConnectKeyedBroadcast connects keyed stream in with broadcast.
func ConnectKeyedBroadcast[K comparable, A, B any](in KeyedStream[K, A], broadcast Stream[B]) KeyedBroadcastConnectedStreams[K, A, B] {
	return KeyedBroadcastConnectedStreams[K, A, B]{in: in, broadcast: broadcast}
}

// BroadcastState is a map every subtask holds the same copy of, as
// Flink's BroadcastState. Only ProcessBroadcastElement may change it (Put,
// Remove, Clear): elsewhere a change fails the operator with
// ErrBroadcastReadOnly. Iteration is in insertion order.
type BroadcastState[UK comparable, UV any] interface {
	Get(k UK) (UV, bool)
	Contains(k UK) bool
	// All iterates over the entries as they were when it began.
	All() iter.Seq2[UK, UV]
	Len() int
	Put(k UK, v UV)
	Remove(k UK)
	Clear()
}

// RuntimeContexts are the runtime contexts broadcast state is declared on:
// *RuntimeContext and *KeyedRuntimeContext.
type RuntimeContexts interface {
	runtime() *RuntimeContext
}

func (r *RuntimeContext) runtime() *RuntimeContext { return r }

// NewBroadcastState declares the broadcast state named name, as Flink's
// MapStateDescriptor given to broadcast: keys and values are encoded in
// snapshots with CodecFor, or the codecs of WithCodec options. Declare it
// in the open of ProcessBroadcast or ProcessKeyedBroadcast; when the job
// restores, it holds the snapshot's copy.
func NewBroadcastState[UK comparable, UV any](rc RuntimeContexts, name string, opts ...StateOption) BroadcastState[UK, UV] {
	rt := rc.runtime()
	sc := newStateCodecs(name, opts)
	s := &broadcastState[UK, UV]{rt: rt, name: name, keys: codecOf[UK](sc), values: codecOf[UV](sc),
		m: &orderedMap[UK, UV]{index: make(map[UK]int)}}
	err := sc.err()
	switch {
	case name == "":
		err = fmt.Errorf("%w: broadcast state without a name (state names are how snapshots find it)", ErrInvalidConfig)
	case reserved[name]:
		err = fmt.Errorf("%w: broadcast state name %q is the runtime's", ErrInvalidConfig, name)
	}
	if err == nil {
		err = rt.lists.declare(rt.op.Restored, s)
	}
	if err != nil {
		rt.declared(err)
	}
	return s
}

// broadcastState is a BroadcastState, kept as an operator list state of
// key-value entries that only subtask 0 snapshots.
type broadcastState[UK comparable, UV any] struct {
	rt     *RuntimeContext
	name   string
	keys   Codec[UK]
	values Codec[UV]
	m      *orderedMap[UK, UV]
}

func (s *broadcastState[UK, UV]) Get(k UK) (UV, bool) { return s.m.get(k) }
func (s *broadcastState[UK, UV]) Contains(k UK) bool {
	_, ok := s.m.get(k)
	return ok
}
func (s *broadcastState[UK, UV]) Len() int { return len(s.m.keys) }

func (s *broadcastState[UK, UV]) All() iter.Seq2[UK, UV] {
	keys, values := append([]UK(nil), s.m.keys...), append([]UV(nil), s.m.values...)
	return func(yield func(UK, UV) bool) {
		for i, k := range keys {
			if !yield(k, values[i]) {
				return
			}
		}
	}
}

// writable reports whether the state may change now, failing the operator
// if not.
func (s *broadcastState[UK, UV]) writable() bool {
	if !s.rt.broadcastWritable {
		s.rt.op.Fail(fmt.Errorf("%w: state %q", ErrBroadcastReadOnly, s.name))
		return false
	}
	return true
}

func (s *broadcastState[UK, UV]) Put(k UK, v UV) {
	if s.writable() {
		s.m.put(k, v)
	}
}

func (s *broadcastState[UK, UV]) Remove(k UK) {
	if s.writable() {
		s.m.remove(k)
	}
}

func (s *broadcastState[UK, UV]) Clear() {
	if s.writable() {
		s.m = &orderedMap[UK, UV]{index: make(map[UK]int)}
	}
}

func (s *broadcastState[UK, UV]) listName() string         { return s.name }
func (s *broadcastState[UK, UV]) listMode() Redistribution { return RedistributeBroadcast }
func (s *broadcastState[UK, UV]) valueType() reflect.Type {
	return reflect.TypeFor[map[UK]UV]()
}

// snapshotBySubtask0 marks the list as written by subtask 0 alone: every
// subtask's copy is the same.
func (s *broadcastState[UK, UV]) snapshotBySubtask0() {}

func (s *broadcastState[UK, UV]) restore(entries [][]byte) error {
	m := &orderedMap[UK, UV]{index: make(map[UK]int, len(entries))}
	for _, e := range entries {
		k, rest, err := readPrefixed(e, s.keys)
		if err == nil {
			var v UV
			if v, rest, err = readPrefixed(rest, s.values); err == nil && len(rest) != 0 {
				err = fmt.Errorf("%w: %d trailing bytes", ErrDecode, len(rest))
			}
			m.put(k, v)
		}
		if err != nil {
			return fmt.Errorf("%w: broadcast state %q: %w", ErrIncompatibleState, s.name, err)
		}
	}
	s.m = m
	return nil
}

func (s *broadcastState[UK, UV]) snapshot() (engine.NamedList, error) {
	l := engine.NamedList{Name: s.name, Mode: engine.RedistributeBroadcast, Entries: make([][]byte, len(s.m.keys))}
	for i, k := range s.m.keys {
		b, err := appendPrefixed(nil, s.keys, k)
		if err == nil {
			b, err = appendPrefixed(b, s.values, s.m.values[i])
		}
		if err != nil {
			return l, fmt.Errorf("broadcast state %q: %w", s.name, err)
		}
		l.Entries[i] = b
	}
	return l, nil
}

// BroadcastProcessFunction handles a stream connected with a broadcast
// stream, as Flink's BroadcastProcessFunction: ProcessBroadcastElement for
// every broadcast record (on every subtask), which may change broadcast
// state, and ProcessElement for every record of the other stream, which
// reads it.
type BroadcastProcessFunction[A, B, O any] interface {
	ProcessElement(ctx *ProcessContext, a A, out Collector[O]) error
	ProcessBroadcastElement(ctx *ProcessContext, b B, out Collector[O]) error
}

// ProcessBroadcast runs a broadcast process function. open is called once
// per subtask, before any record: it declares the broadcast state (and
// operator list state) the function uses.
func ProcessBroadcast[A, B, O any](c BroadcastConnectedStreams[A, B], name string,
	open func(rt *RuntimeContext) (BroadcastProcessFunction[A, B, O], error), opts ...OperatorOption) Stream[O] {
	env, err := connectEnv(c.in, c.broadcast, name, open == nil)
	if err != nil {
		return invalid[O](env, err)
	}
	edges := append(edgesOf(c.in), secondInput(edgesOf(withStrategy(c.broadcast, engine.StrategyBroadcast)))...)
	return addVertex(env, vertexSpec[O]{name: name,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[O]) (engine.Operator, error) {
			fn, rich, err := openRich(ctx, open)
			if err != nil {
				return nil, err
			}
			return &broadcastProcessOp[A, B, O]{richOperator: rich, pctx: ProcessContext{rt: rich.rt}, fn: fn, out: out}, nil
		}}, edges, opts)
}

type broadcastProcessOp[A, B, O any] struct {
	richOperator
	pctx ProcessContext
	fn   BroadcastProcessFunction[A, B, O]
	out  Collector[O]
}

func (o *broadcastProcessOp[A, B, O]) ProcessBatch(b any, from, to int) {
	o.ProcessBatchOf(0, b, from, to)
}

func (o *broadcastProcessOp[A, B, O]) ProcessBatchOf(input int, b any, from, to int) {
	defer o.ctx.Recover()
	if input == 0 {
		eachRecord(o.ctx, b.(*engine.Batch[A]), from, to, func(a A) error { return o.fn.ProcessElement(&o.pctx, a, o.out) })
		return
	}
	o.rt.broadcastWritable = true
	defer func() { o.rt.broadcastWritable = false }()
	eachRecord(o.ctx, b.(*engine.Batch[B]), from, to, func(v B) error { return o.fn.ProcessBroadcastElement(&o.pctx, v, o.out) })
}

func (o *broadcastProcessOp[A, B, O]) EndInputOf(int) {}

// KeyedBroadcastContext is handed to ProcessBroadcastElement of a keyed
// broadcast process function: besides ProcessContext's, it reaches the
// keyed state of every key (ApplyToKeyedState).
type KeyedBroadcastContext[K comparable] struct {
	ProcessContext
	op *keyedBroadcastCore[K]
}

// ApplyToKeyedState calls fn once for every key of this subtask that has
// keyed state, with that key current, so fn's state handles read and
// write its state, as Flink's applyToKeyedState. Keys come in key-group
// order, and by their encoding within a key group. It stops at fn's first
// error and returns it.
func (c *KeyedBroadcastContext[K]) ApplyToKeyedState(fn func(key K) error) error {
	b := c.op.rt.backend
	defer b.ClearCurrentKey() // no key is current in ProcessBroadcastElement
	return b.ForEachKey(func(k K, kg int) error {
		b.SetCurrentKey(k, kg)
		return fn(k)
	})
}

// KeyedBroadcastProcessFunction handles a keyed stream connected with a
// broadcast stream, as Flink's KeyedBroadcastProcessFunction:
// ProcessElement sees the record's key, its keyed state and timers, and
// reads broadcast state; ProcessBroadcastElement may change broadcast
// state and reach every key's keyed state. It may implement TimerFunction.
type KeyedBroadcastProcessFunction[K comparable, A, B, O any] interface {
	ProcessElement(ctx *KeyedContext[K], a A, out Collector[O]) error
	ProcessBroadcastElement(ctx *KeyedBroadcastContext[K], b B, out Collector[O]) error
}

// ProcessKeyedBroadcast runs a keyed broadcast process function. open is
// called once per subtask, before any record: it declares the keyed and
// broadcast state the function uses.
func ProcessKeyedBroadcast[K comparable, A, B, O any](c KeyedBroadcastConnectedStreams[K, A, B], name string,
	open func(rt *KeyedRuntimeContext[K]) (KeyedBroadcastProcessFunction[K, A, B, O], error), opts ...OperatorOption) Stream[O] {
	if err := c.in.Err(); err != nil {
		return invalid[O](c.in.in.env, err)
	}
	env, err := connectEnv(c.in.in, c.broadcast, name, open == nil)
	if err != nil {
		return invalid[O](env, err)
	}
	ks := c.in
	edges := append(keyedEdges(ks), secondInput(edgesOf(withStrategy(c.broadcast, engine.StrategyBroadcast)))...)
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
			op := &keyedBroadcastOp[K, A, B, O]{fn: fn}
			if err := op.init(ctx, rt, fn, out); err != nil {
				return nil, err
			}
			op.bctx = KeyedBroadcastContext[K]{ProcessContext: ProcessContext{rt: &rt.RuntimeContext}, op: &op.keyedBroadcastCore}
			return op, nil
		}}, edges, opts)
}

// keyedBroadcastCore is the part of a keyed broadcast operator its context
// needs.
type keyedBroadcastCore[K comparable] struct {
	rt *KeyedRuntimeContext[K]
}

type keyedBroadcastOp[K comparable, A, B, O any] struct {
	keyedFunctionCore[K, O]
	keyedBroadcastCore[K]
	fn   KeyedBroadcastProcessFunction[K, A, B, O]
	bctx KeyedBroadcastContext[K]
}

func (o *keyedBroadcastOp[K, A, B, O]) init(ctx *engine.OperatorContext, rt *KeyedRuntimeContext[K], fn any, out Collector[O]) error {
	o.keyedBroadcastCore.rt = rt
	return o.keyedFunctionCore.init(ctx, rt, fn, out)
}

func (o *keyedBroadcastOp[K, A, B, O]) ProcessBatch(b any, from, to int) {
	o.ProcessBatchOf(0, b, from, to)
}

func (o *keyedBroadcastOp[K, A, B, O]) ProcessBatchOf(input int, b any, from, to int) {
	defer o.ctx.Recover()
	if input == 0 {
		forKeyed(o.ctx, o.keyedFunctionCore.rt.backend, b.(*engine.Batch[engine.Keyed[K, A]]), from, to, func(a A) error {
			return o.fn.ProcessElement(&o.kctx, a, o.out)
		})
		return
	}
	rt := o.keyedFunctionCore.rt
	rt.broadcastWritable = true
	defer func() { rt.broadcastWritable = false }()
	// A broadcast record has no key: keyed state is reached only through
	// ApplyToKeyedState, as in Flink.
	rt.backend.ClearCurrentKey()
	eachRecord(o.ctx, b.(*engine.Batch[B]), from, to, func(v B) error {
		return o.fn.ProcessBroadcastElement(&o.bctx, v, o.out)
	})
}

func (o *keyedBroadcastOp[K, A, B, O]) EndInputOf(int) {}
