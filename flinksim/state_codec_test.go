package flinksim_test

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Types the default state codec (gob) cannot round-trip.
type (
	hiddenOnly struct{ n int }
	halfHidden struct {
		N    int
		note string
	}
	withFunc struct {
		N int
		F func() int
	}
)

// stateJob is a keyed job over the ints 0..n-1 (key v%3) whose process
// function is made by open; it runs with checkpoints every 2ms of the
// simulation's virtual time, and faults (if any) injected.
func stateJob[O comparable](n int, faults flinksim.Faults,
	open func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, O], error)) (*flinksim.CollectSink[O], *flinksim.Environment) {
	opts := []flinksim.Option{flinksim.WithParallelism(2), flinksim.WithBatchSize(4), flinksim.WithSimulation(7, nil),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: 2 * time.Millisecond}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(3, 0))}
	if faults != nil {
		opts = append(opts, flinksim.WithFaults(faults))
	}
	env := flinksim.NewEnvironment(opts...)
	// One source subtask: every key's records arrive in one order, with
	// failures or without.
	src := flinksim.FromSlice(env, "src", seq(0, n), flinksim.Parallelism(1))
	out := flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v % 3 }), "state", open)
	return flinksim.Collect(out, "out"), env
}

// valueOp keeps a T per key, updated by next from the old value and the
// record, and emits what out makes of the new value.
func valueOp[T any, O any](next func(old T, v int) T, out func(T) O, opts ...flinksim.StateOption) func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, O], error) {
	return func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, O], error) {
		s := flinksim.NewValueState[T](rt, "s", opts...)
		return flinksim.ProcessFunc[int, int, O](func(_ *flinksim.KeyedContext[int], v int, c flinksim.Collector[O]) error {
			old, _ := s.Value()
			nv := next(old, v)
			s.Update(nv)
			c.Collect(out(nv))
			return nil
		}), nil
	}
}

// TestStateTypeRefusedWhenDeclared: a state type gob cannot round-trip is
// refused when the operator opens, with an OperatorError that names the
// operator, the state and the type and says to give a codec — before any
// checkpoint "completes" with state that cannot be restored, or a restore
// silently drops fields.
//
// Mutants tried: gobWalk accepting unexported fields (the hiddenOnly,
// halfHidden, slice and map cases fail); gobWalk not checking field types
// (withFunc fails); gobWalk not walking slice, array and pointer elements
// (the slice case fails); register ignoring the codec errors (every case
// fails with err == nil).
func TestStateTypeRefusedWhenDeclared(t *testing.T) {
	cases := []struct {
		name, typ string
		open      func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error)
	}{
		{"unexported only", "flinksim_test.hiddenOnly", valueOp(func(o hiddenOnly, v int) hiddenOnly { return hiddenOnly{o.n + v} }, func(h hiddenOnly) int { return h.n })},
		{"half hidden", "flinksim_test.halfHidden", valueOp(func(o halfHidden, v int) halfHidden { return halfHidden{o.N + v, "x"} }, func(h halfHidden) int { return h.N })},
		{"func", "func() int", valueOp(func(o func() int, v int) func() int { return func() int { return v } }, func(f func() int) int { return f() })},
		{"chan", "chan int", valueOp(func(o chan int, v int) chan int { return make(chan int) }, func(chan int) int { return 0 })},
		{"func field", "flinksim_test.withFunc", valueOp(func(o withFunc, v int) withFunc { return withFunc{N: o.N + v} }, func(w withFunc) int { return w.N })},
		{"interface", "interface {}", valueOp(func(o any, v int) any { return v }, func(a any) int { return a.(int) })},
		{"slice of hidden", "[]flinksim_test.hiddenOnly", valueOp(func(o []hiddenOnly, v int) []hiddenOnly { return append(o, hiddenOnly{v}) }, func(h []hiddenOnly) int { return len(h) })},
		{"map of half hidden", "map[string]flinksim_test.halfHidden", valueOp(func(o map[string]halfHidden, v int) map[string]halfHidden { return map[string]halfHidden{"a": {N: v}} }, func(m map[string]halfHidden) int { return len(m) })},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, env := stateJob(20, nil, c.open)
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, flinksim.ErrNeedsCodec)
			var oe *flinksim.OperatorError
			require.ErrorAs(t, err, &oe)
			assert.Equal(t, "state", oe.Operator)
			assert.Contains(t, err.Error(), `"s"`)
			assert.Contains(t, err.Error(), c.typ)
			assert.Contains(t, err.Error(), "WithCodec")
		})
	}
}

