package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
)

// flinkVersion is what /overview reports as Flink's version: the REST API
// shapes served are those of this release.
const flinkVersion = "1.20.0"

func (h *Handler) routes() {
	m := h.mux
	m.HandleFunc("GET /{$}", servePage)
	m.Handle("GET /metrics", h.metrics)
	m.HandleFunc("GET /overview", h.overview)
	m.HandleFunc("GET /jobs/overview", h.jobsOverview)
	m.HandleFunc("GET /jobs/{id}", h.withJob(h.jobDetails))
	m.HandleFunc("PATCH /jobs/{id}", h.withJob(h.cancelJob))
	m.HandleFunc("GET /jobs/{id}/vertices/{vid}", h.withJob(h.vertexDetails))
	m.HandleFunc("GET /jobs/{id}/vertices/{vid}/backpressure", h.withJob(h.backpressure))
	m.HandleFunc("GET /jobs/{id}/vertices/{vid}/watermarks", h.withJob(h.watermarks))
	m.HandleFunc("GET /jobs/{id}/checkpoints", h.withJob(h.checkpoints))
	m.HandleFunc("GET /jobs/{id}/checkpoints/config", h.withJob(h.checkpointConfig))
	m.HandleFunc("GET /jobs/{id}/checkpoints/details/{cid}/subtasks/{vid}", h.withJob(h.checkpointSubtasks))
	m.HandleFunc("GET /jobs/{id}/exceptions", h.withJob(h.exceptions))
	m.HandleFunc("POST /jobs/{id}/savepoints", h.withJob(h.triggerSavepoint))
	m.HandleFunc("POST /jobs/{id}/stop", h.withJob(h.stop))
	m.HandleFunc("GET /jobs/{id}/savepoints/{tid}", h.withJob(h.savepointStatus))
	m.HandleFunc("GET /jobs/{id}/stop/{tid}", h.withJob(h.savepointStatus))
}

// writeJSON writes v with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes Flink's error shape: {"errors": [...]}.
func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, map[string][]string{"errors": {fmt.Sprintf(format, args...)}})
}

func (h *Handler) withJob(fn func(http.ResponseWriter, *http.Request, *entry)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		e := h.lookup(r.PathValue("id"))
		if e == nil {
			writeError(w, http.StatusNotFound, "Job %s not found", r.PathValue("id"))
			return
		}
		fn(w, r, e)
	}
}

func millis(t time.Time) int64 {
	if t.IsZero() {
		return -1
	}
	return t.UnixMilli()
}

// Overview is /overview: the cluster's task managers, slots and jobs.
type Overview struct {
	TaskManagers   int    `json:"taskmanagers"`
	SlotsTotal     int    `json:"slots-total"`
	SlotsAvailable int    `json:"slots-available"`
	JobsRunning    int    `json:"jobs-running"`
	JobsFinished   int    `json:"jobs-finished"`
	JobsCancelled  int    `json:"jobs-cancelled"`
	JobsFailed     int    `json:"jobs-failed"`
	FlinkVersion   string `json:"flink-version"`
	FlinkCommit    string `json:"flink-commit"`
}

func (h *Handler) overview(w http.ResponseWriter, r *http.Request) {
	o := Overview{FlinkVersion: flinkVersion, FlinkCommit: "flinksim"}
	for _, e := range h.entries() {
		tms := map[int]bool{}
		for _, s := range e.job.Subtasks() {
			tms[s.TaskManager] = true
		}
		o.TaskManagers += len(tms)
		slots := 0
		for _, t := range e.job.Plan().Tasks {
			slots = max(slots, t.Parallelism)
		}
		o.SlotsTotal += slots
		switch e.job.Status() {
		case flinksim.JobFinished:
			o.JobsFinished++
		case flinksim.JobCanceled:
			o.JobsCancelled++
		case flinksim.JobFailed:
			o.JobsFailed++
		default:
			o.JobsRunning++
		}
	}
	writeJSON(w, http.StatusOK, o)
}

// TaskCounts counts subtasks by Flink's ExecutionState, lower-case keys
// as /jobs/overview's "tasks".
type TaskCounts map[string]int

