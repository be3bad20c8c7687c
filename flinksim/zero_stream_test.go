package flinksim_test

import (
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestZeroStreamFailsExecute: every builder given a zero Stream (or zero
// KeyedStream) in an otherwise valid job makes Execute fail with
// ErrInvalidStream; none lets the job succeed with the mistaken part
// silently missing.
//
// Mutants tried: addVertex not registering the environment for stray
// errors (every case but the two Unions, which record on the other
// stream's environment, fails); strayError ignoring which goroutine
// builds (TestZeroStreamOtherGoroutine fails); strayError writing into
// the nil map when no environment was registered (a panic, found so).
func TestZeroStreamFailsExecute(t *testing.T) {
	var zero flinksim.Stream[int]
	var zeroKeyed flinksim.KeyedStream[int, int]
	cases := map[string]func(env *flinksim.Environment, valid flinksim.Stream[int]){
		"Map": func(*flinksim.Environment, flinksim.Stream[int]) { flinksim.Map(zero, "m", identity[int]) },
		"FlatMap": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.FlatMap(zero, "m", func(int, flinksim.Collector[int]) error { return nil })
		},
		"Filter": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Filter(zero, "m", func(int) (bool, error) { return true, nil })
		},
		"Map then Collect": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Collect(flinksim.Map(zero, "m", identity[int]), "c2")
		},
		"KeyBy": func(*flinksim.Environment, flinksim.Stream[int]) { flinksim.KeyBy(zero, func(v int) int { return v }) },
		"KeyByCodec": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.KeyByCodec(zero, func(v int) int { return v }, flinksim.CodecFor[int]())
		},
		"KeyBy then Reduce": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Reduce(flinksim.KeyBy(zero, func(v int) int { return v }), "r", func(a, b int) (int, error) { return a + b, nil })
		},
		"Process on zero KeyedStream": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Process(zeroKeyed, "p", func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				return nil, nil
			})
		},
		"Reduce on zero KeyedStream": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Reduce(zeroKeyed, "r", func(a, b int) (int, error) { return a + b, nil })
		},
		"Sink": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Sink(zero, "s", func(int) error { return nil })
		},
		"Print": func(*flinksim.Environment, flinksim.Stream[int]) { flinksim.Print(zero, "s", io.Discard) },
		"SinkTo": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.SinkTo(zero, "s", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
				return flinksim.SinkWriterFunc[int](func(int) error { return nil }), nil
			})
		},
		"Collect": func(*flinksim.Environment, flinksim.Stream[int]) { flinksim.Collect(zero, "c2") },
		"CollectTransactional": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.CollectTransactional(zero, "c2", &flinksim.TransactionalCollector[int]{})
		},
		"FileSink": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.FileSink(zero, "f", t.TempDir(), func(dst []byte, v int) []byte { return dst })
		},
		"Union zero first":  func(_ *flinksim.Environment, valid flinksim.Stream[int]) { flinksim.Union(zero, valid) },
		"Union zero second": func(_ *flinksim.Environment, valid flinksim.Stream[int]) { flinksim.Union(valid, zero) },
		"Rebalance then Collect": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Collect(flinksim.Rebalance(zero), "c2")
		},
		"source on nil Environment then Collect": func(*flinksim.Environment, flinksim.Stream[int]) {
			flinksim.Collect(flinksim.FromSlice(nil, "src2", []int{1}), "c2")
		},
	}
	for name, mistake := range cases {
		t.Run(name, func(t *testing.T) {
			env := flinksim.NewEnvironment(flinksim.WithParallelism(1), flinksim.WithSimulation(1, nil))
			valid := flinksim.FromSlice(env, "src", []int{1, 2, 3})
			out := flinksim.Collect(valid, "c")
			mistake(env, valid)
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, flinksim.ErrInvalidStream)
			assert.Regexp(t, "zero Stream|nil Environment", err.Error())
			assert.LessOrEqual(t, strings.Count(err.Error(), "zero Stream"), 1, "reported once: %v", err)
			assert.Empty(t, out.Values(), "the job did not run")
		})
	}
}

// TestZeroStreamCollectSinkErr: the sink Collect returns for a zero
// Stream says why it will stay empty.
func TestZeroStreamCollectSinkErr(t *testing.T) {
	var zero flinksim.Stream[int]
	env := flinksim.NewEnvironment()
	flinksim.Collect(flinksim.FromSlice(env, "src", []int{1}), "c")
	bad := flinksim.Collect(zero, "c2")
	require.ErrorIs(t, bad.Err(), flinksim.ErrInvalidStream)
	_, err := env.Execute(t.Context(), t.Name())
	require.ErrorIs(t, err, flinksim.ErrInvalidStream)
}

// TestZeroStreamOtherGoroutine: a mistake made while building on one
// goroutine does not fail a job built on another (tests build jobs in
// parallel).
func TestZeroStreamOtherGoroutine(t *testing.T) {
	var zero flinksim.Stream[int]
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	out := flinksim.Collect(flinksim.FromSlice(env, "src", []int{1, 2}), "c")
	done := make(chan struct{})
	go func() {
		defer close(done)
		flinksim.Collect(zero, "stray")
	}()
	<-done
	_, err := env.Execute(t.Context(), t.Name())
	require.NoError(t, err)
	assert.Equal(t, []int{1, 2}, out.Values())
}
