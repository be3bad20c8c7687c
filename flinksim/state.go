package flinksim

import (
	"fmt"
	"iter"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// Keyed state, as Flink's: each handle reads and writes the entry of the
// key being processed. Declare state with the New*State functions on the
// KeyedRuntimeContext of a keyed operator; a name used twice with one type
// returns the same state, with two types it fails the operator with
// ErrStateConflict. Using a handle outside ProcessElement (no current key)
// fails the operator with ErrNoKey. Each takes StateOption values:
// WithCodec gives the codec of a type the state encodes, and a type whose
// default codec cannot round-trip it fails the operator with
// ErrNeedsCodec. WithTTL gives a state a time to live (see TTLConfig).

// ValueState holds one value per key.
type ValueState[T any] interface {
	// Value returns the key's value and whether it has one.
	Value() (T, bool)
	// Update sets the key's value.
	Update(v T)
	// Clear removes the key's value.
	Clear()
}

// ListState holds a list of values per key.
type ListState[T any] interface {
	// Get returns a copy of the key's list (nil when empty).
	Get() []T
	// Add appends v to the key's list.
	Add(v T)
	// AddAll appends vs to the key's list.
	AddAll(vs []T)
	// Update replaces the key's list with a copy of vs.
	Update(vs []T)
	// Clear removes the key's list.
	Clear()
}

// MapState holds a map per key. Iteration is in insertion order, so runs
// stay deterministic.
type MapState[UK comparable, UV any] interface {
	Get(k UK) (UV, bool)
	Put(k UK, v UV)
	Remove(k UK)
	Contains(k UK) bool
	// All iterates over the key's entries as they were when it began, in
	// insertion order (a removal moves the last entry into the removed
	// one's place); the loop body may Put and Remove.
	All() iter.Seq2[UK, UV]
	Len() int
	Clear()
}

// ReducingState keeps one value per key, folding added values in with a
// reduce function.
type ReducingState[T any] interface {
	Get() (T, bool)
	// Add folds v into the key's value; the first value is kept as it is.
	Add(v T) error
	Clear()
}

// AggregatingState keeps an accumulator per key, fed by an
// AggregateFunction.
type AggregatingState[IN, OUT any] interface {
	// Get returns the result of the key's accumulator, if it has one.
	Get() (OUT, bool)
	Add(v IN)
	Clear()
}

// AggregateFunction aggregates values of type IN into an accumulator ACC
// and computes a result OUT from it, as Flink's AggregateFunction.
type AggregateFunction[IN, ACC, OUT any] interface {
	CreateAccumulator() ACC
	Add(v IN, acc ACC) ACC
	Result(acc ACC) OUT
	Merge(a, b ACC) ACC
}

// register returns the table under name, recording a conflict or a codec
// error (of sc) on rt and returning a detached table so the caller's
// handle stays usable until the operator fails.
func register[K comparable, T state.Table](rt *KeyedRuntimeContext[K], name, kind string, sc *stateCodecs, newTable func() T) T {
	err := sc.err()
	prefix, reserved := reservedStateName(name)
	switch {
	case name == "":
		err = fmt.Errorf("%w: %s state without a name (state names are how snapshots find it)", ErrInvalidConfig, kind)
	case reserved:
		err = fmt.Errorf("%w: state name %q: names beginning with %q are reserved for the operator's own state", ErrInvalidConfig, name, prefix)
	}
	var t T
	if err == nil {
		t, err = state.Register(rt.backend, name, kind, func() T {
			t := newTable()
			if tc, ok := any(t).(interface{ TrustCodec() }); ok && sc.custom() {
				tc.TrustCodec()
			}
			return t
		})
	}
	if err == nil {
		if e, ok := any(t).(interface{ ExpiryConfig() string }); ok && e.ExpiryConfig() != sc.ttlConfig {
			err = fmt.Errorf("%w: %q has time to live %q, declared again with %q", ErrStateConflict, name, e.ExpiryConfig(), sc.ttlConfig)
		}
	}
	if err != nil {
		rt.declared(err)
		return newTable()
	}
	return t
}

// NewValueState declares a ValueState named name. Its values are encoded
// in snapshots with CodecFor[T], or the codec of a WithCodec[T] option.
func NewValueState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, opts ...StateOption) ValueState[T] {
	sc := newStateCodecs(name, opts)
	c := codecOf[T](sc)
	if p := sc.ttl(rt.op.Clock); p != nil {
		return newTTLValueState(rt, name, sc, c, p)
	}
	return valueState[K, T]{register(rt, name, "value", sc, func() *state.Map[K, T] { return state.NewMap(rt.backend, name, c) })}
}

