package flinksim_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// TestProcessStreamContext: a non-keyed process function sees each
// record's timestamp and the watermark before it, its subtask in the
// runtime context, and emits to its main output and a side output, both
// read downstream with the record's timestamp.
//
// Mutants: ProcessContext.Timestamp returning NoTimestamp;
// processStreamOp.Collect not calling the function (nothing out); each
// fails this test.
func TestProcessStreamContext(t *testing.T) {
	odd := flinksim.NewOutputTag[string]("odd")
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(2)}, func(env *flinksim.Environment) *flinksim.CollectSink[string] {
		src := flinksim.FromSlice(env, "numbers", seq(1, 7), flinksim.Parallelism(1))
		stamped := flinksim.AssignTimestampsAndWatermarks(src, "stamp",
			flinksim.ForMonotonousTimestamps[int]().WithTimestampAssigner(func(v int, _ int64) int64 { return int64(v * 10) }))
		out := flinksim.ProcessStream(stamped, "describe",
			func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[int, string], error) {
				return flinksim.ProcessStreamFunc[int, string](func(ctx *flinksim.ProcessContext, v int, out flinksim.Collector[string]) error {
					wm := ctx.CurrentWatermark()
					if ctx.Timestamp() <= wm {
						return fmt.Errorf("record %d at %d behind the watermark %d", v, ctx.Timestamp(), wm)
					}
					if v%2 == 1 {
						flinksim.Output(ctx, odd, fmt.Sprintf("odd %d", v))
						return nil
					}
					out.Collect(fmt.Sprintf("%d@%d p=%d", v, ctx.Timestamp(), ctx.Runtime().Parallelism()))
					return nil
				}), nil
			}, flinksim.Parallelism(1))
		side := flinksim.SideOutput(out, odd)
		stampOf := flinksim.RichMap(side, "stamp-of", func(*flinksim.RuntimeContext) (flinksim.MapFunction[string, string], error) {
			return flinksim.MapFunc[string, string](func(ctx *flinksim.ProcessContext, s string) (string, error) {
				return fmt.Sprintf("%s@%d", s, ctx.Timestamp()), nil
			}), nil
		}, flinksim.Parallelism(1))
		return flinksim.Collect(flinksim.Union(out, stampOf), "out", flinksim.Parallelism(1))
	}, func(t *testing.T, out *flinksim.CollectSink[string]) {
		assert.ElementsMatch(t, []string{"2@20 p=1", "4@40 p=1", "6@60 p=1", "odd 1@10", "odd 3@30", "odd 5@50"}, out.Values())
	})
}

// timerless has an OnTimer method, which a non-keyed function cannot use.
type timerless struct{}

func (timerless) ProcessElement(*flinksim.ProcessContext, int, flinksim.Collector[int]) error {
	return nil
}

func (timerless) OnTimer(*flinksim.OnTimerContext[int], int64, flinksim.Collector[int]) error {
	return nil
}

// TestProcessStreamRefusesTimers: a non-keyed function with an OnTimer
// method, and an open that returns nil, fail the job as it opens with
// ErrInvalidOperator: Flink allows timers on keyed streams only.
//
// Mutants: checkFunction's OnTimer check removed; its nil check removed
// (a nil function panics at the first record: ErrPanic, not
// ErrInvalidOperator); each fails this test.
func TestProcessStreamRefusesTimers(t *testing.T) {
	for name, fn := range map[string]flinksim.ProcessFunction[int, int]{"on-timer": timerless{}, "nil": nil} {
		t.Run(name, func(t *testing.T) {
			env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
			out := flinksim.ProcessStream(flinksim.FromSlice(env, "in", seq(0, 3)), "process",
				func(*flinksim.RuntimeContext) (flinksim.ProcessFunction[int, int], error) { return fn, nil })
			flinksim.Collect(out, "out")
			_, err := env.Execute(t.Context(), t.Name())
			require.ErrorIs(t, err, flinksim.ErrInvalidOperator)
			assert.NotErrorIs(t, err, flinksim.ErrPanic)
		})
	}
}