// TestStateTypeRefusedInEveryKind: the check applies to the type each
// kind of state encodes: list elements, map keys and values, the
// reducing value and the aggregating accumulator.
//
// Mutants tried: NewListState and NewAggregatingState using CodecFor
// instead of codecOf (their cases fail).
func TestStateTypeRefusedInEveryKind(t *testing.T) {
	cases := map[string]func(rt *flinksim.KeyedRuntimeContext[int]){
		"list":      func(rt *flinksim.KeyedRuntimeContext[int]) { flinksim.NewListState[hiddenOnly](rt, "s") },
		"map key":   func(rt *flinksim.KeyedRuntimeContext[int]) { flinksim.NewMapState[hiddenOnly, int](rt, "s") },
		"map value": func(rt *flinksim.KeyedRuntimeContext[int]) { flinksim.NewMapState[int, hiddenOnly](rt, "s") },
		"reducing": func(rt *flinksim.KeyedRuntimeContext[int]) {
			flinksim.NewReducingState(rt, "s", func(a, b hiddenOnly) (hiddenOnly, error) { return a, nil })
		},
		"aggregating": func(rt *flinksim.KeyedRuntimeContext[int]) {
			flinksim.NewAggregatingState[int, hiddenOnly, int](rt, "s", hiddenAgg{})
		},
	}
	for name, declare := range cases {
		t.Run(name, func(t *testing.T) {
			_, env := stateJob(20, nil, func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				declare(rt)
				return flinksim.ProcessFunc[int, int, int](func(*flinksim.KeyedContext[int], int, flinksim.Collector[int]) error { return nil }), nil
			})
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, flinksim.ErrNeedsCodec)
			assert.Contains(t, err.Error(), "flinksim_test.hiddenOnly")
		})
	}
}

type hiddenAgg struct{}

func (hiddenAgg) CreateAccumulator() hiddenOnly        { return hiddenOnly{} }
func (hiddenAgg) Add(v int, acc hiddenOnly) hiddenOnly { return hiddenOnly{acc.n + v} }
func (hiddenAgg) Result(acc hiddenOnly) int            { return acc.n }
func (hiddenAgg) Merge(a, b hiddenOnly) hiddenOnly     { return hiddenOnly{a.n + b.n} }

// halfHiddenCodec encodes both fields of a halfHidden: N in 8 bytes, then
// the note.
type halfHiddenCodec struct{}

func (halfHiddenCodec) Append(dst []byte, h halfHidden) ([]byte, error) {
	return append(binary.BigEndian.AppendUint64(dst, uint64(h.N)), h.note...), nil
}

func (halfHiddenCodec) Decode(src []byte) (halfHidden, error) {
	if len(src) < 8 {
		return halfHidden{}, flinksim.ErrDecode
	}
	return halfHidden{N: int(binary.BigEndian.Uint64(src)), note: string(src[8:])}, nil
}

// distinct returns the distinct values of vs, sorted.
func distinct[T cmp.Ordered](vs []T) []T {
	out := slices.Clone(vs)
	slices.Sort(out)
	return slices.Compact(out)
}