type valueState[K comparable, T any] struct{ m *state.Map[K, T] }

func (s valueState[K, T]) Value() (T, bool) { return s.m.Get() }
func (s valueState[K, T]) Update(v T)       { s.m.Put(v) }
func (s valueState[K, T]) Clear()           { s.m.Delete() }

// NewListState declares a ListState named name. Its elements are encoded
// in snapshots with CodecFor[T], or the codec of a WithCodec[T] option.
func NewListState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, opts ...StateOption) ListState[T] {
	sc := newStateCodecs(name, opts)
	if p := sc.ttl(rt.op.Clock); p != nil {
		return newTTLListState(rt, name, sc, codecOf[T](sc), p)
	}
	c := Codec[[]T](sliceCodec[T]{codecOf[T](sc)})
	return listState[K, T]{register(rt, name, "list", sc, func() *state.Map[K, []T] { return state.NewMap(rt.backend, name, c) })}
}

type listState[K comparable, T any] struct{ m *state.Map[K, []T] }

func (s listState[K, T]) Get() []T {
	l, _ := s.m.Get()
	return slices.Clone(l)
}

func (s listState[K, T]) Add(v T) {
	l, _ := s.m.Get()
	s.m.Put(append(l, v))
}

func (s listState[K, T]) AddAll(vs []T) {
	l, _ := s.m.Get()
	s.m.Put(append(l, vs...))
}

func (s listState[K, T]) Update(vs []T) {
	if len(vs) == 0 {
		s.m.Delete()
		return
	}
	s.m.Put(slices.Clone(vs))
}

func (s listState[K, T]) Clear() { s.m.Delete() }

// NewMapState declares a MapState named name. Its map keys and values are
// encoded in snapshots with CodecFor[UK] and CodecFor[UV], or the codecs
// of WithCodec[UK] and WithCodec[UV] options.
func NewMapState[UK comparable, UV any, K comparable](rt *KeyedRuntimeContext[K], name string, opts ...StateOption) MapState[UK, UV] {
	sc := newStateCodecs(name, opts)
	if p := sc.ttl(rt.op.Clock); p != nil {
		return newTTLMapState(rt, name, sc, codecOf[UK](sc), codecOf[UV](sc), p)
	}
	c := Codec[*orderedMap[UK, UV]](orderedMapCodec[UK, UV]{codecOf[UK](sc), codecOf[UV](sc)})
	return mapState[K, UK, UV]{register(rt, name, "map", sc, func() *state.Map[K, *orderedMap[UK, UV]] {
		return state.NewMap(rt.backend, name, c)
	})}
}

type mapState[K, UK comparable, UV any] struct {
	m *state.Map[K, *orderedMap[UK, UV]]
}

func (s mapState[K, UK, UV]) Get(k UK) (UV, bool) {
	om, _ := s.m.Get()
	return om.get(k)
}

func (s mapState[K, UK, UV]) Put(k UK, v UV) {
	om, ok := s.m.Get()
	if !ok {
		om = &orderedMap[UK, UV]{index: make(map[UK]int)}
		s.m.Put(om)
	}
	om.put(k, v)
}

func (s mapState[K, UK, UV]) Remove(k UK) {
	om, ok := s.m.Get()
	if !ok {
		return
	}
	om.remove(k)
	if len(om.keys) == 0 {
		s.m.Delete()
	}
}

func (s mapState[K, UK, UV]) Contains(k UK) bool {
	_, ok := s.Get(k)
	return ok
}

func (s mapState[K, UK, UV]) All() iter.Seq2[UK, UV] {
	om, _ := s.m.Get()
	return func(yield func(UK, UV) bool) {
		if om == nil {
			return
		}
		// Iterate over a copy, so the loop body may Put and Remove.
		keys, values := slices.Clone(om.keys), slices.Clone(om.values)
		for i, k := range keys {
			if !yield(k, values[i]) {
				return
			}
		}
	}
}

