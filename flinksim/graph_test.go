package flinksim_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

func discardSink[T any](T) error { return nil }

// TestGraphErrors: a job that cannot run is refused by Execute (and Start)
// with an error matching its sentinel, before anything runs, and building
// it never panics.
func TestGraphErrors(t *testing.T) {
	src := func(env *flinksim.Environment) flinksim.Stream[int] {
		return parallelSlice(env, "src", []int{1, 2, 3})
	}
	for _, tc := range []struct {
		name  string
		opts  []flinksim.Option
		build func(env *flinksim.Environment)
		want  []error
	}{
		{name: "empty graph", build: func(*flinksim.Environment) {}, want: []error{flinksim.ErrEmptyGraph}},
		{name: "no sink", build: func(env *flinksim.Environment) {
			flinksim.Map(src(env), "m", identity[int])
		}, want: []error{flinksim.ErrNoSink}},
		{name: "duplicate name", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Map(src(env), "x", identity[int]), "x", discardSink[int])
		}, want: []error{flinksim.ErrDuplicateName}},
		{name: "duplicate source name", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Union(src(env), src(env)), "out", discardSink[int])
		}, want: []error{flinksim.ErrDuplicateName}},
		{name: "parallelism 0 by option", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Map(src(env), "m", identity[int], flinksim.Parallelism(0)), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidParallelism}},
		{name: "negative parallelism by option", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "out", discardSink[int], flinksim.Parallelism(-2))
		}, want: []error{flinksim.ErrInvalidParallelism}},
		{name: "parallelism above max parallelism", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "out", discardSink[int], flinksim.Parallelism(4), flinksim.MaxParallelism(2))
		}, want: []error{flinksim.ErrInvalidParallelism}},
		{name: "parallelism above environment max parallelism", opts: []flinksim.Option{flinksim.WithParallelism(4), flinksim.WithMaxParallelism(3)},
			build: func(env *flinksim.Environment) { flinksim.Sink(src(env), "out", discardSink[int]) },
			want:  []error{flinksim.ErrInvalidParallelism}},
		{name: "max parallelism 0 by option", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "out", discardSink[int], flinksim.MaxParallelism(0))
		}, want: []error{flinksim.ErrInvalidParallelism}},
		{name: "max parallelism above 2^15", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "out", discardSink[int], flinksim.MaxParallelism(1<<15+1))
		}, want: []error{flinksim.ErrInvalidParallelism}},
		{name: "forward between parallelisms", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Forward(src(env)), "out", discardSink[int], flinksim.Parallelism(3))
		}, want: []error{flinksim.ErrForwardParallelism}},
		{name: "not enough slots", opts: []flinksim.Option{flinksim.WithTaskManagers(1, 1), flinksim.WithParallelism(2)},
			build: func(env *flinksim.Environment) { flinksim.Sink(src(env), "out", discardSink[int]) },
			want:  []error{flinksim.ErrNotEnoughSlots}},
		{name: "not enough slots for one operator", opts: []flinksim.Option{flinksim.WithTaskManagers(2, 2), flinksim.WithParallelism(1)},
			build: func(env *flinksim.Environment) {
				flinksim.Sink(src(env), "out", discardSink[int], flinksim.Parallelism(5))
			},
			want: []error{flinksim.ErrNotEnoughSlots}},
		{name: "empty operator name", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Map(src(env), "", identity[int]), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "empty source name", build: func(env *flinksim.Environment) {
			flinksim.Sink(parallelSlice(env, "", []int{1}), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "empty sink name", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil map function", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Map[int, int](src(env), "m", nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil flatmap function", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.FlatMap[int, int](src(env), "m", nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil filter function", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Filter[int](src(env), "m", nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil key function", build: func(env *flinksim.Environment) {
			ks := flinksim.KeyBy[int, int](src(env), nil)
			flinksim.Sink(flinksim.Reduce(ks, "r", func(a, b int) (int, error) { return a + b, nil }), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil key codec", build: func(env *flinksim.Environment) {
			ks := flinksim.KeyByCodec(src(env), func(v int) int { return v }, nil)
			flinksim.Sink(flinksim.Reduce(ks, "r", func(a, b int) (int, error) { return a + b, nil }), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil reduce function", build: func(env *flinksim.Environment) {
			ks := flinksim.KeyBy(src(env), func(v int) int { return v })
			flinksim.Sink(flinksim.Reduce(ks, "r", nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil process open", build: func(env *flinksim.Environment) {
			ks := flinksim.KeyBy(src(env), func(v int) int { return v })
			flinksim.Sink(flinksim.Process[int, int, int](ks, "p", nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil generate function", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Generate[int](env, "gen", 3, nil), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "negative generate count", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Generate(env, "gen", -1, func(i int64) (int64, error) { return i, nil }), "out", discardSink[int64])
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil sink function", build: func(env *flinksim.Environment) {
			flinksim.Sink(src(env), "out", nil)
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "nil sink open", build: func(env *flinksim.Environment) {
			flinksim.SinkTo[int](src(env), "out", nil)
		}, want: []error{flinksim.ErrInvalidOperator}},
		{name: "union across environments", build: func(env *flinksim.Environment) {
			other := flinksim.NewEnvironment()
			flinksim.Sink(flinksim.Union(src(env), parallelSlice(other, "src2", []int{4})), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidStream}},
		{name: "union with a zero stream", build: func(env *flinksim.Environment) {
			flinksim.Sink(flinksim.Union(src(env), flinksim.Stream[int]{}), "out", discardSink[int])
		}, want: []error{flinksim.ErrInvalidStream}},
		{name: "several problems at once", build: func(env *flinksim.Environment) {
			a := flinksim.Map(src(env), "m", identity[int])
			flinksim.Map(a, "m", identity[int], flinksim.Parallelism(0))
		}, want: []error{flinksim.ErrDuplicateName, flinksim.ErrInvalidParallelism, flinksim.ErrNoSink}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				for _, start := range []bool{false, true} {
					env := ex.newEnv(append([]flinksim.Option{flinksim.WithParallelism(1)}, tc.opts...)...)
					require.NotPanics(t, func() { tc.build(env) })
					var err error
					if start {
						var job *flinksim.JobClient
						job, err = env.Start(t.Context(), "bad")
						assert.Nil(t, job)
					} else {
						var res *flinksim.JobResult
						res, err = env.Execute(t.Context(), "bad")
						assert.Nil(t, res)
					}
					require.Error(t, err)
					for _, want := range tc.want {
						assert.ErrorIs(t, err, want)
					}
				}
			})
		})
	}
}

func TestInvalidConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []flinksim.Option
	}{
		{"negative parallelism", []flinksim.Option{flinksim.WithParallelism(-1)}},
		{"negative max parallelism", []flinksim.Option{flinksim.WithMaxParallelism(-1)}},
		{"max parallelism above 2^15", []flinksim.Option{flinksim.WithMaxParallelism(1<<15 + 1)}},
		{"negative task managers", []flinksim.Option{flinksim.WithTaskManagers(-1, 1)}},
		{"negative slots", []flinksim.Option{flinksim.WithTaskManagers(1, -1)}},
		{"negative batch size", []flinksim.Option{flinksim.WithBatchSize(-1)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := flinksim.NewEnvironment(tc.opts...)
			flinksim.Sink(parallelSlice(env, "src", []int{1}), "out", discardSink[int], flinksim.Parallelism(1))
			_, err := env.Execute(t.Context(), "bad")
			assert.ErrorIs(t, err, flinksim.ErrInvalidConfig)
		})
	}
	t.Run("from config", func(t *testing.T) {
		env := flinksim.NewEnvironmentFromConfig(flinksim.Config{BatchSize: -5, SlotsPerTaskManager: -1})
		flinksim.Sink(parallelSlice(env, "src", []int{1}), "out", discardSink[int], flinksim.Parallelism(1))
		_, err := env.Execute(t.Context(), "bad")
		assert.ErrorIs(t, err, flinksim.ErrInvalidConfig)
		assert.ErrorContains(t, err, "batch size")
		assert.ErrorContains(t, err, "slots")
	})
	t.Run("defaults", func(t *testing.T) {
		cfg := flinksim.NewEnvironment().Config()
		assert.GreaterOrEqual(t, cfg.Parallelism, 1)
		assert.Equal(t, 256, cfg.BatchSize)
		assert.Equal(t, 1, cfg.SlotsPerTaskManager)
		assert.NotNil(t, cfg.Logger)
		assert.NotNil(t, cfg.Clock)
		assert.Nil(t, cfg.Simulation)
	})
}

func TestAlreadyExecuted(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1))
		flinksim.Sink(parallelSlice(env, "src", []int{1}), "out", discardSink[int])
		_, err := env.Execute(t.Context(), "once")
		require.NoError(t, err)
		_, err = env.Execute(t.Context(), "twice")
		assert.ErrorIs(t, err, flinksim.ErrAlreadyExecuted)
		job, err := env.Start(t.Context(), "thrice")
		assert.ErrorIs(t, err, flinksim.ErrAlreadyExecuted)
		assert.Nil(t, job)
	})
	t.Run("after a refused graph", func(t *testing.T) {
		env := flinksim.NewEnvironment()
		_, err := env.Execute(t.Context(), "empty")
		require.ErrorIs(t, err, flinksim.ErrEmptyGraph)
		_, err = env.Execute(t.Context(), "again")
		assert.ErrorIs(t, err, flinksim.ErrAlreadyExecuted)
	})
}

