package flinksim_test

import (
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

var errBoom = errors.New("boom")

// failingJob is a job whose operator "bad" fails at one subtask.
type failingJob struct {
	name string
	// build adds the job to env (parallelism 3) and returns the subtask
	// expected to fail, or -1 if it is only known when the job ran (then
	// failedAt reports it).
	build func(env *flinksim.Environment) (subtask int)
	// failedAt is the subtask that failed, for jobs that record it.
	failedAt func() int
}

// The input is 0..29 from a source of parallelism 3: with chained
// operators record 25 is handled by subtask 2.
const badRecord = 25

func failIf(v int, err error) error {
	if v == badRecord {
		return err
	}
	return nil
}

// subtaskOfKey is the subtask of an operator of parallelism p (and the
// default max parallelism 128) that owns the string key k.
func subtaskOfKey(k string, p int) int {
	return keygroup.OperatorIndex(keygroup.Of([]byte(k), 128), p, 128)
}

// failingJobs returns one job per operator kind whose user function fails
// with err (or panics with it, when panics is set).
func failingJobs(err error, panics bool) []failingJob {
	fail := func(v int) error {
		if v != badRecord {
			return nil
		}
		if panics {
			panic(err)
		}
		return err
	}
	src := func(env *flinksim.Environment) flinksim.Stream[int] {
		return parallelSlice(env, "src", seq(0, 30))
	}
	keyOf := func(v int) string { return "k" + strconv.Itoa(v%7) }
	var processFailedAt atomic.Int32
	jobs := []failingJob{
		{name: "map", build: func(env *flinksim.Environment) int {
			flinksim.Sink(flinksim.Map(src(env), "bad", func(v int) (int, error) { return v, fail(v) }), "out", discardSink[int])
			return 2
		}},
		{name: "flatmap", build: func(env *flinksim.Environment) int {
			flinksim.Sink(flinksim.FlatMap(src(env), "bad", func(v int, out flinksim.Collector[int]) error {
				out.Collect(v)
				return fail(v)
			}), "out", discardSink[int])
			return 2
		}},
		{name: "filter", build: func(env *flinksim.Environment) int {
			flinksim.Sink(flinksim.Filter(src(env), "bad", func(v int) (bool, error) { return true, fail(v) }), "out", discardSink[int])
			return 2
		}},
		{name: "generate", build: func(env *flinksim.Environment) int {
			flinksim.Sink(flinksim.Generate(env, "bad", 30, func(i int64) (int, error) { return int(i), fail(int(i)) }), "out", discardSink[int])
			return 2
		}},
		{name: "sink", build: func(env *flinksim.Environment) int {
			flinksim.Sink(src(env), "bad", fail)
			return 2
		}},
		{name: "sink after shuffle", build: func(env *flinksim.Environment) int {
			// Rebalanced to a sink of parallelism 1: subtask 0 fails.
			flinksim.Sink(flinksim.Rebalance(src(env)), "bad", fail, flinksim.Parallelism(1))
			return 0
		}},
		{name: "keyed process", build: func(env *flinksim.Environment) int {
			processFailedAt.Store(-1)
			p := flinksim.Process(flinksim.KeyBy(src(env), keyOf), "bad",
				func(*flinksim.KeyedRuntimeContext[string]) (flinksim.KeyedProcessFunction[string, int, int], error) {
					return flinksim.ProcessFunc[string, int, int](func(ctx *flinksim.KeyedContext[string], v int, out flinksim.Collector[int]) error {
						if v == badRecord {
							processFailedAt.Store(int32(ctx.Runtime().Subtask()))
						}
						out.Collect(v)
						return fail(v)
					}), nil
				})
			flinksim.Sink(p, "out", discardSink[int])
			return -1
		}, failedAt: func() int { return int(processFailedAt.Load()) }},
		{name: "reduce", build: func(env *flinksim.Environment) int {
			// The reduce function runs from a key's second record on: one
			// producer makes badRecord arrive after the others of its key.
			one := parallelSlice(env, "src", seq(0, 30), flinksim.Parallelism(1))
			r := flinksim.Reduce(flinksim.KeyBy(one, keyOf), "bad", func(a, b int) (int, error) { return a + b, fail(b) })
			flinksim.Sink(r, "out", discardSink[int])
			return subtaskOfKey(keyOf(badRecord), 3)
		}},
	}
	return jobs
}

// checkFailed checks that job failed because operator "bad" failed at
// subtask want, and that exactly one subtask is FAILED.
func checkFailed(t *testing.T, job *flinksim.JobClient, err error, want int) *flinksim.OperatorError {
	t.Helper()
	var oe *flinksim.OperatorError
	require.ErrorAs(t, err, &oe)
	assert.Equal(t, "bad", oe.Operator)
	assert.Equal(t, want, oe.Subtask)
	assert.Contains(t, err.Error(), `"bad"`)
	assert.Equal(t, flinksim.JobFailed, job.Status())
	assert.Equal(t, "FAILED", job.Status().String())
	assert.True(t, job.Status().IsTerminal())
	assert.Equal(t, err, job.Err())
	var failed []flinksim.SubtaskInfo
	for _, s := range job.Subtasks() {
		switch s.Status {
		case flinksim.SubtaskFailed:
			failed = append(failed, s)
		case flinksim.SubtaskFinished, flinksim.SubtaskCanceled:
		default:
			assert.Failf(t, "subtask not ended", "%+v", s)
		}
	}
	if assert.Len(t, failed, 1) {
		assert.Contains(t, strings.Split(failed[0].Task, " -> "), "bad")
		assert.Equal(t, want, failed[0].Subtask)
	}
	return oe
}

func TestUserErrorFailsJob(t *testing.T) {
	for _, fj := range failingJobs(errBoom, false) {
		t.Run(fj.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				defer goleak.VerifyNone(t)
				env := ex.newEnv(flinksim.WithParallelism(3))
				want := fj.build(env)
				job := startJob(t, env)
				err := job.Wait(t.Context())
				require.ErrorIs(t, err, errBoom)
				assert.NotErrorIs(t, err, flinksim.ErrPanic)
				if want < 0 {
					want = fj.failedAt()
				}
				oe := checkFailed(t, job, err, want)
				assert.Nil(t, oe.Stack)
			})
		})
	}
}

