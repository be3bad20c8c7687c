package flinksim

import (
	"errors"
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/snapshot"
)

// CheckpointingMode is the guarantee checkpoints give, as Flink's.
type CheckpointingMode uint8

// Checkpointing modes.
const (
	// ExactlyOnce aligns barriers: after a restore, every record has
	// affected state exactly once.
	ExactlyOnce = CheckpointingMode(engine.ExactlyOnce)
	// AtLeastOnce does not align: records may affect state twice after a
	// restore, but no input is ever blocked.
	AtLeastOnce = CheckpointingMode(engine.AtLeastOnce)
)

func (m CheckpointingMode) String() string {
	switch m {
	case ExactlyOnce, AtLeastOnce:
		return engine.CheckpointMode(m).String()
	}
	return fmt.Sprintf("CheckpointingMode(%d)", uint8(m))
}

// CheckpointConfig configures checkpointing (Flink's
// CheckpointConfig). The zero value means the defaults documented on each
// field.
type CheckpointConfig struct {
	// Interval between periodic checkpoints. 0 takes none: only manual
	// triggers and the final checkpoint at the end of bounded input.
	Interval time.Duration
	// MinPause is the least time from the end of one checkpoint to the
	// start of the next (default 0).
	MinPause time.Duration
	// Timeout fails a checkpoint that has not completed (default 10 min).
	Timeout time.Duration
	// Mode is ExactlyOnce (the default) or AtLeastOnce.
	Mode CheckpointingMode
	// TolerableFailures is how many checkpoints in a row may fail before
	// the job fails over (default 0, as Flink).
	TolerableFailures int
	// Store keeps checkpoints and savepoints (default: an in-memory store
	// that keeps the latest checkpoint, as Flink's JobManager storage).
	Store *snapshot.Store
	// SavepointDir, if set, is a directory on disk (created if needed)
	// that keeps the savepoints instead of Store, as Flink's
	// state.savepoints.dir: they outlive the job and the process. A
	// savepoint's CheckpointRecord.Ref is then its path,
	// SavepointDir/savepoints/<name>, which WithRestoreFrom takes with
	// nothing else configured.
	SavepointDir string
}

// CheckpointStatus is the outcome of one checkpoint.
type CheckpointStatus uint8

// Checkpoint statuses.
const (
	CheckpointInProgress = CheckpointStatus(engine.CheckpointInProgress)
	CheckpointCompleted  = CheckpointStatus(engine.CheckpointCompleted)
	CheckpointFailed     = CheckpointStatus(engine.CheckpointFailed)
)

func (s CheckpointStatus) String() string {
	switch s {
	case CheckpointInProgress, CheckpointCompleted, CheckpointFailed:
		return engine.CheckpointStatus(s).String()
	}
	return fmt.Sprintf("CheckpointStatus(%d)", uint8(s))
}

// CheckpointRecord is one checkpoint (or savepoint) of the history.
type CheckpointRecord struct {
	ID int64
	// Savepoint is the savepoint's name; empty for a checkpoint.
	Savepoint string
	Status    CheckpointStatus
	// Trigger is when it was triggered; Duration how long it took to
	// complete or fail.
	Trigger  time.Time
	Duration time.Duration
	// Size is the bytes written to the store.
	Size int64
	// Ref is where it is stored, once completed: what WithRestoreFrom
	// (Config.RestoreFrom) takes.
	Ref string
	// Failure is why it failed, if it did.
	Failure string
	// Subtasks holds each acknowledging task's timings.
	Subtasks []SubtaskCheckpointStats
}

// SubtaskCheckpointStats are one task's timings for one checkpoint.
type SubtaskCheckpointStats struct {
	// Task and Subtask name the task (its chain's operator names).
	Task    string
	Subtask int
	// Alignment is the time from the first barrier to the last (exactly
	// once: inputs blocked meanwhile); Sync the time to snapshot the
	// operators; Async the time to write the checkpoint to the store.
	Alignment time.Duration
	Sync      time.Duration
	Async     time.Duration
	// Size is the bytes of the task's state.
	Size int64
}