// executionStates are Flink's ExecutionState names.
var executionStates = []string{"CREATED", "SCHEDULED", "DEPLOYING", "RUNNING", "FINISHED", "CANCELING", "CANCELED", "FAILED", "RECONCILING", "INITIALIZING"}

func statusCounts(subtasks []flinksim.SubtaskInfo) map[string]int {
	m := make(map[string]int, len(executionStates))
	for _, s := range executionStates {
		m[s] = 0
	}
	for _, s := range subtasks {
		m[s.Status.String()]++
	}
	return m
}

// JobOverview is one job of /jobs/overview.
type JobOverview struct {
	JID              string         `json:"jid"`
	Name             string         `json:"name"`
	State            string         `json:"state"`
	StartTime        int64          `json:"start-time"`
	EndTime          int64          `json:"end-time"`
	Duration         int64          `json:"duration"`
	LastModification int64          `json:"last-modification"`
	Tasks            map[string]int `json:"tasks"`
}

func (e *entry) overview() JobOverview {
	end := e.ended()
	dur := time.Since(e.seen)
	if !end.IsZero() {
		dur = end.Sub(e.seen)
	}
	tasks := map[string]int{}
	subtasks := e.job.Subtasks()
	for s, n := range statusCounts(subtasks) {
		tasks[strings.ToLower(s)] = n
	}
	tasks["total"] = len(subtasks)
	return JobOverview{JID: e.id, Name: e.job.Name(), State: e.job.Status().String(), StartTime: e.seen.UnixMilli(),
		EndTime: millis(end), Duration: dur.Milliseconds(), LastModification: time.Now().UnixMilli(), Tasks: tasks}
}

func (h *Handler) jobsOverview(w http.ResponseWriter, r *http.Request) {
	out := struct {
		Jobs []JobOverview `json:"jobs"`
	}{Jobs: []JobOverview{}}
	for _, e := range h.entries() {
		out.Jobs = append(out.Jobs, e.overview())
	}
	writeJSON(w, http.StatusOK, out)
}

// IOMetrics are a vertex's or subtask's I/O counters, as Flink's
// "metrics" object. flinksim moves records, not bytes: the byte counters
// are 0. The accumulated times are milliseconds of the current attempt.
type IOMetrics struct {
	ReadBytes                    int64 `json:"read-bytes"`
	ReadBytesComplete            bool  `json:"read-bytes-complete"`
	WriteBytes                   int64 `json:"write-bytes"`
	WriteBytesComplete           bool  `json:"write-bytes-complete"`
	ReadRecords                  int64 `json:"read-records"`
	ReadRecordsComplete          bool  `json:"read-records-complete"`
	WriteRecords                 int64 `json:"write-records"`
	WriteRecordsComplete         bool  `json:"write-records-complete"`
	AccumulatedBackpressuredTime int64 `json:"accumulated-backpressured-time"`
	AccumulatedIdleTime          int64 `json:"accumulated-idle-time"`
	AccumulatedBusyTime          int64 `json:"accumulated-busy-time"`
}

// Vertex is one vertex (task) of /jobs/{id}.
type Vertex struct {
	ID             string         `json:"id"`
	Name           string         `json:"name"`
	MaxParallelism int            `json:"maxParallelism"`
	Parallelism    int            `json:"parallelism"`
	Status         string         `json:"status"`
	StartTime      int64          `json:"start-time"`
	EndTime        int64          `json:"end-time"`
	Duration       int64          `json:"duration"`
	Tasks          map[string]int `json:"tasks"`
	Metrics        IOMetrics      `json:"metrics"`
}

// PlanNode is one node of /jobs/{id}'s "plan".
type PlanNode struct {
	ID                  string      `json:"id"`
	Parallelism         int         `json:"parallelism"`
	Operator            string      `json:"operator"`
	OperatorStrategy    string      `json:"operator_strategy"`
	Description         string      `json:"description"`
	Inputs              []PlanInput `json:"inputs,omitempty"`
	OptimizerProperties struct{}    `json:"optimizer_properties"`
	OperatorNames       []string    `json:"operator_names"` // flinksim: the chain's operators, head first
	MaxParallelism      int         `json:"maxParallelism"`
}