// TestStateCodecSurvivesRecovery: with a codec of its own, a state type
// gob cannot round-trip survives a failure and a restore: the job emits
// the same values as without the failure (a restore may replay records,
// so the outputs compare as sets).
//
// Mutants tried: codecOf ignoring the WithCodec option (the type is
// refused); halfHiddenCodec dropping the note (the outputs differ).
func TestStateCodecSurvivesRecovery(t *testing.T) {
	op := valueOp(func(o halfHidden, v int) halfHidden { return halfHidden{o.N + v, o.note + "+"} },
		func(h halfHidden) string { return fmt.Sprintf("%d/%d", h.N, len(h.note)) },
		flinksim.WithCodec[halfHidden](halfHiddenCodec{}))
	clean, env := stateJob(300, nil, op)
	_, err := env.Execute(t.Context(), t.Name())
	require.NoError(t, err)
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "state", Subtask: 0, Point: flinksim.FaultRecord, After: 100})
	failed, env := stateJob(300, faults, op)
	job, err := env.Start(t.Context(), t.Name())
	require.NoError(t, err)
	require.NoError(t, job.Wait(cpDeadline(t)))
	require.Equal(t, 1, faults.Struck())
	require.Positive(t, job.Restarts())
	require.Positive(t, job.Checkpoints().NumberOfCompletedCheckpoints)
	assert.Equal(t, distinct(clean.Values()), distinct(failed.Values()))
}

// countingCodec counts the values it encodes and decodes.
type countingCodec[T any] struct {
	inner            flinksim.Codec[T]
	appends, decodes *atomic.Int64
}

func newCountingCodec[T any]() countingCodec[T] {
	return countingCodec[T]{flinksim.CodecFor[T](), new(atomic.Int64), new(atomic.Int64)}
}

func (c countingCodec[T]) Append(dst []byte, v T) ([]byte, error) {
	c.appends.Add(1)
	return c.inner.Append(dst, v)
}

func (c countingCodec[T]) Decode(src []byte) (T, error) {
	c.decodes.Add(1)
	return c.inner.Decode(src)
}

type sumAgg struct{}

func (sumAgg) CreateAccumulator() int64   { return 0 }
func (sumAgg) Add(v int, acc int64) int64 { return acc + int64(v) }
func (sumAgg) Result(acc int64) string    { return strconv.FormatInt(acc, 10) }
func (sumAgg) Merge(a, b int64) int64     { return a + b }

// TestEveryStateKindTakesACodec: Value, List, Map (keys and values),
// Reducing and Aggregating state encode with the codec WithCodec gives
// them, in checkpoints and on restore, and the job's output after a
// failure is that of a failure-free run.
//
// Mutants tried: NewListState, and NewAggregatingState, using CodecFor
// instead of the option (the unused option fails the operator).
func TestEveryStateKindTakesACodec(t *testing.T) {
	run := func(t *testing.T, faults flinksim.Faults) ([]string, map[string]countingCodec[int64], countingCodec[string], *flinksim.JobClient) {
		value, list, mapValue, reducing, agg := newCountingCodec[int64](), newCountingCodec[int64](), newCountingCodec[int64](), newCountingCodec[int64](), newCountingCodec[int64]()
		mapKey := newCountingCodec[string]()
		out, env := stateJob(300, faults, func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, string], error) {
			v := flinksim.NewValueState[int64](rt, "value", flinksim.WithCodec[int64](value))
			l := flinksim.NewListState[int64](rt, "list", flinksim.WithCodec[int64](list))
			m := flinksim.NewMapState[string, int64](rt, "map", flinksim.WithCodec[string](mapKey), flinksim.WithCodec[int64](mapValue))
			r := flinksim.NewReducingState(rt, "reducing", func(a, b int64) (int64, error) { return max(a, b), nil }, flinksim.WithCodec[int64](reducing))
			a := flinksim.NewAggregatingState[int, int64, string](rt, "aggregating", sumAgg{}, flinksim.WithCodec[int64](agg))
			return flinksim.ProcessFunc[int, int, string](func(_ *flinksim.KeyedContext[int], x int, c flinksim.Collector[string]) error {
				n, _ := v.Value()
				v.Update(n + 1)
				l.Add(int64(x))
				k := strconv.Itoa(x % 2)
				mv, _ := m.Get(k)
				m.Put(k, mv+1)
				if err := r.Add(int64(x)); err != nil {
					return err
				}
				rv, _ := r.Get()
				a.Add(x)
				av, _ := a.Get()
				c.Collect(fmt.Sprintf("%d %d %d %d %s", n+1, len(l.Get()), mv+1, rv, av))
				return nil
			}), nil
		})
		job, err := env.Start(t.Context(), t.Name())
		require.NoError(t, err)
		require.NoError(t, job.Wait(cpDeadline(t)))
		return out.Values(), map[string]countingCodec[int64]{"value": value, "list": list, "map value": mapValue, "reducing": reducing, "aggregating": agg}, mapKey, job
	}
	clean, _, _, _ := run(t, nil)
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "state", Subtask: 0, Point: flinksim.FaultRecord, After: 100})
	failed, codecs, mapKey, job := run(t, faults)
	require.Equal(t, 1, faults.Struck())
	require.Positive(t, job.Restarts())
	assert.Equal(t, distinct(clean), distinct(failed))
	for name, c := range codecs {
		assert.Positive(t, c.appends.Load(), "%s codec encoded nothing", name)
		assert.Positive(t, c.decodes.Load(), "%s codec decoded nothing", name)
	}
	assert.Positive(t, mapKey.appends.Load())
	assert.Positive(t, mapKey.decodes.Load())
}