func (s mapState[K, UK, UV]) Len() int {
	om, _ := s.m.Get()
	if om == nil {
		return 0
	}
	return len(om.keys)
}

func (s mapState[K, UK, UV]) Clear() { s.m.Delete() }

// orderedMap is a map that remembers insertion order.
type orderedMap[K comparable, V any] struct {
	index  map[K]int
	keys   []K
	values []V
}

func (m *orderedMap[K, V]) get(k K) (V, bool) {
	if m != nil {
		if i, ok := m.index[k]; ok {
			return m.values[i], true
		}
	}
	var zero V
	return zero, false
}

func (m *orderedMap[K, V]) put(k K, v V) {
	if i, ok := m.index[k]; ok {
		m.values[i] = v
		return
	}
	m.index[k] = len(m.keys)
	m.keys = append(m.keys, k)
	m.values = append(m.values, v)
}

func (m *orderedMap[K, V]) remove(k K) {
	i, ok := m.index[k]
	if !ok {
		return
	}
	last := len(m.keys) - 1
	m.keys[i], m.values[i] = m.keys[last], m.values[last]
	m.index[m.keys[i]] = i
	var zk K
	var zv V
	m.keys[last], m.values[last] = zk, zv
	m.keys, m.values = m.keys[:last], m.values[:last]
	delete(m.index, k)
}

// NewReducingState declares a ReducingState named name that folds values
// with reduce. Its values are encoded in snapshots with CodecFor[T], or
// the codec of a WithCodec[T] option.
func NewReducingState[T any, K comparable](rt *KeyedRuntimeContext[K], name string, reduce func(acc, v T) (T, error), opts ...StateOption) ReducingState[T] {
	sc := newStateCodecs(name, opts)
	c := codecOf[T](sc)
	if p := sc.ttl(rt.op.Clock); p != nil {
		return newTTLReducingState(rt, name, sc, c, p, reduce)
	}
	return reducingState[K, T]{m: register(rt, name, "reducing", sc, func() *state.Map[K, T] { return state.NewMap(rt.backend, name, c) }), reduce: reduce}
}

type reducingState[K comparable, T any] struct {
	m      *state.Map[K, T]
	reduce func(acc, v T) (T, error)
}

func (s reducingState[K, T]) Get() (T, bool) { return s.m.Get() }

func (s reducingState[K, T]) Add(v T) error {
	acc, ok := s.m.Get()
	if ok {
		var err error
		if v, err = s.reduce(acc, v); err != nil {
			return err
		}
	}
	s.m.Put(v)
	return nil
}

func (s reducingState[K, T]) Clear() { s.m.Delete() }

// NewAggregatingState declares an AggregatingState named name. Its
// accumulators are encoded in snapshots with CodecFor[ACC], or the codec
// of a WithCodec[ACC] option.
func NewAggregatingState[IN, ACC, OUT any, K comparable](rt *KeyedRuntimeContext[K], name string, agg AggregateFunction[IN, ACC, OUT], opts ...StateOption) AggregatingState[IN, OUT] {
	sc := newStateCodecs(name, opts)
	c := codecOf[ACC](sc)
	if p := sc.ttl(rt.op.Clock); p != nil {
		return newTTLAggregatingState(rt, name, sc, c, p, agg)
	}
	return aggregatingState[K, IN, ACC, OUT]{m: register(rt, name, "aggregating", sc, func() *state.Map[K, ACC] { return state.NewMap(rt.backend, name, c) }), agg: agg}
}

type aggregatingState[K comparable, IN, ACC, OUT any] struct {
	m   *state.Map[K, ACC]
	agg AggregateFunction[IN, ACC, OUT]
}

func (s aggregatingState[K, IN, ACC, OUT]) Get() (OUT, bool) {
	acc, ok := s.m.Get()
	if !ok {
		var zero OUT
		return zero, false
	}
	return s.agg.Result(acc), true
}

func (s aggregatingState[K, IN, ACC, OUT]) Add(v IN) {
	acc, ok := s.m.Get()
	if !ok {
		acc = s.agg.CreateAccumulator()
	}
	s.m.Put(s.agg.Add(v, acc))
}

func (s aggregatingState[K, IN, ACC, OUT]) Clear() { s.m.Delete() }