func TestPanicFailsJob(t *testing.T) {
	for _, fj := range failingJobs(errBoom, true) {
		t.Run(fj.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				defer goleak.VerifyNone(t)
				env := ex.newEnv(flinksim.WithParallelism(3))
				want := fj.build(env)
				job := startJob(t, env)
				err := job.Wait(t.Context())
				require.ErrorIs(t, err, flinksim.ErrPanic)
				assert.ErrorIs(t, err, errBoom, "a panic with an error wraps it")
				if want < 0 {
					want = fj.failedAt()
				}
				oe := checkFailed(t, job, err, want)
				assert.Contains(t, string(oe.Stack), "goroutine", "a panic carries its stack")
			})
		})
	}
	t.Run("non-error value", func(t *testing.T) {
		forEachExecutor(t, func(t *testing.T, ex executor) {
			env := ex.newEnv(flinksim.WithParallelism(1))
			flinksim.Sink(parallelSlice(env, "src", []int{1}), "bad", func(int) error { panic("a string") })
			_, err := env.Execute(t.Context(), "panic")
			require.ErrorIs(t, err, flinksim.ErrPanic)
			assert.ErrorContains(t, err, "a string")
		})
	})
}

// Execute returns the same failure as Wait.
func TestExecuteReturnsFailure(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		flinksim.Sink(parallelSlice(env, "src", seq(0, 30)), "bad", func(v int) error { return failIf(v, errBoom) })
		res, err := env.Execute(t.Context(), "fail")
		assert.Nil(t, res)
		require.ErrorIs(t, err, errBoom)
		var oe *flinksim.OperatorError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "bad", oe.Operator)
		assert.Equal(t, 1, oe.Subtask) // subtask 1 has [15, 30)
	})
}

// failingWriter fails in Flush or Close.
type failingWriter struct {
	flushErr, closeErr error
}

func (failingWriter) Write(int) error    { return nil }
func (w failingWriter) Flush(bool) error { return w.flushErr }
func (w failingWriter) Close() error     { return w.closeErr }

func TestSinkWriterFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		w    failingWriter
		msg  string
	}{
		{"flush", failingWriter{flushErr: errBoom}, "flush: boom"},
		{"close", failingWriter{closeErr: errBoom}, "close: boom"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				defer goleak.VerifyNone(t)
				env := ex.newEnv(flinksim.WithParallelism(2))
				flinksim.SinkTo(parallelSlice(env, "src", seq(0, 10)), "bad", func(rt *flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
					if rt.Subtask() == 1 {
						return tc.w, nil
					}
					return failingWriter{}, nil
				})
				job := startJob(t, env)
				err := job.Wait(t.Context())
				require.ErrorIs(t, err, errBoom)
				assert.ErrorContains(t, err, tc.msg)
				var oe *flinksim.OperatorError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, "bad", oe.Operator)
				assert.Equal(t, 1, oe.Subtask)
				assert.Equal(t, flinksim.JobFailed, job.Status())
				assert.Equal(t, 1, statusCounts(job)[flinksim.SubtaskFailed])
			})
		})
	}
}

func TestOpenFailures(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(env *flinksim.Environment)
		want  []error
	}{
		{"sink open error", func(env *flinksim.Environment) {
			flinksim.SinkTo(parallelSlice(env, "src", seq(0, 10)), "bad", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
				return nil, errBoom
			})
		}, []error{errBoom}},
		{"sink open returns nil", func(env *flinksim.Environment) {
			flinksim.SinkTo(parallelSlice(env, "src", seq(0, 10)), "bad", func(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
				return nil, nil
			})
		}, []error{flinksim.ErrInvalidOperator}},
		{"process open error", func(env *flinksim.Environment) {
			p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
				func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
					return nil, errBoom
				})
			flinksim.Sink(p, "out", discardSink[int], flinksim.Parallelism(1))
		}, []error{errBoom}},
		{"process open returns nil", func(env *flinksim.Environment) {
			p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
				func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
					return nil, nil
				})
			flinksim.Sink(p, "out", discardSink[int], flinksim.Parallelism(1))
		}, []error{flinksim.ErrInvalidOperator}},
		{"state used in open", func(env *flinksim.Environment) {
			p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
					n := flinksim.NewValueState[int](rt, "n")
					n.Update(1) // no current key
					return flinksim.ProcessFunc[int, int, int](func(*flinksim.KeyedContext[int], int, flinksim.Collector[int]) error { return nil }), nil
				})
			flinksim.Sink(p, "out", discardSink[int], flinksim.Parallelism(1))
		}, []error{flinksim.ErrNoKey}},
		{"state conflict", func(env *flinksim.Environment) {
			p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
					flinksim.NewValueState[int](rt, "s")
					flinksim.NewValueState[string](rt, "s")
					return flinksim.ProcessFunc[int, int, int](func(*flinksim.KeyedContext[int], int, flinksim.Collector[int]) error { return nil }), nil
				})
			flinksim.Sink(p, "out", discardSink[int], flinksim.Parallelism(1))
		}, []error{flinksim.ErrStateConflict}},
		{"state conflict across kinds", func(env *flinksim.Environment) {
			p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
				func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
					flinksim.NewValueState[int](rt, "s")
					flinksim.NewListState[int](rt, "s")
					return flinksim.ProcessFunc[int, int, int](func(*flinksim.KeyedContext[int], int, flinksim.Collector[int]) error { return nil }), nil
				})
			flinksim.Sink(p, "out", discardSink[int], flinksim.Parallelism(1))
		}, []error{flinksim.ErrStateConflict}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			forEachExecutor(t, func(t *testing.T, ex executor) {
				defer goleak.VerifyNone(t)
				env := ex.newEnv(flinksim.WithParallelism(2))
				tc.build(env)
				job := startJob(t, env)
				err := job.Wait(t.Context())
				for _, want := range tc.want {
					require.ErrorIs(t, err, want)
				}
				var oe *flinksim.OperatorError
				require.ErrorAs(t, err, &oe)
				assert.Equal(t, "bad", oe.Operator)
				assert.Contains(t, []int{0, 1}, oe.Subtask)
				assert.Equal(t, flinksim.JobFailed, job.Status())
				assert.Equal(t, 1, statusCounts(job)[flinksim.SubtaskFailed])
			})
		})
	}
}

