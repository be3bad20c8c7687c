package engine

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/snapshot"
)

// JobState is the part of a job's status the runner tracks.
type JobState int32

// Runner states.
const (
	StateRunning JobState = iota
	StateRestarting
)

// Job runs a graph attempt after attempt: each failure restores every task
// from the latest completed checkpoint, as the restart strategy allows.
type Job struct {
	Graph   *Graph
	Config  Config
	Exec    Executor
	Coord   *Coordinator // nil: no checkpoints
	Restart RestartStrategy
	Log     *zap.Logger
	Store   *snapshot.Store
	// RestoreFrom is the snapshot the first attempt starts from (nil:
	// empty); AllowNonRestored skips state of operators not in the graph.
	RestoreFrom      *snapshot.Reader
	AllowNonRestored bool

	state    atomic.Int32
	restarts atomic.Int64
	graph    atomic.Pointer[ExecutionGraph]
	mu       sync.Mutex
	upSince  time.Time
	downFrom time.Time
	failures []Failure // the last HistorySize, oldest first
	// restarted is closed at the next restart (nil: nobody waits).
	restarted chan struct{}
}

// Failure is one failure of an attempt of the job, as an entry of Flink's
// exception history.
type Failure struct {
	Time time.Time
	// Operator and Subtask name where it happened, when an operator
	// failed (Operator is empty otherwise, Subtask -1).
	Operator string
	Subtask  int
	Err      error
}

// Failures returns the job's last failures, oldest first; safe from any
// goroutine.
func (j *Job) Failures() []Failure {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.failures)
}

// recordFailure adds err, which failed an attempt at now, to the history.
func (j *Job) recordFailure(now time.Time, err error) {
	f := Failure{Time: now, Subtask: -1, Err: err}
	var oe *OperatorError
	if errors.As(err, &oe) {
		f.Operator, f.Subtask = oe.Operator, oe.Subtask
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.failures = append(j.failures, f)
	if n := len(j.failures); n > HistorySize {
		j.failures = slices.Delete(j.failures, 0, n-HistorySize)
	}
}

// withLastFailure adds the cause of the last failure to err, the error of
// a job cancelled (or timed out) after it failed: a job that loops on
// restarts then says why.
func (j *Job) withLastFailure(err error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(j.failures) == 0 {
		return err
	}
	last := j.failures[len(j.failures)-1]
	return fmt.Errorf("%w (after %d restarts; last failure at %s: %v)", err, j.restarts.Load(), last.Time.Format(time.RFC3339Nano), last.Err)
}

// Restarted returns a channel closed when the job next restarts: once the
// new attempt is the current one.
func (j *Job) Restarted() <-chan struct{} {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.restarted == nil {
		j.restarted = make(chan struct{})
	}
	return j.restarted
}

// OpenSnapshot opens the snapshot ref names: a reference in store, if
// there is one that holds it (inStore), else the snapshot directory at
// that path on disk (a savepoint in a savepoint directory).
func OpenSnapshot(store *snapshot.Store, ref string) (r *snapshot.Reader, inStore bool, err error) {
	if store != nil {
		r, err := store.Open(ref)
		if err == nil || !errors.Is(err, snapshot.ErrNotFound) && !errors.Is(err, snapshot.ErrInvalidName) {
			return r, err == nil, err
		}
		if _, statErr := os.Stat(ref); statErr != nil {
			return nil, false, err
		}
	}
	r, err = snapshot.OpenPath(ref)
	return r, false, err
}

// ErrRestore marks a failure to restore state: it fails the job at once.
var ErrRestore = errors.New("flinksim: cannot restore state")

// Current returns the execution graph of the current attempt.
func (j *Job) Current() *ExecutionGraph { return j.graph.Load() }

// Restarts returns how many times the job restarted (fullRestarts).
func (j *Job) Restarts() int64 { return j.restarts.Load() }

// State returns whether the job runs or waits to restart.
func (j *Job) State() JobState { return JobState(j.state.Load()) }

// Uptime and Downtime are Flink's gauges: how long the current attempt has
// been running, and how long the job has been down since a failure.
func (j *Job) Uptime(now time.Time) time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.upSince.IsZero() {
		return 0
	}
	return now.Sub(j.upSince)
}