// CheckpointMetrics are a job's checkpoint counters under Flink's names
// and the last 10 checkpoints.
type CheckpointMetrics struct {
	NumberOfCompletedCheckpoints int64
	NumberOfFailedCheckpoints    int64
	LastCheckpointDuration       time.Duration
	LastCheckpointSize           int64
	// History holds the last 10 checkpoints, oldest first.
	History []CheckpointRecord
}

func checkpointRecordOf(r engine.CheckpointRecord) CheckpointRecord {
	out := CheckpointRecord{ID: r.ID, Savepoint: r.Savepoint, Status: CheckpointStatus(r.Status), Trigger: r.Trigger,
		Duration: r.Duration, Size: r.Size, Ref: r.Ref, Failure: r.Failure}
	if r.Subtasks != nil {
		out.Subtasks = make([]SubtaskCheckpointStats, len(r.Subtasks))
		for i, st := range r.Subtasks {
			out.Subtasks[i] = SubtaskCheckpointStats(st)
		}
	}
	return out
}

func checkpointMetricsOf(m engine.CheckpointMetrics) CheckpointMetrics {
	out := CheckpointMetrics{NumberOfCompletedCheckpoints: m.NumberOfCompletedCheckpoints,
		NumberOfFailedCheckpoints: m.NumberOfFailedCheckpoints, LastCheckpointDuration: m.LastCheckpointDuration,
		LastCheckpointSize: m.LastCheckpointSize}
	for _, r := range m.History {
		out.History = append(out.History, checkpointRecordOf(r))
	}
	return out
}

// Errors of checkpointing and recovery.
var (
	// ErrTooManyCheckpointFailures: more checkpoints failed in a row than
	// TolerableFailures allows; the job fails over.
	ErrTooManyCheckpointFailures = engine.ErrTooManyCheckpointFailures
	// ErrRestore: the state to restore could not be read or mapped onto
	// the job; the job fails without starting from garbage.
	ErrRestore = engine.ErrRestore
	// ErrNonRestoredState: the snapshot has state of operators the job no
	// longer has (see Config.AllowNonRestoredState).
	ErrNonRestoredState = engine.ErrNonRestoredState
	// ErrIncompatibleState: the snapshot cannot be mapped onto the job (a
	// max parallelism that changed, state the codecs do not decode,
	// damaged state). A restore that fails with it is not retried.
	ErrIncompatibleState = engine.ErrIncompatibleState
	// ErrNoCheckpointing: a checkpoint or savepoint was requested from a
	// job without checkpointing.
	ErrNoCheckpointing = errors.New("flinksim: checkpointing is not enabled")
)

// RestartStrategy decides whether and when a failed job restarts from its
// latest checkpoint, as Flink's restart strategies. Make one per
// environment with the constructors below (a strategy keeps the state of
// one job's failures), or implement it.
type RestartStrategy interface {
	// Next returns the delay before restarting after a failure at now, or
	// false when the job must fail.
	Next(now time.Time) (time.Duration, bool)
	// String describes the strategy, for errors and logs.
	String() string
}

// NoRestart fails the job at its first failure (the default without
// checkpointing).
func NoRestart() RestartStrategy { return engine.NoRestart{} }

// FixedDelayRestart restarts at most attempts times, waiting delay before each.
func FixedDelayRestart(attempts int, delay time.Duration) RestartStrategy {
	return &engine.FixedDelay{Attempts: attempts, Delay: delay}
}

// ExponentialDelayRestart restarts without limit, waiting initial, then
// multiplier times longer after each failure, up to max; an hour without
// failure resets the delay. It is the default with checkpointing, with
// Flink's defaults: 1s, 1 min, 1.5.
func ExponentialDelayRestart(initial, max time.Duration, multiplier float64) RestartStrategy {
	return &engine.ExponentialDelay{Initial: initial, Max: max, Multiplier: multiplier, ResetThreshold: time.Hour}
}

// FailureRateRestart restarts after delay unless more than maxFailures
// failures happened within interval.
func FailureRateRestart(maxFailures int, interval, delay time.Duration) RestartStrategy {
	return &engine.FailureRate{MaxFailures: maxFailures, Interval: interval, Delay: delay}
}
