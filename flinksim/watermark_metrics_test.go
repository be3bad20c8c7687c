package flinksim_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
)

// watermarksOf returns the input and output watermark of each subtask of
// operator op.
func watermarksOf(ms []flinksim.OperatorMetrics, op string) (in, out []int64) {
	for _, m := range ms {
		if m.Operator == op {
			in, out = append(in, m.InputWatermark), append(out, m.OutputWatermark)
		}
	}
	return in, out
}

// TestWatermarkMetrics: JobClient.Metrics reports each operator subtask's
// current input and output watermark — MinWatermark before the first,
// the watermark of its inputs while the job runs, MaxWatermark once the
// input ended.
//
// Mutants: the task not storing OutputWatermark in emitWatermark — fails
// this test.
func TestWatermarkMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	env, clock := eventTimeEnv(executor{name: "concurrent"})
	var ps *probeState
	reached := func() bool { return ps.reachedWM(99)() }
	src := flinksim.FromSourceWithWatermarks(env, "src", flinksim.Source[int, stepSplit](&scriptSource{clock: clock, scripts: [][]step{
		{rec(0, 100), waitUntil(reached), blockUntil(func() bool { return false })},
	}}), flinksim.ForMonotonousTimestamps[int](), flinksim.Parallelism(1))
	var out *flinksim.CollectSink[seen]
	out, ps = probe(flinksim.Map(flinksim.Rebalance(src), "map", identity[int], flinksim.Parallelism(2)), 1, -1, []int64{99}, flinksim.Parallelism(1))
	job := startJob(t, env)
	select {
	case <-ctx.Done():
		t.Fatal("the watermark did not reach 99")
	case <-ps.reachedCh(99):
	}
	ms := job.Metrics()
	in, outWM := watermarksOf(ms, "src")
	assert.Equal(t, []int64{minWM}, in, "a source has no input watermark")
	assert.Equal(t, []int64{99}, outWM)
	in, outWM = watermarksOf(ms, "map")
	assert.Equal(t, []int64{99, 99}, in)
	assert.Equal(t, []int64{99, 99}, outWM)
	in, _ = watermarksOf(ms, "probe")
	assert.Equal(t, []int64{99}, in)
	job.Cancel()
	<-job.Done()
	assert.NotEmpty(t, out.Values())
}

// TestWatermarkMetricsAtEnd: once a bounded job ended, every operator's
// watermarks are MaxWatermark, chained to a source or not.
//
// Mutants: a source task not emitting the final watermark to its chain
// (endData's t.ctxs[0].EmitWatermark(MaxWatermark) removed) — fails this
// test.
func TestWatermarkMetricsAtEnd(t *testing.T) {
	forEachExecutor(t, func(t *testing.T, ex executor) {
		env := ex.newEnv(flinksim.WithParallelism(2))
		src := flinksim.AssignTimestampsAndWatermarks(flinksim.FromSlice(env, "src", []int{1, 2, 3}), "ts",
			flinksim.ForMonotonousTimestamps[int]().WithTimestampAssigner(func(v int, _ int64) int64 { return int64(v) }),
			flinksim.Parallelism(1)) // chained to the source

		flinksim.Collect(flinksim.Map(src, "map", identity[int]), "out")
		res, err := env.Execute(t.Context(), t.Name())
		require.NoError(t, err)
		for _, op := range []string{"ts", "map"} {
			in, outWM := watermarksOf(res.Metrics, op)
			for i := range in {
				assert.Equal(t, maxWM, in[i], "%s input", op)
				assert.Equal(t, maxWM, outWM[i], "%s output", op)
			}
		}
	})
}
