package dashboard

import (
	"math"
	"net/http"
	"strconv"

	"github.com/flinksim/go-flinksim/flinksim"
)

// Metric is one entry of Flink's metric lists, as /watermarks returns.
type Metric struct {
	ID    string `json:"id"`
	Value string `json:"value"`
}

// subtaskWatermarks returns the watermarks of subtask sub of task pt, as
// Flink's task metrics: the input watermark of the chain's head and the
// output watermark of its tail, MinWatermark (Long.MIN_VALUE) where no
// metric says otherwise.
func subtaskWatermarks(pt flinksim.PlanTask, sub int, ms []flinksim.OperatorMetrics) (in, out int64) {
	in, out = math.MinInt64, math.MinInt64
	head, tail := pt.Operators[0].Name, pt.Operators[len(pt.Operators)-1].Name
	for _, m := range ms {
		if m.Subtask != sub {
			continue
		}
		if m.Operator == head {
			in = m.InputWatermark
		}
		if m.Operator == tail {
			out = m.OutputWatermark
		}
	}
	return in, out
}

// watermarks serves Flink's /watermarks: a "SUBTASK.currentInputWatermark"
// metric per subtask, its value the watermark in milliseconds as a string.
// A source task has no input, and so, as in Flink, no input watermark:
// its list is empty.
func (h *Handler) watermarks(w http.ResponseWriter, r *http.Request, e *entry) {
	pt, ok := planTask(e.job, r.PathValue("vid"))
	if !ok {
		writeError(w, http.StatusNotFound, "Vertex %s not found in job %s", r.PathValue("vid"), e.id)
		return
	}
	out := []Metric{}
	if len(pt.Inputs) > 0 {
		ms := e.job.Metrics()
		for s := range pt.Parallelism {
			in, _ := subtaskWatermarks(pt, s, ms)
			out = append(out, Metric{ID: strconv.Itoa(s) + ".currentInputWatermark", Value: strconv.FormatInt(in, 10)})
		}
	}
	writeJSON(w, http.StatusOK, out)
}
