package flinksim

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// JobStatus is the status of a job, as Flink's JobStatus.
type JobStatus int32

// Job statuses. A job goes CREATED → RUNNING → FINISHED, FAILED or
// CANCELED (through CANCELLING when cancelled).
const (
	JobCreated JobStatus = iota
	JobRunning
	JobCancelling
	JobFinished
	JobFailed
	JobCanceled
)

func (s JobStatus) String() string {
	switch s {
	case JobCreated:
		return "CREATED"
	case JobRunning:
		return "RUNNING"
	case JobCancelling:
		return "CANCELLING"
	case JobFinished:
		return "FINISHED"
	case JobFailed:
		return "FAILED"
	case JobCanceled:
		return "CANCELED"
	}
	return fmt.Sprintf("JobStatus(%d)", int32(s))
}

// IsTerminal reports whether the job has ended.
func (s JobStatus) IsTerminal() bool { return s >= JobFinished }

// SubtaskStatus is a subtask's execution state, as Flink's ExecutionState:
// DEPLOYING → INITIALIZING → RUNNING → FINISHED (or CANCELED, FAILED).
type SubtaskStatus = engine.TaskStatus

// Subtask statuses.
const (
	SubtaskDeploying    = engine.TaskDeploying
	SubtaskInitializing = engine.TaskInitializing
	SubtaskRunning      = engine.TaskRunning
	SubtaskFinished     = engine.TaskFinished
	SubtaskCanceled     = engine.TaskCanceled
	SubtaskFailed       = engine.TaskFailed
)

// SubtaskInfo describes one task: a subtask of a chain of operators.
type SubtaskInfo struct {
	// Task is the chain's operator names joined by " -> ".
	Task    string
	Subtask int
	Status  SubtaskStatus
	// TaskManager and Slot say where the task runs.
	TaskManager int
	Slot        int
}

// OperatorMetrics are the record counters of one operator subtask, under
// Flink's names numRecordsIn and numRecordsOut.
type OperatorMetrics struct {
	Operator   string
	Subtask    int
	RecordsIn  int64
	RecordsOut int64
}

// JobClient controls a running job, as Flink's JobClient.
type JobClient struct {
	name   string
	eg     *engine.ExecutionGraph
	cancel context.CancelFunc
	done   chan struct{}
	status atomic.Int32
	start  time.Time

	mu  sync.Mutex
	err error
	end time.Time
}

// Start builds the job from the environment's graph and runs it in the
// background. Cancelling ctx cancels the job. Graph and configuration
// errors are returned here, joined; each matches its sentinel with
// errors.Is.
func (e *Environment) Start(ctx context.Context, name string) (*JobClient, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.executed {
		return nil, ErrAlreadyExecuted
	}
	e.executed = true
	if err := e.cfg.validate(); err != nil {
		return nil, err
	}
	if err := errors.Join(append(e.errs, e.graph.Resolve(e.cfg.Parallelism, e.cfg.MaxParallelism, keygroup.DefaultMaxParallelism))...); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	eg, err := engine.Expand(&e.graph, engine.Config{
		BatchSize: e.cfg.BatchSize, TaskManagers: e.cfg.TaskManagers, SlotsPerTaskManager: e.cfg.SlotsPerTaskManager,
		Logger: e.cfg.Logger, Clock: e.cfg.Clock,
	})
	if err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	var exec engine.Executor = engine.ConcurrentExecutor{}
	if sim := e.cfg.Simulation; sim != nil {
		exec = engine.SimExecutor{Seed: sim.Seed, Trace: sim.Trace}
	}
	jobCtx, cancel := context.WithCancel(ctx)
	j := &JobClient{name: name, eg: eg, cancel: cancel, done: make(chan struct{}), start: e.cfg.Clock.Now()}
	log := e.cfg.Logger.With(zap.String("job", name))
	log.Info("job starting", zap.Int("tasks", len(eg.Tasks)), zap.Int("taskManagers", eg.TaskManagers))
	j.status.Store(int32(JobRunning))
	go func() {
		defer close(j.done)
		defer cancel()
		err := exec.Run(jobCtx, eg)
		status := JobFinished
		switch {
		case errors.Is(err, engine.ErrCanceled):
			status = JobCanceled
		case err != nil:
			status = JobFailed
		}
		j.mu.Lock()
		j.err, j.end = err, e.cfg.Clock.Now()
		j.mu.Unlock()
		j.status.Store(int32(status))
		log.Info("job ended", zap.Stringer("status", status), zap.Error(err))
	}()
	return j, nil
}

// JobResult is what Execute returns for a job that finished.
type JobResult struct {
	Name     string
	Duration time.Duration
	Metrics  []OperatorMetrics
}

// Execute runs the job and waits for it to end, as Flink's execute. It
// returns the result of a job that finished, or the error that failed or
// cancelled it; cancelling ctx cancels the job, and Execute returns once
// every task has stopped.
func (e *Environment) Execute(ctx context.Context, name string) (*JobResult, error) {
	j, err := e.Start(ctx, name)
	if err != nil {
		return nil, err
	}
	<-j.done
	if err := j.Err(); err != nil {
		return nil, err
	}
	return &JobResult{Name: name, Duration: j.end.Sub(j.start), Metrics: j.Metrics()}, nil
}

// Name returns the job's name.
func (j *JobClient) Name() string { return j.name }

// Status returns the job's status.
func (j *JobClient) Status() JobStatus { return JobStatus(j.status.Load()) }

// Done is closed when the job has ended and all its goroutines exited.
func (j *JobClient) Done() <-chan struct{} { return j.done }

// Err returns nil while the job runs and when it finished; the failure of
// a FAILED job; an error matching ErrCanceled for a CANCELED one.
func (j *JobClient) Err() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.err
}

// Wait waits for the job to end and returns Err. It returns ctx's error if
// ctx ends first; the job keeps running.
func (j *JobClient) Wait(ctx context.Context) error {
	select {
	case <-j.done:
		return j.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Cancel cancels the job. Wait (or Done) tells when it has stopped.
func (j *JobClient) Cancel() {
	if j.status.CompareAndSwap(int32(JobRunning), int32(JobCancelling)) {
		j.cancel()
	}
}

// Subtasks returns the status and placement of every task.
func (j *JobClient) Subtasks() []SubtaskInfo {
	out := make([]SubtaskInfo, len(j.eg.Tasks))
	for i, t := range j.eg.Tasks {
		out[i] = SubtaskInfo{Task: t.Name, Subtask: t.Subtask, Status: t.Status(),
			TaskManager: t.Placement.TaskManager, Slot: t.Placement.Slot}
	}
	return out
}

// Metrics returns the record counters of every operator subtask, as of
// each task's last step, in graph order.
func (j *JobClient) Metrics() []OperatorMetrics {
	var out []OperatorMetrics
	for _, t := range j.eg.Tasks {
		for i := range t.Metrics() {
			m := &t.Metrics()[i]
			out = append(out, OperatorMetrics{Operator: m.Operator, Subtask: m.Subtask,
				RecordsIn: m.RecordsIn.Load(), RecordsOut: m.RecordsOut.Load()})
		}
	}
	return out
}