// TestInvalidStreams: operators on zero streams do not panic and return
// streams whose Err says why.
func TestInvalidStreams(t *testing.T) {
	var zero flinksim.Stream[int]
	var zeroKeyed flinksim.KeyedStream[int, int]
	sum := func(a, b int) (int, error) { return a + b, nil }
	require.NotPanics(t, func() {
		assert.ErrorIs(t, zero.Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, zeroKeyed.Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Map(zero, "m", identity[int]).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.FlatMap(zero, "f", func(int, flinksim.Collector[int]) error { return nil }).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Filter(zero, "f", func(int) (bool, error) { return true, nil }).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Rebalance(zero).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Broadcast(zero).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Forward(zero).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Union(zero).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.KeyBy(zero, func(v int) int { return v }).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Reduce(zeroKeyed, "r", sum).Err(), flinksim.ErrInvalidStream)
		assert.ErrorIs(t, flinksim.Reduce(flinksim.KeyBy(zero, func(v int) int { return v }), "r", sum).Err(), flinksim.ErrInvalidStream)
		flinksim.Sink(zero, "s", discardSink[int])
		flinksim.Print(zero, "p", nil)
		assert.Empty(t, flinksim.Collect(zero, "c").Values())
	})
	t.Run("zero keyed stream in a job", func(t *testing.T) {
		env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
		src := parallelSlice(env, "src", []int{1})
		flinksim.Sink(src, "ok", discardSink[int])
		bad := flinksim.Reduce(zeroKeyed, "r", sum)
		assert.ErrorIs(t, bad.Err(), flinksim.ErrInvalidStream)
		// A union with the bad stream reports it to the environment.
		flinksim.Sink(flinksim.Union(src, bad), "out", discardSink[int])
		_, err := env.Execute(t.Context(), "bad")
		assert.ErrorIs(t, err, flinksim.ErrInvalidStream)
	})
}