// PlanInput is an input edge of a PlanNode.
type PlanInput struct {
	Num          int    `json:"num"`
	ID           string `json:"id"`
	ShipStrategy string `json:"ship_strategy"`
	Exchange     string `json:"exchange"`
}

// JobPlan is /jobs/{id}'s "plan".
type JobPlan struct {
	JID   string     `json:"jid"`
	Name  string     `json:"name"`
	Type  string     `json:"type"`
	Nodes []PlanNode `json:"nodes"`
}

// JobDetails is /jobs/{id}.
type JobDetails struct {
	JID            string           `json:"jid"`
	Name           string           `json:"name"`
	IsStoppable    bool             `json:"isStoppable"`
	State          string           `json:"state"`
	JobType        string           `json:"job-type"`
	StartTime      int64            `json:"start-time"`
	EndTime        int64            `json:"end-time"`
	Duration       int64            `json:"duration"`
	MaxParallelism int              `json:"maxParallelism"`
	Now            int64            `json:"now"`
	Timestamps     map[string]int64 `json:"timestamps"`
	Vertices       []Vertex         `json:"vertices"`
	StatusCounts   map[string]int   `json:"status-counts"`
	Plan           JobPlan          `json:"plan"`
}

// vertexStatus is a vertex's status from its subtasks', as Flink
// aggregates them: a failure first, then work under way, FINISHED once all
// finished.
func vertexStatus(counts map[string]int, total int) string {
	for _, s := range []string{"FAILED", "CANCELING", "CANCELED", "RUNNING", "INITIALIZING", "DEPLOYING"} {
		if counts[s] > 0 {
			return s
		}
	}
	if total > 0 && counts["FINISHED"] == total {
		return "FINISHED"
	}
	return "CREATED"
}

// taskSubtasks returns the subtasks of task, with their indices in all.
func taskSubtasks(all []flinksim.SubtaskInfo, task string) (subs []flinksim.SubtaskInfo, idx []int) {
	for i, s := range all {
		if s.Task == task {
			subs, idx = append(subs, s), append(idx, i)
		}
	}
	return subs, idx
}

// subtaskIO returns the I/O metrics of subtask sub of task pt: records
// read by the chain's head, written by its tail.
func subtaskIO(pt flinksim.PlanTask, s flinksim.SubtaskInfo, ms []flinksim.OperatorMetrics, uptime time.Duration) IOMetrics {
	io := IOMetrics{ReadBytesComplete: true, WriteBytesComplete: true, ReadRecordsComplete: true, WriteRecordsComplete: true,
		AccumulatedBusyTime: s.BusyTime.Milliseconds(), AccumulatedBackpressuredTime: s.BackPressuredTime.Milliseconds()}
	io.AccumulatedIdleTime = max(0, (uptime - s.BusyTime - s.BackPressuredTime).Milliseconds())
	head, tail := pt.Operators[0].Name, pt.Operators[len(pt.Operators)-1].Name
	for _, m := range ms {
		if m.Subtask != s.Subtask {
			continue
		}
		if m.Operator == head {
			io.ReadRecords = m.RecordsIn
		}
		if m.Operator == tail {
			io.WriteRecords = m.RecordsOut
		}
	}
	return io
}