// TestPanicInOpenNamesOperator: a panic while an operator opens is
// reported against that operator, even when it is chained with others.
func TestPanicInOpenNamesOperator(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				panic(errBoom)
			})
		flinksim.Sink(p, "out", discardSink[int]) // chained: task "bad -> out"
		_, err := env.Execute(t.Context(), "panic")
		require.ErrorIs(t, err, flinksim.ErrPanic)
		var oe *flinksim.OperatorError
		require.ErrorAs(t, err, &oe)
		assert.Equal(t, "bad", oe.Operator)
	})
}

// TestStateConflictWhileProcessing: a conflicting declaration fails the
// operator even when made after open.
func TestStateConflictWhileProcessing(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1))
		p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v % 2 }), "bad",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				return flinksim.ProcessFunc[int, int, int](func(ctx *flinksim.KeyedContext[int], v int, out flinksim.Collector[int]) error {
					flinksim.NewValueState[int](ctx.Runtime(), "s")
					flinksim.NewValueState[string](ctx.Runtime(), "s")
					return nil
				}), nil
			})
		flinksim.Sink(p, "out", discardSink[int])
		_, err := env.Execute(t.Context(), "conflict")
		assert.ErrorIs(t, err, flinksim.ErrStateConflict)
	})
}

// TestStateConflictSameValueType: the state doc promises ErrStateConflict
// for one name registered with "a different kind or type"; a ValueState
// and a ReducingState of one value type are different kinds.
func TestStateConflictSameValueType(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(1))
		p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
			func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				flinksim.NewValueState[int](rt, "s")
				flinksim.NewReducingState(rt, "s", func(a, b int) (int, error) { return a + b, nil })
				return flinksim.ProcessFunc[int, int, int](func(*flinksim.KeyedContext[int], int, flinksim.Collector[int]) error { return nil }), nil
			})
		flinksim.Sink(p, "out", discardSink[int])
		_, err := env.Execute(t.Context(), "conflict")
		assert.ErrorIs(t, err, flinksim.ErrStateConflict)
	})
}

// closeCounter counts the writers a SinkTo opened and closed.
type closeCounter struct {
	mu             sync.Mutex
	opened, closed int
}

func (c *closeCounter) open(*flinksim.RuntimeContext) (flinksim.SinkWriter[int], error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.opened++
	return closeCountingWriter{c}, nil
}

type closeCountingWriter struct{ c *closeCounter }

func (closeCountingWriter) Write(int) error { return nil }

func (w closeCountingWriter) Close() error {
	w.c.mu.Lock()
	defer w.c.mu.Unlock()
	w.c.closed++
	return nil
}

// TestSinkClosedWhenChainFailsToOpen: SinkWriter promises Close "whatever
// the outcome"; a writer opened before another operator of its chain
// failed to open must be closed too.
func TestSinkClosedWhenChainFailsToOpen(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		var cc closeCounter
		env := ex.newEnv(flinksim.WithParallelism(2))
		p := flinksim.Process(flinksim.KeyBy(parallelSlice(env, "src", seq(0, 10)), func(v int) int { return v }), "bad",
			func(*flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
				return nil, errBoom
			})
		flinksim.SinkTo(p, "out", cc.open) // chained after "bad", so opened first
		_, err := env.Execute(t.Context(), "open")
		require.ErrorIs(t, err, errBoom)
		cc.mu.Lock()
		defer cc.mu.Unlock()
		assert.Positive(t, cc.opened)
		assert.Equal(t, cc.opened, cc.closed, "every opened writer is closed")
	})
}

// TestSinkClosedOnFailureAndCancel: writers are closed when the job fails
// or is cancelled, not only when it finishes.
func TestSinkClosedOnFailure(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		var cc closeCounter
		env := ex.newEnv(flinksim.WithParallelism(3))
		src := parallelSlice(env, "src", seq(0, 30))
		flinksim.SinkTo(flinksim.Map(src, "bad", func(v int) (int, error) { return v, failIf(v, errBoom) }), "out", cc.open)
		flinksim.SinkTo(flinksim.Rebalance(src), "other", cc.open, flinksim.Parallelism(2))
		_, err := env.Execute(t.Context(), "fail")
		require.ErrorIs(t, err, errBoom)
		cc.mu.Lock()
		defer cc.mu.Unlock()
		assert.Positive(t, cc.opened)
		assert.Equal(t, cc.opened, cc.closed)
	})
}