// TestNilFunctionStreamErr: the stream an operator with a nil function
// returns must say so, like every other invalid stream.
func TestNilFunctionStreamErr(t *testing.T) {
	env := flinksim.NewEnvironment()
	src := parallelSlice(env, "src", []int{1})
	assert.ErrorIs(t, flinksim.Map[int, int](src, "m", nil).Err(), flinksim.ErrInvalidOperator)
	assert.ErrorIs(t, flinksim.FlatMap[int, int](src, "f", nil).Err(), flinksim.ErrInvalidOperator)
	assert.ErrorIs(t, flinksim.Filter[int](src, "g", nil).Err(), flinksim.ErrInvalidOperator)
}

// TestErrorsAreDistinct guards against two sentinels being the same value.
func TestErrorsAreDistinct(t *testing.T) {
	all := []error{
		flinksim.ErrEmptyGraph, flinksim.ErrNoSink, flinksim.ErrDuplicateName, flinksim.ErrInvalidParallelism,
		flinksim.ErrForwardParallelism, flinksim.ErrNotEnoughSlots, flinksim.ErrInvalidStream, flinksim.ErrInvalidOperator,
		flinksim.ErrAlreadyExecuted, flinksim.ErrCanceled, flinksim.ErrPanic, flinksim.ErrStateConflict, flinksim.ErrNoKey,
		flinksim.ErrInvalidConfig, flinksim.ErrDecode,
	}
	for i, a := range all {
		assert.Contains(t, a.Error(), "flinksim: ")
		for j, b := range all {
			if i != j {
				assert.False(t, errors.Is(a, b), "%v is %v", a, b)
			}
		}
	}
}
