package engine

import (
	"context"
	"errors"
	"fmt"
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
		if err == nil || errors.Is(err, ErrCanceled) || ctx.Err() != nil {
			if err == nil && ctx.Err() != nil {
				err = fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
			}
			return err
		}
		now := j.Config.Clock.Now()
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
			return fmt.Errorf("%w: %w", ErrCanceled, err)
		}
		if j.Coord != nil {
			if ref := j.Coord.Latest(); ref != "" {
				if restore, err = j.Store.Open(ref); err != nil {
					return fmt.Errorf("%w: open checkpoint %s: %w", ErrRestore, ref, err)
				}
			}
		}
	}
}