func (h *Handler) jobDetails(w http.ResponseWriter, r *http.Request, e *entry) {
	v := e.view(e.job)
	plan := e.job.Plan()
	end := e.ended()
	now := time.Now()
	status := e.job.Status()
	d := JobDetails{JID: e.id, Name: e.job.Name(), IsStoppable: false, State: status.String(), JobType: "STREAMING",
		StartTime: e.seen.UnixMilli(), EndTime: millis(end), MaxParallelism: e.job.MaxParallelism(), Now: now.UnixMilli(),
		Timestamps: map[string]int64{}, Vertices: []Vertex{}, StatusCounts: statusCounts(v.subtasks),
		Plan: JobPlan{JID: e.id, Name: e.job.Name(), Type: "STREAMING", Nodes: []PlanNode{}}}
	d.Duration = now.Sub(e.seen).Milliseconds()
	if !end.IsZero() {
		d.Duration = end.Sub(e.seen).Milliseconds()
	}
	for _, s := range []string{"INITIALIZING", "CREATED", "RUNNING", "FAILING", "CANCELLING", "CANCELED", "FAILED", "FINISHED", "RESTARTING", "SUSPENDED", "RECONCILING"} {
		d.Timestamps[s] = 0
	}
	d.Timestamps["CREATED"], d.Timestamps["RUNNING"] = e.seen.UnixMilli(), e.seen.UnixMilli()
	if !end.IsZero() {
		d.Timestamps[status.String()] = end.UnixMilli()
	}
	for _, pt := range plan.Tasks {
		subs, _ := taskSubtasks(v.subtasks, pt.Name)
		counts := statusCounts(subs)
		vx := Vertex{ID: vertexID(pt.Name), Name: pt.Name, MaxParallelism: pt.MaxParallelism, Parallelism: pt.Parallelism,
			Status: vertexStatus(counts, len(subs)), StartTime: e.seen.UnixMilli(), EndTime: millis(end), Duration: d.Duration, Tasks: counts,
			Metrics: IOMetrics{ReadBytesComplete: true, WriteBytesComplete: true, ReadRecordsComplete: true, WriteRecordsComplete: true}}
		for _, s := range subs {
			io := subtaskIO(pt, s, v.metrics, v.uptime)
			vx.Metrics.ReadRecords += io.ReadRecords
			vx.Metrics.WriteRecords += io.WriteRecords
			vx.Metrics.AccumulatedBusyTime += io.AccumulatedBusyTime
			vx.Metrics.AccumulatedBackpressuredTime += io.AccumulatedBackpressuredTime
			vx.Metrics.AccumulatedIdleTime += io.AccumulatedIdleTime
		}
		d.Vertices = append(d.Vertices, vx)
		node := PlanNode{ID: vx.ID, Parallelism: pt.Parallelism, Operator: "", OperatorStrategy: "", Description: pt.Name,
			MaxParallelism: pt.MaxParallelism}
		for _, op := range pt.Operators {
			node.OperatorNames = append(node.OperatorNames, op.Name)
		}
		for i, in := range pt.Inputs {
			node.Inputs = append(node.Inputs, PlanInput{Num: i, ID: vertexID(in.From), ShipStrategy: in.Strategy, Exchange: "pipelined_bounded"})
		}
		d.Plan.Nodes = append(d.Plan.Nodes, node)
	}
	writeJSON(w, http.StatusOK, d)
}

// planTask returns the task whose vertex id is vid.
func planTask(job *flinksim.JobClient, vid string) (flinksim.PlanTask, bool) {
	for _, pt := range job.Plan().Tasks {
		if vertexID(pt.Name) == vid {
			return pt, true
		}
	}
	return flinksim.PlanTask{}, false
}

// Subtask is one subtask of /jobs/{id}/vertices/{vid}.
type Subtask struct {
	Subtask        int       `json:"subtask"`
	Status         string    `json:"status"`
	Attempt        int64     `json:"attempt"`
	Endpoint       string    `json:"endpoint"`
	StartTime      int64     `json:"start-time"`
	EndTime        int64     `json:"end-time"`
	Duration       int64     `json:"duration"`
	Metrics        IOMetrics `json:"metrics"`
	TaskManagerID  string    `json:"taskmanager-id"`
	StartTimeAlias int64     `json:"start_time"`
	// BusyTimeMsPerSecond and BackPressuredTimeMsPerSecond are the
	// subtask's rates (flinksim's addition: Flink serves them as metrics).
	BusyTimeMsPerSecond          float64 `json:"busyTimeMsPerSecond"`
	BackPressuredTimeMsPerSecond float64 `json:"backPressuredTimeMsPerSecond"`
	// CurrentInputWatermark is the input watermark of the chain's head
	// and CurrentOutputWatermark the output watermark of its tail, in
	// milliseconds, Long.MIN_VALUE before the first (flinksim's addition:
	// Flink serves them as metrics).
	CurrentInputWatermark  int64 `json:"currentInputWatermark"`
	CurrentOutputWatermark int64 `json:"currentOutputWatermark"`
}

