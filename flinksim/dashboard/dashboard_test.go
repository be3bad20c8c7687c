package dashboard_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/dashboard"
)

// pushedJob starts a job fed by a channel: pushed -> double (a chain) ->
// keyed count -> sink, with checkpoints every interval and a restart on
// failure. Its open holds until release is closed (nil: no hold).
func pushedJob(t *testing.T, interval time.Duration, release <-chan struct{}, faults flinksim.Faults) (*flinksim.JobClient, chan<- int, <-chan struct{}) {
	t.Helper()
	opts := []flinksim.Option{flinksim.WithParallelism(2),
		flinksim.WithCheckpointing(flinksim.CheckpointConfig{Interval: interval, SavepointDir: t.TempDir()}),
		flinksim.WithRestartStrategy(flinksim.FixedDelayRestart(5, time.Millisecond))}
	if faults != nil {
		opts = append(opts, flinksim.WithFaults(faults))
	}
	env := flinksim.NewEnvironment(opts...)
	ch := make(chan int)
	src := flinksim.FromChan(env, "pushed", ch)
	doubled := flinksim.Map(src, "double", func(v int) (int, error) { return 2 * v, nil }, flinksim.Parallelism(1))
	counts := flinksim.Process(flinksim.KeyBy(doubled, func(v int) int { return v % 4 }), "count",
		func(rt *flinksim.KeyedRuntimeContext[int]) (flinksim.KeyedProcessFunction[int, int, int], error) {
			if release != nil && rt.Subtask() == 0 {
				<-release
			}
			n := flinksim.NewValueState[int](rt, "n")
			return flinksim.ProcessFunc[int, int, int](func(ctx *flinksim.KeyedContext[int], v int, out flinksim.Collector[int]) error {
				c, _ := n.Value()
				n.Update(c + 1)
				out.Collect(c + 1)
				return nil
			}), nil
		})
	sunk := make(chan struct{}, 1<<12)
	flinksim.Sink(counts, "sink", func(int) error {
		select {
		case sunk <- struct{}{}:
		default: // nobody counts this many
		}
		return nil
	}, flinksim.Parallelism(1))
	job, err := env.Start(t.Context(), "pushed-job")
	require.NoError(t, err)
	t.Cleanup(func() { job.Cancel(); <-job.Done() })
	return job, ch, sunk
}

// arrived waits until n more records reached the sink, then completes a
// checkpoint: its barrier follows them through every task, so each task's
// counters (updated after each step) count them.
func arrived(t *testing.T, job *flinksim.JobClient, sunk <-chan struct{}, n int) {
	t.Helper()
	for range n {
		<-sunk
	}
	_, err := job.TriggerCheckpoint(t.Context())
	require.NoError(t, err)
}

// serve serves h on a test server closed, with h, at the end of the test.
func serve(t *testing.T, h *dashboard.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); require.NoError(t, h.Close()) })
	return srv.URL
}

func getJSON(t *testing.T, url string) any {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", url, body)
	var v any
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	return v
}

func send(t *testing.T, method, url, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var v map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&v))
	return resp.StatusCode, v
}