// Downtime: see Uptime.
func (j *Job) Downtime(now time.Time) time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.downFrom.IsZero() {
		return 0
	}
	return now.Sub(j.downFrom)
}

// Expand builds the first attempt's execution graph, so a job that
// cannot be deployed fails before it starts.
func (j *Job) Expand() error {
	if j.Config.tracer == nil {
		j.Config.tracer = newTracer(j.Config.Tracer, j.Config.Clock)
	}
	if j.Coord != nil {
		j.Coord.tracer = j.Config.tracer
	}
	if j.RestoreFrom != nil {
		if err := AdoptMaxParallelism(j.Graph, j.RestoreFrom); err != nil {
			return fmt.Errorf("%w from %s: %w", ErrRestore, j.RestoreFrom.Manifest().Ref(), err)
		}
	}
	eg, err := Expand(j.Graph, j.Config)
	if err != nil {
		return err
	}
	j.graph.Store(eg)
	return nil
}

// Run runs attempts until the job finishes, is cancelled, or fails for
// good.
func (j *Job) Run(ctx context.Context) error {
	restore := j.RestoreFrom
	for attempt := 0; ; attempt++ {
		eg := j.graph.Load()
		if attempt > 0 {
			var err error
			if eg, err = Expand(j.Graph, j.Config); err != nil {
				return err
			}
			j.graph.Store(eg)
			j.mu.Lock()
			if j.restarted != nil { // after the Store: a waiter sees the new attempt
				close(j.restarted)
				j.restarted = nil
			}
			j.mu.Unlock()
		}
		if restore != nil {
			id, err := AssignRestore(eg, restore, j.AllowNonRestored)
			if err != nil {
				return fmt.Errorf("%w from %s: %w", ErrRestore, restore.Manifest().Ref(), err)
			}
			if j.Coord != nil {
				j.Coord.ContinueAfter(id)
			}
		}
		j.mu.Lock()
		j.upSince, j.downFrom = j.Config.Clock.Now(), time.Time{}
		j.mu.Unlock()
		j.state.Store(int32(StateRunning))
		j.Config.tracer.job(TraceEvent{Kind: TraceAttempt, Detail: fmt.Sprintf("attempt %d", attempt+1)})
		err := j.Exec.Run(ctx, eg, j.Coord)
		now := j.Config.Clock.Now()
		switch {
		case ctx.Err() != nil:
			// Cancelled: whatever the attempt ended with, the job is
			// canceled; a failure that raced with the cancellation is kept
			// in the history, and the error carries the last cause.
			if err != nil && !errors.Is(err, ErrCanceled) {
				j.recordFailure(now, err)
			}
			if !errors.Is(err, ErrCanceled) {
				err = fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
			}
			return j.withLastFailure(err)
		case err == nil:
			return nil
		case errors.Is(err, ErrCanceled):
			return j.withLastFailure(err)
		case errors.Is(err, ErrIncompatibleState):
			// The attempt's operators could not take their restored state:
			// restarting from the same snapshot would fail the same way.
			j.recordFailure(now, err)
			return fmt.Errorf("%w: %w", ErrRestore, err)
		}
		j.recordFailure(now, err)
		j.mu.Lock()
		j.upSince, j.downFrom = time.Time{}, now
		j.mu.Unlock()
		delay, ok := j.Restart.Next(now)
		if !ok {
			return fmt.Errorf("%w (restart strategy %v gave up after %d restarts)", err, j.Restart, j.restarts.Load())
		}
		j.state.Store(int32(StateRestarting))
		j.restarts.Add(1)
		j.Log.Warn("job failed; restarting", zap.Error(err), zap.Duration("delay", delay), zap.Int64("restarts", j.restarts.Load()))
		if err := j.Exec.Sleep(ctx, delay); err != nil {
			return j.withLastFailure(fmt.Errorf("%w: %w", ErrCanceled, err))
		}
		if j.Coord != nil {
			if ref := j.Coord.Latest(); ref != "" {
				if restore, _, err = OpenSnapshot(j.Store, ref); err != nil {
					return fmt.Errorf("%w: open checkpoint %s: %w", ErrRestore, ref, err)
				}
			}
		}
	}
}