// VertexDetails is /jobs/{id}/vertices/{vid}.
type VertexDetails struct {
	ID             string    `json:"id"`
	Name           string    `json:"name"`
	Parallelism    int       `json:"parallelism"`
	MaxParallelism int       `json:"maxParallelism"`
	Now            int64     `json:"now"`
	Subtasks       []Subtask `json:"subtasks"`
}

// taskManagerID names task manager i as Flink's resource ids do.
func taskManagerID(i int) string { return "taskmanager-" + strconv.Itoa(i) }

func (h *Handler) vertexDetails(w http.ResponseWriter, r *http.Request, e *entry) {
	pt, ok := planTask(e.job, r.PathValue("vid"))
	if !ok {
		writeError(w, http.StatusNotFound, "Vertex %s not found in job %s", r.PathValue("vid"), e.id)
		return
	}
	v := e.view(e.job)
	subs, idx := taskSubtasks(v.subtasks, pt.Name)
	end := e.ended()
	d := VertexDetails{ID: vertexID(pt.Name), Name: pt.Name, Parallelism: pt.Parallelism, MaxParallelism: pt.MaxParallelism,
		Now: time.Now().UnixMilli(), Subtasks: []Subtask{}}
	for k, s := range subs {
		in, out := subtaskWatermarks(pt, s.Subtask, v.metrics)
		d.Subtasks = append(d.Subtasks, Subtask{Subtask: s.Subtask, Status: s.Status.String(), Attempt: v.restarts,
			Endpoint: fmt.Sprintf("localhost:%d", s.TaskManager), StartTime: e.seen.UnixMilli(), EndTime: millis(end),
			Duration: v.uptime.Milliseconds(), Metrics: subtaskIO(pt, s, v.metrics, v.uptime),
			TaskManagerID: taskManagerID(s.TaskManager), StartTimeAlias: e.seen.UnixMilli(),
			BusyTimeMsPerSecond: v.busy[idx[k]], BackPressuredTimeMsPerSecond: v.backpressured[idx[k]],
			CurrentInputWatermark: in, CurrentOutputWatermark: out})
	}
	writeJSON(w, http.StatusOK, d)
}

// SubtaskBackPressure is one subtask of /backpressure.
type SubtaskBackPressure struct {
	Subtask           int     `json:"subtask"`
	AttemptNumber     int64   `json:"attempt-number"`
	BackPressureLevel string  `json:"backpressure-level"`
	Ratio             float64 `json:"ratio"`
	IdleRatio         float64 `json:"idleRatio"`
	BusyRatio         float64 `json:"busyRatio"`
}

// VertexBackPressure is /jobs/{id}/vertices/{vid}/backpressure.
type VertexBackPressure struct {
	Status            string                `json:"status"`
	BackPressureLevel string                `json:"backpressure-level"`
	EndTimestamp      int64                 `json:"end-timestamp"`
	Subtasks          []SubtaskBackPressure `json:"subtasks"`
}

// backPressureLevel is Flink's level of a ratio: ok up to 10%, low up to
// 50%, high above.
func backPressureLevel(ratio float64) string {
	switch {
	case ratio <= 0.10:
		return "ok"
	case ratio <= 0.5:
		return "low"
	}
	return "high"
}

func (h *Handler) backpressure(w http.ResponseWriter, r *http.Request, e *entry) {
	pt, ok := planTask(e.job, r.PathValue("vid"))
	if !ok {
		writeError(w, http.StatusNotFound, "Vertex %s not found in job %s", r.PathValue("vid"), e.id)
		return
	}
	v := e.view(e.job)
	subs, idx := taskSubtasks(v.subtasks, pt.Name)
	out := VertexBackPressure{Status: "ok", EndTimestamp: time.Now().UnixMilli(), Subtasks: []SubtaskBackPressure{}}
	worst := 0.0
	for k, s := range subs {
		bp, busy := v.backpressured[idx[k]]/1000, v.busy[idx[k]]/1000
		worst = max(worst, bp)
		out.Subtasks = append(out.Subtasks, SubtaskBackPressure{Subtask: s.Subtask, AttemptNumber: v.restarts,
			BackPressureLevel: backPressureLevel(bp), Ratio: bp, BusyRatio: busy, IdleRatio: max(0, 1-bp-busy)})
	}
	out.BackPressureLevel = backPressureLevel(worst)
	writeJSON(w, http.StatusOK, out)
}