// shape asserts that obj has every field of want with the JSON type
// named: number, string, boolean, object, array, or "T|null".
func shape(t *testing.T, where string, obj any, want map[string]string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	require.True(t, ok, "%s: not an object: %v", where, obj)
	for field, typ := range want {
		v, ok := m[field]
		if !assert.True(t, ok, "%s: no field %q (has %v)", where, field, keys(m)) {
			continue
		}
		assert.Contains(t, strings.Split(typ, "|"), jsonType(v), "%s.%s = %v", where, field, v)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func jsonType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case float64:
		return "number"
	case string:
		return "string"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "object"
}

// The field names and types of Flink's documented responses (REST API
// reference, Flink 1.20).
var (
	overviewShape = map[string]string{"taskmanagers": "number", "slots-total": "number", "slots-available": "number",
		"jobs-running": "number", "jobs-finished": "number", "jobs-cancelled": "number", "jobs-failed": "number",
		"flink-version": "string", "flink-commit": "string"}
	jobOverviewShape = map[string]string{"jid": "string", "name": "string", "state": "string", "start-time": "number",
		"end-time": "number", "duration": "number", "last-modification": "number", "tasks": "object"}
	jobShape = map[string]string{"jid": "string", "name": "string", "isStoppable": "boolean", "state": "string",
		"start-time": "number", "end-time": "number", "duration": "number", "maxParallelism": "number", "now": "number",
		"timestamps": "object", "vertices": "array", "status-counts": "object", "plan": "object"}
	vertexShape = map[string]string{"id": "string", "name": "string", "maxParallelism": "number", "parallelism": "number",
		"status": "string", "start-time": "number", "end-time": "number", "duration": "number", "tasks": "object", "metrics": "object"}
	ioShape = map[string]string{"read-bytes": "number", "read-bytes-complete": "boolean", "write-bytes": "number",
		"write-bytes-complete": "boolean", "read-records": "number", "read-records-complete": "boolean",
		"write-records": "number", "write-records-complete": "boolean", "accumulated-backpressured-time": "number",
		"accumulated-idle-time": "number", "accumulated-busy-time": "number"}
	planShape     = map[string]string{"jid": "string", "name": "string", "type": "string", "nodes": "array"}
	planNodeShape = map[string]string{"id": "string", "parallelism": "number", "operator": "string",
		"operator_strategy": "string", "description": "string", "optimizer_properties": "object"}
	planInputShape     = map[string]string{"num": "number", "id": "string", "ship_strategy": "string", "exchange": "string"}
	vertexDetailsShape = map[string]string{"id": "string", "name": "string", "parallelism": "number",
		"maxParallelism": "number", "now": "number", "subtasks": "array"}
	subtaskShape = map[string]string{"subtask": "number", "status": "string", "attempt": "number", "endpoint": "string",
		"start-time": "number", "end-time": "number", "duration": "number", "metrics": "object", "taskmanager-id": "string"}
	checkpointsShape = map[string]string{"counts": "object", "summary": "object", "latest": "object", "history": "array"}
	countsShape      = map[string]string{"restored": "number", "total": "number", "in_progress": "number",
		"completed": "number", "failed": "number"}
	statsShape = map[string]string{"min": "number", "max": "number", "avg": "number", "p50": "number",
		"p90": "number", "p95": "number", "p99": "number", "p999": "number"}
	checkpointShape = map[string]string{"className": "string", "id": "number", "status": "string",
		"is_savepoint": "boolean", "trigger_timestamp": "number", "latest_ack_timestamp": "number",
		"checkpointed_size": "number", "state_size": "number", "end_to_end_duration": "number",
		"alignment_buffered": "number", "processed_data": "number", "persisted_data": "number",
		"num_subtasks": "number", "num_acknowledged_subtasks": "number", "checkpoint_type": "string",
		"tasks": "object", "discarded": "boolean", "savepointFormat": "string|null"}
	checkpointConfigShape = map[string]string{"mode": "string", "interval": "number", "timeout": "number",
		"min_pause": "number", "max_concurrent": "number", "externalization": "object", "state_backend": "string",
		"checkpoint_storage": "string", "unaligned_checkpoints": "boolean", "tolerable_failed_checkpoints": "number",
		"aligned_checkpoint_timeout": "number", "checkpoints_after_tasks_finish": "boolean"}
	exceptionsShape = map[string]string{"root-exception": "string|null", "timestamp": "number|null",
		"all-exceptions": "array", "truncated": "boolean", "exceptionHistory": "object"}
	exceptionEntryShape = map[string]string{"exceptionName": "string", "stacktrace": "string", "timestamp": "number",
		"taskName": "string|null", "location": "string|null", "endpoint": "string|null", "taskManagerId": "string|null",
		"failureLabels": "object", "concurrentExceptions": "array"}
	backpressureShape = map[string]string{"status": "string", "backpressure-level": "string", "end-timestamp": "number",
		"subtasks": "array"}
	subtaskBackpressureShape = map[string]string{"subtask": "number", "attempt-number": "number",
		"backpressure-level": "string", "ratio": "number", "idleRatio": "number", "busyRatio": "number"}
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestRESTShapes: every read endpoint answers with Flink's field names and
// JSON types, ids are 32 hex digits, the graph lists its three tasks with
// their partitioning, and the numbers are the job's.
//
// Mutants this catches (each planted once, each failed this test):
// "read-records" renamed "readRecords"; the vertex id from a counter
// ("0", not 32 hex); the chained edge listed as an input; records in
// taken from the chain's tail instead of its head.
func TestRESTShapes(t *testing.T) {
	job, ch, sunk := pushedJob(t, time.Hour, nil, nil)
	for i := range 10 {
		ch <- i
	}
	base := serve(t, dashboard.ForJobs(job))
	arrived(t, job, sunk, 10)

	shape(t, "/overview", getJSON(t, base+"/overview"), overviewShape)
	jobs := getJSON(t, base+"/jobs/overview").(map[string]any)["jobs"].([]any)
	require.Len(t, jobs, 1)
	shape(t, "/jobs/overview", jobs[0], jobOverviewShape)
	jid := jobs[0].(map[string]any)["jid"].(string)
	assert.Regexp(t, hex32, jid)

	d := getJSON(t, base+"/jobs/"+jid).(map[string]any)
	shape(t, "/jobs/{id}", d, jobShape)
	assert.Equal(t, "RUNNING", d["state"])
	shape(t, "plan", d["plan"], planShape)
	vertices := d["vertices"].([]any)
	require.Len(t, vertices, 3)
	names := map[string]string{}
	for _, v := range vertices {
		shape(t, "vertex", v, vertexShape)
		shape(t, "vertex metrics", v.(map[string]any)["metrics"], ioShape)
		assert.Regexp(t, hex32, v.(map[string]any)["id"])
		names[v.(map[string]any)["name"].(string)] = v.(map[string]any)["id"].(string)
	}
	require.Contains(t, names, "pushed -> double")
	nodes := d["plan"].(map[string]any)["nodes"].([]any)
	require.Len(t, nodes, 3)
	for _, n := range nodes {
		shape(t, "plan node", n, planNodeShape)
	}
	assert.Nil(t, nodes[0].(map[string]any)["inputs"], "the chain has no input")
	in := nodes[1].(map[string]any)["inputs"].([]any)
	require.Len(t, in, 1)
	shape(t, "plan input", in[0], planInputShape)
	assert.Equal(t, "HASH", in[0].(map[string]any)["ship_strategy"])
	assert.Equal(t, names["pushed -> double"], in[0].(map[string]any)["id"])

	vd := getJSON(t, base+"/jobs/"+jid+"/vertices/"+names["pushed -> double"]).(map[string]any)
	shape(t, "vertex details", vd, vertexDetailsShape)
	subs := vd["subtasks"].([]any)
	require.Len(t, subs, 1)
	shape(t, "subtask", subs[0], subtaskShape)
	shape(t, "subtask metrics", subs[0].(map[string]any)["metrics"], ioShape)
	m := subs[0].(map[string]any)["metrics"].(map[string]any)
	assert.EqualValues(t, 0, m["read-records"], "a source reads no records from an input")
	assert.EqualValues(t, 10, m["write-records"], "the chain's tail wrote the ten records")
	counted := getJSON(t, base+"/jobs/"+jid+"/vertices/"+names["count"]).(map[string]any)["subtasks"].([]any)
	require.Len(t, counted, 2)
	var read float64
	for _, s := range counted {
		read += s.(map[string]any)["metrics"].(map[string]any)["read-records"].(float64)
	}
	assert.EqualValues(t, 10, read)

	bp := getJSON(t, base+"/jobs/"+jid+"/vertices/"+names["count"]+"/backpressure")
	shape(t, "backpressure", bp, backpressureShape)
	for _, s := range bp.(map[string]any)["subtasks"].([]any) {
		shape(t, "subtask backpressure", s, subtaskBackpressureShape)
	}
	minWM := map[string]any{"id": "0.currentInputWatermark", "value": "-9223372036854775808"}
	assert.Equal(t, []any{minWM, map[string]any{"id": "1.currentInputWatermark", "value": "-9223372036854775808"}},
		getJSON(t, base+"/jobs/"+jid+"/vertices/"+names["count"]+"/watermarks"), "no watermark yet: Flink's Long.MIN_VALUE")

	cps := getJSON(t, base+"/jobs/"+jid+"/checkpoints").(map[string]any)
	shape(t, "checkpoints", cps, checkpointsShape)
	shape(t, "counts", cps["counts"], countsShape)
	shape(t, "summary.state_size", cps["summary"].(map[string]any)["state_size"], statsShape)
	assert.EqualValues(t, 1, cps["counts"].(map[string]any)["completed"])
	hist := cps["history"].([]any)
	require.Len(t, hist, 1)
	shape(t, "history", hist[0], checkpointShape)
	shape(t, "latest.completed", cps["latest"].(map[string]any)["completed"], checkpointShape)
	shape(t, "checkpoints/config", getJSON(t, base+"/jobs/"+jid+"/checkpoints/config"), checkpointConfigShape)
	assert.Equal(t, "exactly_once", getJSON(t, base+"/jobs/"+jid+"/checkpoints/config").(map[string]any)["mode"])
	shape(t, "exceptions", getJSON(t, base+"/jobs/"+jid+"/exceptions"), exceptionsShape)

	code, errBody := send(t, http.MethodGet, base+"/jobs/"+strings.Repeat("0", 32), "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Contains(t, errBody, "errors", "Flink's error shape")
}

// TestActions: a savepoint triggered over REST completes with its
// location, a failure shows in the exception history, and a stop with
// drain ends the job FINISHED with its savepoint's location; PATCH
// cancels.
//
// Mutants this catches: the trigger's outcome never recorded (status
// stays IN_PROGRESS: the poll times out); drain ignored (the sink's
// input is not ended: FINISHED still, so checked by the savepoint's
// location under the stop's name); the exception history oldest first.
func TestActions(t *testing.T) {
	faults := flinksim.NewFaultInjector(flinksim.Fault{Operator: "double", Subtask: 0, Point: flinksim.FaultRecord, After: 3})
	job, ch, _ := pushedJob(t, time.Hour, nil, faults)
	base := serve(t, dashboard.ForJobs(job))
	h := dashboard.ForJobs(job) // a second handler gives the same job another id
	defer h.Close()
	jid := getJSON(t, base+"/jobs/overview").(map[string]any)["jobs"].([]any)[0].(map[string]any)["jid"].(string)

	restarted := job.Restarted()
	for i := range 4 {
		ch <- i // double fails at its third record
	}
	<-restarted
	ex := getJSON(t, base+"/jobs/"+jid+"/exceptions").(map[string]any)
	entries := ex["exceptionHistory"].(map[string]any)["entries"].([]any)
	require.Len(t, entries, 1)
	shape(t, "exception entry", entries[0], exceptionEntryShape)
	assert.Equal(t, "double (1/1)", entries[0].(map[string]any)["taskName"])
	assert.Contains(t, ex["root-exception"], "injected")

	code, resp := send(t, http.MethodPost, base+"/jobs/"+jid+"/savepoints", `{"target-directory": "sp-1", "cancel-job": false}`)
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	location := awaitTrigger(t, base, jid, resp["request-id"].(string))
	assert.Contains(t, location, "sp-1")
	assert.Equal(t, flinksim.JobRunning, job.Status())

	code, resp = send(t, http.MethodPost, base+"/jobs/"+jid+"/stop", `{"targetDirectory": "final", "drain": true}`)
	require.Equal(t, http.StatusAccepted, code, "%v", resp)
	location = awaitTrigger(t, base, jid, resp["request-id"].(string))
	assert.Contains(t, location, "final")
	<-job.Done()
	assert.Equal(t, flinksim.JobFinished, job.Status())
	assert.Equal(t, "FINISHED", getJSON(t, base+"/jobs/"+jid).(map[string]any)["state"])

	code, _ = send(t, http.MethodGet, base+"/jobs/"+jid+"/savepoints/"+strings.Repeat("a", 32), "")
	assert.Equal(t, http.StatusNotFound, code)
}

// awaitTrigger polls a trigger's status until it completes and returns
// its location; the wait is bounded by the test's deadline.
func awaitTrigger(t *testing.T, base, jid, tid string) string {
	t.Helper()
	require.Regexp(t, hex32, tid)
	deadline := time.After(30 * time.Second)
	for {
		st := getJSON(t, base+"/jobs/"+jid+"/savepoints/"+tid).(map[string]any)
		if st["status"].(map[string]any)["id"] == "COMPLETED" {
			op := st["operation"].(map[string]any)
			require.Contains(t, op, "location", "the operation failed: %v", op)
			return op["location"].(string)
		}
		select {
		case <-deadline:
			t.Fatal("the trigger never completed")
		case <-time.After(5 * time.Millisecond): // the status is polled, as clients do
		}
	}
}

// TestCancel: PATCH /jobs/{id}?mode=cancel cancels the job.
//
// Mutants this catches: the handler answering 202 without cancelling.
func TestCancel(t *testing.T) {
	job, _, _ := pushedJob(t, time.Hour, nil, nil)
	base := serve(t, dashboard.ForJobs(job))
	id, ok := dashboard.ForJobs(job).ID(job)
	require.True(t, ok)
	require.Regexp(t, hex32, id)
	jid := getJSON(t, base+"/jobs/overview").(map[string]any)["jobs"].([]any)[0].(map[string]any)["jid"].(string)
	code, _ := send(t, http.MethodPatch, base+"/jobs/"+jid+"?mode=cancel", "")
	assert.Equal(t, http.StatusAccepted, code)
	<-job.Done()
	assert.True(t, errors.Is(job.Err(), flinksim.ErrCanceled))
}

// scrape parses /metrics with Prometheus's text parser.
func scrape(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(bytes.NewReader(body))
	require.NoError(t, err, "%s", body)
	return fams
}

// value returns the sum of a family's samples whose labels include want.
func value(fams map[string]*dto.MetricFamily, name string, want map[string]string) (float64, int) {
	f := fams[name]
	if f == nil {
		return 0, 0
	}
	var sum float64
	n := 0
outer:
	for _, m := range f.Metric {
		labels := map[string]string{}
		for _, l := range m.Label {
			labels[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if labels[k] != v {
				continue outer
			}
		}
		n++
		if m.Gauge != nil {
			sum += m.Gauge.GetValue()
		}
	}
	return sum, n
}

// TestMetrics: /metrics parses as Prometheus text, has every metric under
// Flink's names with the job, task, subtask and operator labels, and its
// counters move as the job runs.
//
// Mutants this catches: numRecordsIn reported from RecordsOut (the
// source's count is not 0); numberOfCompletedCheckpoints not moving; an
// operator_name label missing.
func TestMetrics(t *testing.T) {
	job, ch, sunk := pushedJob(t, time.Hour, nil, nil)
	base := serve(t, dashboard.ForJobs(job))
	fams := scrape(t, base)
	for _, name := range []string{"numRecordsIn", "numRecordsOut", "numRecordsInPerSecond", "currentInputWatermark", "currentOutputWatermark"} {
		_, n := value(fams, "flink_taskmanager_job_task_operator_"+name, map[string]string{"job_name": "pushed-job"})
		assert.Equal(t, 5, n, "%s: one per operator subtask", name)
	}
	for _, name := range []string{"busyTimeMsPerSecond", "backPressuredTimeMsPerSecond"} {
		_, n := value(fams, "flink_taskmanager_job_task_"+name, nil)
		assert.Equal(t, 4, n, "%s: one per task subtask", name)
	}
	for _, name := range []string{"uptime", "downtime", "fullRestarts", "numberOfCompletedCheckpoints", "numberOfFailedCheckpoints",
		"lastCheckpointDuration", "lastCheckpointSize"} {
		_, n := value(fams, "flink_jobmanager_job_"+name, map[string]string{"job_name": "pushed-job"})
		assert.Equal(t, 1, n, name)
	}
	countIn := map[string]string{"operator_name": "count", "task_name": "count"}
	before, _ := value(fams, "flink_taskmanager_job_task_operator_numRecordsIn", countIn)
	for i := range 20 {
		ch <- i
	}
	arrived(t, job, sunk, 20)
	fams = scrape(t, base)
	after, _ := value(fams, "flink_taskmanager_job_task_operator_numRecordsIn", countIn)
	assert.Equal(t, before+20, after)
	src, _ := value(fams, "flink_taskmanager_job_task_operator_numRecordsIn", map[string]string{"operator_name": "pushed"})
	assert.Zero(t, src, "a source receives no records")
	out, _ := value(fams, "flink_taskmanager_job_task_operator_numRecordsOut", map[string]string{"operator_name": "pushed"})
	assert.EqualValues(t, 20, out)
	cps, _ := value(fams, "flink_jobmanager_job_numberOfCompletedCheckpoints", nil)
	assert.EqualValues(t, 1, cps)
	wm, _ := value(fams, "flink_taskmanager_job_task_operator_currentInputWatermark", map[string]string{"operator_name": "count", "subtask_index": "0"})
	assert.Equal(t, float64(-1<<63), wm, "no watermark yet: Flink's value for none")
}

// TestLoopbackAddr: an address without a host binds to loopback.
//
// Mutants this catches: the host left empty (all interfaces).
func TestLoopbackAddr(t *testing.T) {
	for in, want := range map[string]string{":8081": "127.0.0.1:8081", "0.0.0.0:1": "0.0.0.0:1", "localhost:0": "localhost:0"} {
		assert.Equal(t, want, dashboard.LoopbackAddr(in), fmt.Sprint(in))
	}
}