// failOnCodec fails to encode values from 13 on.
type failOnCodec struct{}

var errThirteen = errors.New("13 and above cannot be encoded")

func (failOnCodec) Append(dst []byte, v int) ([]byte, error) {
	if v >= 13 {
		return nil, errThirteen
	}
	return flinksim.CodecFor[int]().Append(dst, v)
}
func (failOnCodec) Decode(src []byte) (int, error) { return flinksim.CodecFor[int]().Decode(src) }

// TestEncodeErrorFailsCheckpoint: a state value the codec cannot encode
// fails the checkpoint, and with it the job once the restart strategy
// gives up; no checkpoint completes with the value missing. The same
// holds for gob's own errors (an interface holding an unregistered type).
//
// Mutants tried: SnapshotState ignoring the backend's error (checkpoints
// complete, err == nil); GobCodec.Append returning dst on a gob error
// (same, for the gob case).
func TestEncodeErrorFailsCheckpoint(t *testing.T) {
	t.Run("codec error", func(t *testing.T) {
		// The state holds the key's last record: from 13 on, no
		// checkpoint (the final one at least) can encode it.
		_, env := stateJob(30, nil, valueOp(func(_ int, v int) int { return v }, func(v int) int { return v },
			flinksim.WithCodec[int](failOnCodec{})))
		job, err := env.Start(t.Context(), t.Name())
		require.NoError(t, err)
		err = job.Wait(cpDeadline(t))
		require.ErrorIs(t, err, errThirteen)
		var oe *flinksim.OperatorError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "state", oe.Operator)
		assert.Contains(t, err.Error(), `state "s"`)
	})
	t.Run("unregistered type in an interface", func(t *testing.T) {
		type unregistered struct{ A int }
		_, env := stateJob(30, nil, valueOp(func(_ any, v int) any { return unregistered{v} }, func(a any) int { return a.(unregistered).A },
			flinksim.WithCodec[any](flinksim.GobCodec[any]{})))
		job, err := env.Start(t.Context(), t.Name())
		require.NoError(t, err)
		err = job.Wait(cpDeadline(t))
		require.ErrorIs(t, err, flinksim.ErrEncode)
		assert.Contains(t, err.Error(), "not registered")
		assert.Zero(t, job.Checkpoints().NumberOfCompletedCheckpoints, "no checkpoint completes without the state")
	})
}

// TestWithCodecMistakes: a WithCodec for a type the state does not hold,
// or with a nil codec, fails the operator as it opens.
//
// Mutants tried: stateCodecs.err not reporting unused options (the first
// case succeeds).
func TestWithCodecMistakes(t *testing.T) {
	for name, opt := range map[string]flinksim.StateOption{
		"unused":    flinksim.WithCodec[string](flinksim.StringCodec{}),
		"nil codec": flinksim.WithCodec[int](nil),
	} {
		t.Run(name, func(t *testing.T) {
			_, env := stateJob(10, nil, valueOp(func(o, v int) int { return o + v }, func(v int) int { return v }, opt))
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, flinksim.ErrInvalidOperator)
			assert.Contains(t, err.Error(), `state "s"`)
		})
	}
}
