package dashboard_test

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
	"github.com/flinksim/go-flinksim/flinksim/internal/browsertest"
)

// punctuated emits, after each record, the watermark ts - 1.
type punctuated struct{}

func (punctuated) OnEvent(_ int, ts int64, out flinksim.WatermarkOutput) { out.EmitWatermark(ts - 1) }
func (punctuated) OnPeriodicEmit(flinksim.WatermarkOutput)               {}

// eventTimeJob starts pushed -> ts (timestamps = values, a punctuated
// watermark after each record; one task) -> keyed count -> shift
// -> after (one task; shift gives the records timestamps 1000 later, and
// watermarks from them) -> rebalance -> sink.
func eventTimeJob(t *testing.T) (*flinksim.JobClient, chan<- int, <-chan struct{}) {
	t.Helper()
	env := flinksim.NewEnvironment(flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: time.Hour, SavepointDir: t.TempDir()}))
	ch := make(chan int)
	strategy := flinksim.ForGenerator(func() flinksim.WatermarkGenerator[int] { return punctuated{} }).
		WithTimestampAssigner(func(v int, _ int64) int64 { return int64(v) })
	src := flinksim.AssignTimestampsAndWatermarks(flinksim.FromChan(env, "pushed", ch, flinksim.Parallelism(1)), "ts", strategy,
		flinksim.Parallelism(1))
	counts := flinksim.Process(flinksim.KeyBy(src, func(v int) int { return v % 4 }), "count",
		func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
			return flinksim.ProcessFunc[int, int, int](func(_ *flinksim.KeyedContext[int], v int, out flinksim.Collector[int]) error {
				out.Collect(v)
				return nil
			}), nil
		}, flinksim.Parallelism(1))
	shifted := flinksim.AssignTimestampsAndWatermarks(counts, "shift",
		flinksim.ForGenerator(func() flinksim.WatermarkGenerator[int] { return punctuated{} }).
			WithTimestampAssigner(func(v int, _ int64) int64 { return int64(v) + 1000 }), flinksim.Parallelism(1))
	sunk := make(chan struct{}, 16)
	after := flinksim.Map(shifted, "after", func(v int) (int, error) { return v, nil }, flinksim.Parallelism(1))
	flinksim.Sink(flinksim.Rebalance(after), "sink", func(int) error { sunk <- struct{}{}; return nil }, flinksim.Parallelism(1))
	job, err := env.Start(t.Context(), "event-time-job")
	require.NoError(t, err)
	t.Cleanup(func() { job.Cancel(); <-job.Done() })
	return job, ch, sunk
}

// vertexIDs returns the id of each vertex of job jid by name.
func vertexIDs(t *testing.T, base, jid string) map[string]string {
	t.Helper()
	ids := map[string]string{}
	for _, v := range getJSON(t, base+"/jobs/"+jid).(map[string]any)["vertices"].([]any) {
		ids[v.(map[string]any)["name"].(string)] = v.(map[string]any)["id"].(string)
	}
	return ids
}

// wmList is Flink's /watermarks body for values, one per subtask.
func wmList(values ...int64) []any {
	out := []any{}
	for i, v := range values {
		out = append(out, map[string]any{"id": strconv.Itoa(i) + ".currentInputWatermark", "value": strconv.FormatInt(v, 10)})
	}
	return out
}