// lifecycleRecorder records the rich function calls of every subtask.
type lifecycleRecorder struct {
	mu     sync.Mutex
	opened []int
	closed []int
}

func (r *lifecycleRecorder) open(rt *flinksim.RuntimeContext) func() error {
	r.mu.Lock()
	r.opened = append(r.opened, rt.Subtask())
	r.mu.Unlock()
	return func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.closed = append(r.closed, rt.Subtask())
		return nil
	}
}

type closingMap struct {
	flinksim.MapFunc[int, int]
	close func() error
}

func (c closingMap) Close() error { return c.close() }

type closingFlatMap struct {
	flinksim.FlatMapFunc[int, int]
	close func() error
}

func (c closingFlatMap) Close() error { return c.close() }

type closingFilter struct {
	flinksim.FilterFunc[int]
	close func() error
}

func (c closingFilter) Close() error { return c.close() }

// TestRichTransformations: RichMap, RichFlatMap and RichFilter open once
// per subtask with that subtask's runtime context, compute what Map,
// FlatMap and Filter compute, and close each subtask's function at the
// end.
//
// Mutants: richOperator.Close not calling the function's Close; RichFilter
// keeping what the function rejects; richFlatMapOp.Collect dropping the
// function's error; each fails this test.
func TestRichTransformations(t *testing.T) {
	var rec lifecycleRecorder
	runCollect(t, []flinksim.Option{flinksim.WithParallelism(3)}, func(env *flinksim.Environment) *flinksim.CollectSink[int] {
		rec = lifecycleRecorder{}
		src := parallelSlice(env, "in", seq(0, 30))
		doubled := flinksim.RichMap(src, "double", func(rt *flinksim.RuntimeContext) (flinksim.MapFunction[int, int], error) {
			return closingMap{func(_ *flinksim.ProcessContext, v int) (int, error) { return 2 * v, nil }, rec.open(rt)}, nil
		})
		twice := flinksim.RichFlatMap(doubled, "twice", func(rt *flinksim.RuntimeContext) (flinksim.FlatMapFunction[int, int], error) {
			return closingFlatMap{func(_ *flinksim.ProcessContext, v int, out flinksim.Collector[int]) error {
				out.Collect(v)
				out.Collect(v + 1)
				return nil
			}, rec.open(rt)}, nil
		})
		odd := flinksim.RichFilter(twice, "odd", func(rt *flinksim.RuntimeContext) (flinksim.FilterFunction[int], error) {
			return closingFilter{func(_ *flinksim.ProcessContext, v int) (bool, error) { return v%2 == 1, nil }, rec.open(rt)}, nil
		})
		return flinksim.Collect(odd, "out")
	}, func(t *testing.T, out *flinksim.CollectSink[int]) {
		assert.ElementsMatch(t, mapSlice(seq(0, 30), func(v int) int { return 2*v + 1 }), out.Values())
		assert.ElementsMatch(t, []int{0, 0, 0, 1, 1, 1, 2, 2, 2}, rec.opened)
		assert.ElementsMatch(t, rec.opened, rec.closed)
	})

	errBoom := errors.New("boom")
	env := flinksim.NewEnvironment(flinksim.WithParallelism(1))
	failing := flinksim.RichFlatMap(flinksim.FromSlice(env, "in", seq(0, 3)), "fails",
		func(*flinksim.RuntimeContext) (flinksim.FlatMapFunction[int, int], error) {
			return flinksim.FlatMapFunc[int, int](func(*flinksim.ProcessContext, int, flinksim.Collector[int]) error { return errBoom }), nil
		})
	flinksim.Collect(failing, "out")
	_, err := env.Execute(t.Context(), t.Name())
	require.ErrorIs(t, err, errBoom)
	var oe *flinksim.OperatorError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "fails", oe.Operator)
}