func (h *Handler) cancelJob(w http.ResponseWriter, r *http.Request, e *entry) {
	if mode := r.URL.Query().Get("mode"); mode != "" && mode != "cancel" {
		writeError(w, http.StatusBadRequest, "mode %q: only cancel is supported", mode)
		return
	}
	e.job.Cancel()
	writeJSON(w, http.StatusAccepted, struct{}{})
}

// TriggerResponse is what POST /savepoints and /stop return.
type TriggerResponse struct {
	RequestID string `json:"request-id"`
}

// savepointName is the name of a savepoint triggered over REST: the last
// element of the target directory given, else one made of the trigger id.
func savepointName(target, fallback string) string {
	if target = strings.TrimRight(target, "/"); target != "" {
		if i := strings.LastIndexAny(target, "/:"); i >= 0 {
			target = target[i+1:]
		}
		if target != "" {
			return target
		}
	}
	return "savepoint-" + fallback[:8]
}

func (h *Handler) triggerSavepoint(w http.ResponseWriter, r *http.Request, e *entry) {
	var body struct {
		TargetDirectory string `json:"target-directory"`
		CancelJob       bool   `json:"cancel-job"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	h.accept(w, e, body.TargetDirectory, func(ctx context.Context, name string) (flinksim.CheckpointRecord, error) {
		rec, err := e.job.TriggerSavepoint(ctx, name)
		if err == nil && body.CancelJob {
			e.job.Cancel()
		}
		return rec, err
	})
}

func (h *Handler) stop(w http.ResponseWriter, r *http.Request, e *entry) {
	var body struct {
		TargetDirectory string `json:"targetDirectory"`
		Drain           bool   `json:"drain"`
	}
	if !decodeBody(w, r, &body) {
		return
	}
	h.accept(w, e, body.TargetDirectory, func(ctx context.Context, name string) (flinksim.CheckpointRecord, error) {
		return e.job.StopWithSavepoint(ctx, name, body.Drain)
	})
}

// accept starts action with the savepoint named for target and answers 202
// with its trigger id, or 503 once the handler closed.
func (h *Handler) accept(w http.ResponseWriter, e *entry, target string, action func(ctx context.Context, name string) (flinksim.CheckpointRecord, error)) {
	name := savepointName(target, newJobID())
	id, ok := h.startAction(e, func(ctx context.Context) (flinksim.CheckpointRecord, error) { return action(ctx, name) })
	if !ok {
		writeError(w, http.StatusServiceUnavailable, "the dashboard is shutting down")
		return
	}
	writeJSON(w, http.StatusAccepted, TriggerResponse{RequestID: id})
}

// decodeBody reads an optional JSON body of at most 64 KiB into v.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(v)
	if err != nil && !errors.Is(err, http.ErrBodyNotAllowed) && err.Error() != "EOF" {
		writeError(w, http.StatusBadRequest, "Request body is not valid JSON: %v", err)
		return false
	}
	return true
}

// AsyncStatus is the status of an asynchronous operation.
type AsyncStatus struct {
	ID string `json:"id"` // IN_PROGRESS or COMPLETED
}

// FailureCause is why an asynchronous operation failed.
type FailureCause struct {
	Class      string `json:"class"`
	StackTrace string `json:"stack-trace"`
}

// SavepointOperation is the outcome of a completed savepoint: its
// location, or why it failed.
type SavepointOperation struct {
	Location     string        `json:"location,omitempty"`
	FailureCause *FailureCause `json:"failure-cause,omitempty"`
}

// SavepointStatus is /jobs/{id}/savepoints/{triggerid}.
type SavepointStatus struct {
	Status    AsyncStatus         `json:"status"`
	Operation *SavepointOperation `json:"operation,omitempty"`
}

func (h *Handler) savepointStatus(w http.ResponseWriter, r *http.Request, e *entry) {
	t, ok := e.triggerStatus(r.PathValue("tid"))
	if !ok {
		writeError(w, http.StatusNotFound, "There is no savepoint operation with triggerId=%s for job %s", r.PathValue("tid"), e.id)
		return
	}
	if !t.done {
		writeJSON(w, http.StatusOK, SavepointStatus{Status: AsyncStatus{ID: "IN_PROGRESS"}})
		return
	}
	op := &SavepointOperation{Location: t.location}
	if t.err != nil {
		op = &SavepointOperation{FailureCause: &FailureCause{Class: fmt.Sprintf("%T", t.err), StackTrace: t.err.Error()}}
	}
	writeJSON(w, http.StatusOK, SavepointStatus{Status: AsyncStatus{ID: "COMPLETED"}, Operation: op})
}

// ExceptionEntry is one entry of the exception history.
type ExceptionEntry struct {
	ExceptionName        string            `json:"exceptionName"`
	Stacktrace           string            `json:"stacktrace"`
	Timestamp            int64             `json:"timestamp"`
	TaskName             *string           `json:"taskName"`
	Location             *string           `json:"location"`
	Endpoint             *string           `json:"endpoint"`
	TaskManagerID        *string           `json:"taskManagerId"`
	FailureLabels        map[string]string `json:"failureLabels"`
	ConcurrentExceptions []ExceptionEntry  `json:"concurrentExceptions"`
}

// ExceptionHistory is the history of /exceptions.
type ExceptionHistory struct {
	Entries   []ExceptionEntry `json:"entries"`
	Truncated bool             `json:"truncated"`
}

// JobExceptions is /jobs/{id}/exceptions.
type JobExceptions struct {
	RootException    *string          `json:"root-exception"`
	Timestamp        *int64           `json:"timestamp"`
	AllExceptions    []struct{}       `json:"all-exceptions"`
	Truncated        bool             `json:"truncated"`
	ExceptionHistory ExceptionHistory `json:"exceptionHistory"`
}

// exceptionName is the error's innermost type, as Flink names an
// exception by its class.
func exceptionName(err error) string {
	var oe *flinksim.OperatorError
	if errors.As(err, &oe) && oe.Err != nil {
		err = oe.Err
	}
	for {
		u := errors.Unwrap(err)
		if u == nil {
			return fmt.Sprintf("%T", err)
		}
		err = u
	}
}

func (h *Handler) exceptions(w http.ResponseWriter, r *http.Request, e *entry) {
	out := JobExceptions{AllExceptions: []struct{}{}, ExceptionHistory: ExceptionHistory{Entries: []ExceptionEntry{}}}
	parallelism := map[string]int{}
	taskOf := map[string]flinksim.PlanTask{}
	for _, pt := range e.job.Plan().Tasks {
		for _, op := range pt.Operators {
			parallelism[op.Name], taskOf[op.Name] = pt.Parallelism, pt
		}
	}
	subtasks := e.job.Subtasks()
	exs := e.job.Exceptions()
	for _, ex := range slices.Backward(exs) {
		trace := ex.Err.Error()
		var oe *flinksim.OperatorError
		if errors.As(ex.Err, &oe) && len(oe.Stack) > 0 {
			trace += "\n" + string(oe.Stack)
		}
		en := ExceptionEntry{ExceptionName: exceptionName(ex.Err), Stacktrace: trace, Timestamp: ex.Time.UnixMilli(),
			FailureLabels: map[string]string{}, ConcurrentExceptions: []ExceptionEntry{}}
		if ex.Operator != "" {
			name := fmt.Sprintf("%s (%d/%d)", ex.Operator, ex.Subtask+1, parallelism[ex.Operator])
			en.TaskName = &name
			for _, s := range subtasks {
				if s.Task == taskOf[ex.Operator].Name && s.Subtask == ex.Subtask {
					loc, tm := fmt.Sprintf("localhost:%d", s.TaskManager), taskManagerID(s.TaskManager)
					en.Location, en.Endpoint, en.TaskManagerID = &loc, &loc, &tm
				}
			}
		}
		out.ExceptionHistory.Entries = append(out.ExceptionHistory.Entries, en)
	}
	if len(exs) > 0 {
		last := exs[len(exs)-1]
		msg, ts := last.Err.Error(), last.Time.UnixMilli()
		out.RootException, out.Timestamp = &msg, &ts
	}
	writeJSON(w, http.StatusOK, out)
}