// TestWatermarks: with a watermark of 99 into count and 1099 out of
// shift, /watermarks
// lists each subtask's input watermark as Flink does (none for the source
// task, which has no input), the subtasks of /vertices/{vid} carry their
// head's input and tail's output watermark, and /metrics reports every
// operator's currentInputWatermark and currentOutputWatermark; once the
// input ended, all are Long.MAX_VALUE.
//
// Mutants: /watermarks reporting the output watermark (count's shows
// 1099); subtaskWatermarks taking the output from the head (the source
// task's output is pushed's, Min, not ts's 99) or the input from the
// tail (after's, 1099, not count's 99); the Prometheus input and output
// gauges swapped (ts: input Min, output 99); the source task listed in
// /watermarks (a list where Flink has none) — each fails this test.
func TestWatermarks(t *testing.T) {
	job, ch, sunk := eventTimeJob(t)
	h := dashboard.ForJobs(job)
	base := serve(t, h)
	jid, ok := h.ID(job)
	require.True(t, ok)
	ids := vertexIDs(t, base, jid)
	require.Contains(t, ids, "pushed -> ts")
	require.Contains(t, ids, "count -> shift -> after")

	ch <- 100
	arrived(t, job, sunk, 1) // the checkpoint's barrier follows the watermark through every task

	assert.Equal(t, []any{}, getJSON(t, base+"/jobs/"+jid+"/vertices/"+ids["pushed -> ts"]+"/watermarks"), "a source task has no input watermark")
	assert.Equal(t, wmList(99), getJSON(t, base+"/jobs/"+jid+"/vertices/"+ids["count -> shift -> after"]+"/watermarks"))
	assert.Equal(t, wmList(1099), getJSON(t, base+"/jobs/"+jid+"/vertices/"+ids["sink"]+"/watermarks"))

	sub := func(vertex string) map[string]any {
		subs := getJSON(t, base+"/jobs/"+jid+"/vertices/"+ids[vertex]).(map[string]any)["subtasks"].([]any)
		require.NotEmpty(t, subs)
		return subs[0].(map[string]any)
	}
	s := sub("pushed -> ts")
	assert.Equal(t, float64(math.MinInt64), s["currentInputWatermark"], "a source's input")
	assert.Equal(t, float64(99), s["currentOutputWatermark"], "the chain's tail, ts")
	s = sub("count -> shift -> after")
	assert.Equal(t, float64(99), s["currentInputWatermark"], "the chain's head, count")
	assert.Equal(t, float64(1099), s["currentOutputWatermark"], "the chain's tail, after")

	fams := scrape(t, base)
	for _, c := range []struct {
		metric, op string
		want       int64
	}{
		{"currentInputWatermark", "pushed", math.MinInt64},
		{"currentOutputWatermark", "pushed", math.MinInt64},
		{"currentInputWatermark", "ts", math.MinInt64}, // pushed emits none
		{"currentOutputWatermark", "ts", 99},
		{"currentInputWatermark", "count", 99},
		{"currentOutputWatermark", "count", 99},
		{"currentInputWatermark", "shift", 99},
		{"currentOutputWatermark", "shift", 1099},
		{"currentInputWatermark", "sink", 1099},
	} {
		got, n := value(fams, "flink_taskmanager_job_task_operator_"+c.metric, map[string]string{"operator_name": c.op, "subtask_index": "0"})
		assert.Equal(t, 1, n, "%s of %s", c.metric, c.op)
		assert.Equal(t, float64(c.want), got, "%s of %s", c.metric, c.op)
	}

	close(ch)
	<-job.Done()
	require.NoError(t, job.Err())
	assert.Equal(t, wmList(math.MaxInt64), getJSON(t, base+"/jobs/"+jid+"/vertices/"+ids["count -> shift -> after"]+"/watermarks"), "the end of input")
	got, _ := value(scrape(t, base), "flink_taskmanager_job_task_operator_currentOutputWatermark", map[string]string{"operator_name": "shift", "subtask_index": "0"})
	assert.Equal(t, float64(math.MaxInt64), got)
}

// TestWatermarksInBrowser: the page shows each subtask's input and output
// watermark, "none" before the first and for a source's input.
//
// Mutants: the page's watermark() showing Long.MIN_VALUE as a number;
// the output column reading currentInputWatermark — each fails this test.
func TestWatermarksInBrowser(t *testing.T) {
	job, ch, sunk := eventTimeJob(t)
	h := dashboard.ForJobs(job)
	base := serve(t, h)
	b := browsertest.Open(t, 1400, 900, func(u string) bool { return strings.HasPrefix(u, base+"/") })
	require.NoError(t, chromedp.Do(b.Ctx, chromedp.Navigate(base+"/")))
	cell := func(task string, col int) string {
		return `document.querySelector('tr[data-task="` + task + `"][data-subtask="0"]')?.children[` + strconv.Itoa(col) + `]?.textContent`
	}
	waitFor(t, b.Ctx, cell("count -> shift -> after", 8)+` === "none" && `+cell("count -> shift -> after", 9)+` === "none"`, "no watermark yet")
	ch <- 100
	arrived(t, job, sunk, 1)
	waitFor(t, b.Ctx, cell("count -> shift -> after", 8)+` === "99" && `+cell("count -> shift -> after", 9)+` === "1099"`, "count (0) shows watermarks 99 in, 1099 out")
	waitFor(t, b.Ctx, cell("pushed -> ts", 8)+` === "none" && `+cell("pushed -> ts", 9)+` === "99"`, "the source shows no input watermark")
	assert.Empty(t, b.Problems())
	assert.Empty(t, b.Requests(), "the page loaded something from elsewhere")
}
