package dashboard

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim"
)

// CheckpointCounts are /checkpoints' "counts".
type CheckpointCounts struct {
	Restored   int64 `json:"restored"`
	Total      int64 `json:"total"`
	InProgress int64 `json:"in_progress"`
	Completed  int64 `json:"completed"`
	Failed     int64 `json:"failed"`
}

// Stats are min, max, average and percentiles of one quantity over the
// completed checkpoints of the history.
type Stats struct {
	Min  int64   `json:"min"`
	Max  int64   `json:"max"`
	Avg  int64   `json:"avg"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
}

// CheckpointSummary is /checkpoints' "summary".
type CheckpointSummary struct {
	CheckpointedSize  Stats `json:"checkpointed_size"`
	StateSize         Stats `json:"state_size"`
	EndToEndDuration  Stats `json:"end_to_end_duration"`
	AlignmentBuffered Stats `json:"alignment_buffered"`
	ProcessedData     Stats `json:"processed_data"`
	PersistedData     Stats `json:"persisted_data"`
}

// TaskCheckpoint is one vertex's part of a checkpoint.
type TaskCheckpoint struct {
	ID                      int64  `json:"id"`
	Status                  string `json:"status"`
	LatestAckTimestamp      int64  `json:"latest_ack_timestamp"`
	CheckpointedSize        int64  `json:"checkpointed_size"`
	StateSize               int64  `json:"state_size"`
	EndToEndDuration        int64  `json:"end_to_end_duration"`
	AlignmentBuffered       int64  `json:"alignment_buffered"`
	ProcessedData           int64  `json:"processed_data"`
	PersistedData           int64  `json:"persisted_data"`
	NumSubtasks             int    `json:"num_subtasks"`
	NumAcknowledgedSubtasks int    `json:"num_acknowledged_subtasks"`
}

// Checkpoint is one checkpoint of /checkpoints' history and latest.
type Checkpoint struct {
	ClassName               string                    `json:"className"`
	ID                      int64                     `json:"id"`
	Status                  string                    `json:"status"`
	IsSavepoint             bool                      `json:"is_savepoint"`
	SavepointFormat         *string                   `json:"savepointFormat"`
	TriggerTimestamp        int64                     `json:"trigger_timestamp"`
	LatestAckTimestamp      int64                     `json:"latest_ack_timestamp"`
	CheckpointedSize        int64                     `json:"checkpointed_size"`
	StateSize               int64                     `json:"state_size"`
	EndToEndDuration        int64                     `json:"end_to_end_duration"`
	AlignmentBuffered       int64                     `json:"alignment_buffered"`
	ProcessedData           int64                     `json:"processed_data"`
	PersistedData           int64                     `json:"persisted_data"`
	NumSubtasks             int                       `json:"num_subtasks"`
	NumAcknowledgedSubtasks int                       `json:"num_acknowledged_subtasks"`
	CheckpointType          string                    `json:"checkpoint_type"`
	Tasks                   map[string]TaskCheckpoint `json:"tasks"`
	ExternalPath            string                    `json:"external_path,omitempty"`
	Discarded               bool                      `json:"discarded"`
	FailureTimestamp        int64                     `json:"failure_timestamp,omitempty"`
	FailureMessage          string                    `json:"failure_message,omitempty"`
	// AlignmentDuration is the longest alignment of its subtasks, in
	// milliseconds (flinksim's addition: Flink shows it per subtask).
	AlignmentDuration int64 `json:"alignment_duration"`
}

// LatestCheckpoints is /checkpoints' "latest".
type LatestCheckpoints struct {
	Completed *Checkpoint `json:"completed"`
	Savepoint *Checkpoint `json:"savepoint"`
	Failed    *Checkpoint `json:"failed"`
	Restored  *struct{}   `json:"restored"`
}

// CheckpointingStatistics is /jobs/{id}/checkpoints.
type CheckpointingStatistics struct {
	Counts  CheckpointCounts  `json:"counts"`
	Summary CheckpointSummary `json:"summary"`
	Latest  LatestCheckpoints `json:"latest"`
	History []Checkpoint      `json:"history"`
}

func checkpointOf(rec flinksim.CheckpointRecord, numSubtasks int) Checkpoint {
	c := Checkpoint{ID: rec.ID, IsSavepoint: rec.Savepoint != "", TriggerTimestamp: rec.Trigger.UnixMilli(),
		LatestAckTimestamp: rec.Trigger.Add(rec.Duration).UnixMilli(), CheckpointedSize: rec.Size, StateSize: rec.Size,
		EndToEndDuration: rec.Duration.Milliseconds(), NumSubtasks: numSubtasks, NumAcknowledgedSubtasks: len(rec.Subtasks),
		CheckpointType: "CHECKPOINT", Tasks: map[string]TaskCheckpoint{}, ExternalPath: rec.Ref}
	if c.IsSavepoint {
		c.CheckpointType = "SAVEPOINT"
		f := "CANONICAL"
		c.SavepointFormat = &f
	}
	switch rec.Status {
	case flinksim.CheckpointCompleted:
		c.ClassName, c.Status = "completed", "COMPLETED"
	case flinksim.CheckpointFailed:
		c.ClassName, c.Status = "failed", "FAILED"
		c.FailureTimestamp, c.FailureMessage = c.LatestAckTimestamp, rec.Failure
	default:
		c.ClassName, c.Status = "in_progress", "IN_PROGRESS"
	}
	for _, s := range rec.Subtasks {
		vid := vertexID(s.Task)
		t := c.Tasks[vid]
		t.ID, t.Status = rec.ID, c.Status
		t.NumAcknowledgedSubtasks++
		t.StateSize += s.Size
		t.CheckpointedSize += s.Size
		t.LatestAckTimestamp = c.LatestAckTimestamp
		t.EndToEndDuration = c.EndToEndDuration
		c.Tasks[vid] = t
		c.AlignmentDuration = max(c.AlignmentDuration, s.Alignment.Milliseconds())
	}
	return c
}

// stats summarizes xs (not empty).
func stats(xs []int64) Stats {
	if len(xs) == 0 {
		return Stats{}
	}
	s := slices.Sorted(slices.Values(xs))
	var sum int64
	for _, x := range s {
		sum += x
	}
	pct := func(p float64) float64 { return float64(s[min(len(s)-1, int(p*float64(len(s))))]) }
	return Stats{Min: s[0], Max: s[len(s)-1], Avg: sum / int64(len(s)), P50: pct(.5), P90: pct(.9), P95: pct(.95), P99: pct(.99), P999: pct(.999)}
}

func (h *Handler) checkpoints(w http.ResponseWriter, r *http.Request, e *entry) {
	m := e.job.Checkpoints()
	n := len(e.job.Subtasks())
	out := CheckpointingStatistics{History: []Checkpoint{}}
	out.Counts.Completed, out.Counts.Failed, out.Counts.Restored = m.NumberOfCompletedCheckpoints, m.NumberOfFailedCheckpoints, e.job.Restarts()
	var sizes, durations []int64
	for _, rec := range slices.Backward(m.History) {
		c := checkpointOf(rec, n)
		out.History = append(out.History, c)
		switch rec.Status {
		case flinksim.CheckpointInProgress:
			out.Counts.InProgress++
		case flinksim.CheckpointCompleted:
			sizes, durations = append(sizes, rec.Size), append(durations, c.EndToEndDuration)
			if c.IsSavepoint && out.Latest.Savepoint == nil {
				out.Latest.Savepoint = &c
			} else if !c.IsSavepoint && out.Latest.Completed == nil {
				out.Latest.Completed = &c
			}
		case flinksim.CheckpointFailed:
			if out.Latest.Failed == nil {
				out.Latest.Failed = &c
			}
		}
	}
	out.Counts.Total = out.Counts.Completed + out.Counts.Failed + out.Counts.InProgress
	out.Summary.CheckpointedSize, out.Summary.StateSize = stats(sizes), stats(sizes)
	out.Summary.EndToEndDuration = stats(durations)
	writeJSON(w, http.StatusOK, out)
}

// Externalization is /checkpoints/config's "externalization".
type Externalization struct {
	Enabled              bool `json:"enabled"`
	DeleteOnCancellation bool `json:"delete_on_cancellation"`
}

// CheckpointConfig is /jobs/{id}/checkpoints/config.
type CheckpointConfig struct {
	Mode                       string          `json:"mode"`
	Interval                   int64           `json:"interval"`
	Timeout                    int64           `json:"timeout"`
	MinPause                   int64           `json:"min_pause"`
	MaxConcurrent              int             `json:"max_concurrent"`
	Externalization            Externalization `json:"externalization"`
	StateBackend               string          `json:"state_backend"`
	CheckpointStorage          string          `json:"checkpoint_storage"`
	UnalignedCheckpoints       bool            `json:"unaligned_checkpoints"`
	TolerableFailedCheckpoints int             `json:"tolerable_failed_checkpoints"`
	AlignedCheckpointTimeout   int64           `json:"aligned_checkpoint_timeout"`
	CheckpointsAfterTasksEnd   bool            `json:"checkpoints_after_tasks_finish"`
	StateChangelogEnabled      bool            `json:"state_changelog_enabled"`
}

func (h *Handler) checkpointConfig(w http.ResponseWriter, r *http.Request, e *entry) {
	cfg, ok := e.job.CheckpointConfig()
	if !ok {
		writeError(w, http.StatusNotFound, "Checkpointing is not enabled for this job (%s).", e.id)
		return
	}
	mode := strings.ToLower(strings.ReplaceAll(cfg.Mode.String(), "-", "_"))
	storage := "JobManagerCheckpointStorage"
	if cfg.Store != nil {
		storage = "FileSystemCheckpointStorage"
	}
	writeJSON(w, http.StatusOK, CheckpointConfig{Mode: mode, Interval: cfg.Interval.Milliseconds(), Timeout: cfg.Timeout.Milliseconds(),
		MinPause: cfg.MinPause.Milliseconds(), MaxConcurrent: 1, Externalization: Externalization{Enabled: true},
		StateBackend: "HashMapStateBackend", CheckpointStorage: storage, TolerableFailedCheckpoints: cfg.TolerableFailures,
		CheckpointsAfterTasksEnd: true})
}

// SubtaskCheckpoint is one subtask of a checkpoint's details.
type SubtaskCheckpoint struct {
	Index            int    `json:"index"`
	Status           string `json:"status"`
	AckTimestamp     int64  `json:"ack_timestamp"`
	EndToEndDuration int64  `json:"end_to_end_duration"`
	StateSize        int64  `json:"state_size"`
	CheckpointedSize int64  `json:"checkpointed_size"`
	Checkpoint       struct {
		Sync  int64 `json:"sync"`
		Async int64 `json:"async"`
	} `json:"checkpoint"`
	Alignment struct {
		Buffered  int64 `json:"buffered"`
		Processed int64 `json:"processed"`
		Persisted int64 `json:"persisted"`
		Duration  int64 `json:"duration"`
	} `json:"alignment"`
	StartDelay          int64 `json:"start_delay"`
	UnalignedCheckpoint bool  `json:"unaligned_checkpoint"`
	Aborted             bool  `json:"aborted"`
}

// TaskCheckpointDetails is
// /jobs/{id}/checkpoints/details/{checkpointid}/subtasks/{vid}.
type TaskCheckpointDetails struct {
	TaskCheckpoint
	Subtasks []SubtaskCheckpoint `json:"subtasks"`
}

func (h *Handler) checkpointSubtasks(w http.ResponseWriter, r *http.Request, e *entry) {
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "checkpoint id %q: %v", r.PathValue("cid"), err)
		return
	}
	pt, ok := planTask(e.job, r.PathValue("vid"))
	if !ok {
		writeError(w, http.StatusNotFound, "Vertex %s not found in job %s", r.PathValue("vid"), e.id)
		return
	}
	for _, rec := range e.job.Checkpoints().History {
		if rec.ID != cid {
			continue
		}
		c := checkpointOf(rec, len(e.job.Subtasks()))
		out := TaskCheckpointDetails{TaskCheckpoint: c.Tasks[vertexID(pt.Name)], Subtasks: []SubtaskCheckpoint{}}
		out.ID, out.Status, out.NumSubtasks = rec.ID, c.Status, pt.Parallelism
		for _, s := range rec.Subtasks {
			if s.Task != pt.Name {
				continue
			}
			sc := SubtaskCheckpoint{Index: s.Subtask, Status: "completed", AckTimestamp: c.LatestAckTimestamp,
				EndToEndDuration: c.EndToEndDuration, StateSize: s.Size, CheckpointedSize: s.Size}
			sc.Checkpoint.Sync, sc.Checkpoint.Async = s.Sync.Milliseconds(), s.Async.Milliseconds()
			sc.Alignment.Duration = s.Alignment.Milliseconds()
			out.Subtasks = append(out.Subtasks, sc)
		}
		writeJSON(w, http.StatusOK, out)
		return
	}
	writeError(w, http.StatusNotFound, "Could not find checkpointing statistics for checkpoint %d.", cid)
}
