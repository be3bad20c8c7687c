package flinksim

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
	"github.com/flinksim/go-flinksim/snapshot"
)

// JobStatus is the status of a job, as Flink's JobStatus.
type JobStatus int32

// Job statuses. A job is RUNNING once Start returns; it ends FINISHED,
// FAILED or CANCELED (through CANCELLING when cancelled). Between a
// failure and the restore from its latest checkpoint it is RESTARTING.
const (
	JobCreated JobStatus = iota
	JobRunning
	JobRestarting
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
	case JobRestarting:
		return "RESTARTING"
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
type SubtaskStatus int32

// Subtask statuses.
const (
	SubtaskDeploying    = SubtaskStatus(engine.TaskDeploying)
	SubtaskInitializing = SubtaskStatus(engine.TaskInitializing)
	SubtaskRunning      = SubtaskStatus(engine.TaskRunning)
	SubtaskFinished     = SubtaskStatus(engine.TaskFinished)
	SubtaskCanceled     = SubtaskStatus(engine.TaskCanceled)
	SubtaskFailed       = SubtaskStatus(engine.TaskFailed)
)

func (s SubtaskStatus) String() string { return engine.TaskStatus(s).String() }

// SubtaskInfo describes one task: a subtask of a chain of operators.
type SubtaskInfo struct {
	// Task is the chain's operator names joined by " -> ".
	Task    string
	Subtask int
	Status  SubtaskStatus
	// TaskManager and Slot say where the task runs.
	TaskManager int
	Slot        int
	// QueuedRecords is the number of records waiting in the task's input
	// gate now, PeakQueuedRecords the most that ever waited at once. Each
	// input channel holds at most Config.BuffersPerChannel batches, plus
	// what one step of its producer emits (see Config.BuffersPerChannel).
	QueuedRecords     int
	PeakQueuedRecords int
	// BusyTime is how long the task has been busy in the current attempt,
	// on the job's clock: the time its steps took, apart from polls of a
	// source that had nothing to emit or send. Waiting for input, for room
	// on a full output channel (backpressure) or for a source to signal is
	// not busy. It grows from 0 at each attempt's start, and gives Flink's
	// busyTimeMsPerSecond as a rate: sample Subtasks twice and divide the
	// growth of BusyTime by how far the job's clock moved in between
	// (Config.Clock, or the simulation's virtual clock, which
	// JobClient.Uptime reads): 1 is always busy, 1000 ms per second. On the
	// simulation executor every working step counts one tick of virtual
	// time (1ms).
	BusyTime time.Duration
	// BackPressuredTime is how long the task has waited, in the current
	// attempt and on the job's clock, with an output channel full: it had
	// no step to take while a consumer's input channel held
	// Config.BuffersPerChannel batches. It includes the wait under way, and
	// gives Flink's backPressuredTimeMsPerSecond as a rate, sampled as
	// BusyTime is. A task waiting for input while its outputs have room is
	// idle, not backpressured.
	BackPressuredTime time.Duration
}

// OperatorMetrics are the record counters and watermarks of one operator
// subtask, under Flink's names numRecordsIn, numRecordsOut,
// currentInputWatermark and currentOutputWatermark.
type OperatorMetrics struct {
	// Operator is the operator's name, Subtask the subtask's index.
	Operator string
	Subtask  int
	// RecordsIn and RecordsOut count the records the subtask took in and
	// emitted.
	RecordsIn  int64
	RecordsOut int64
	// InputWatermark is the subtask's current input watermark (the
	// minimum over its active inputs) and OutputWatermark the last it
	// emitted, in milliseconds; MinWatermark before the first, as Flink's
	// Long.MIN_VALUE, and MaxWatermark once the input ended.
	InputWatermark  int64
	OutputWatermark int64
}

// JobClient controls a running job, as Flink's JobClient.
type JobClient struct {
	name   string
	job    *engine.Job
	clock  Clock
	cancel context.CancelFunc
	done   chan struct{}
	status atomic.Int32 // set once the job ends, or to CANCELLING
	start  time.Time
	// checkpointing is the job's checkpoint configuration (nil: none).
	checkpointing *CheckpointConfig

	mu  sync.Mutex
	err error
	end time.Time
}

// Start builds the job from the environment's graph and runs it in the
// background. Cancelling ctx cancels the job. Graph and configuration
// errors are returned here, joined; each matches its sentinel with
// errors.Is. So is a failure to restore the snapshot of RestoreFrom
// ([ErrRestore]): a job that restores returns from Start once its
// operators have taken their state.
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
	if len(e.errs) > 0 { // the graph is incomplete: its own checks would only echo these
		return nil, fmt.Errorf("job %q: %w", name, errors.Join(e.errs...))
	}
	if err := e.graph.Resolve(e.cfg.Parallelism, e.cfg.MaxParallelism, keygroup.DefaultMaxParallelism); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	if err := checkFaultTargets(e.cfg.Faults, e.graph.Vertices); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	triggers, err := newSavepointTriggers(e.cfg.SavepointsAt, e.graph.Vertices, e.cfg.Checkpointing != nil)
	if err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	log := e.cfg.Logger.With(zap.String("job", name))
	clock := engine.Clock(e.cfg.Clock)
	var exec engine.Executor = engine.ConcurrentExecutor{Clock: clock}
	tracers := []func(TraceEvent){e.cfg.Tracer}
	if sim := e.cfg.Simulation; sim != nil {
		se := engine.NewSimExecutor(sim.Seed, e.cfg.Clock.Now())
		exec, clock = se, se.Clock
		if sim.Trace != nil {
			tracers = append(tracers, textTrace(sim.Trace))
		}
	}
	// The job runs its own copy of the graph: the environment accepts no
	// operators once started, and restarts expand this copy.
	graph := &engine.Graph{Vertices: slices.Clone(e.graph.Vertices)}
	job := &engine.Job{
		Graph: graph, Exec: exec, Restart: e.cfg.RestartStrategy, Log: log, AllowNonRestored: e.cfg.AllowNonRestoredState,
		Config: engine.Config{
			BatchSize: e.cfg.BatchSize, TaskManagers: e.cfg.TaskManagers, SlotsPerTaskManager: e.cfg.SlotsPerTaskManager,
			Logger: log, Clock: clock, Faults: engineFaults(e.cfg.Faults), GateCapacity: e.cfg.BuffersPerChannel,
			BufferTimeout: e.cfg.BufferTimeout, Tracer: engineTracer(tracers),
		},
	}
	if cp := e.cfg.Checkpointing; cp != nil {
		store := cp.Store
		if store == nil {
			var err error
			if store, err = snapshot.NewStore(snapshot.NewMemFS(), snapshot.StoreOptions{Clock: clock.Now}); err != nil {
				return nil, err
			}
		}
		job.Store = store
		job.Config.Mode = engine.CheckpointMode(cp.Mode)
		ecfg := engine.CheckpointConfig{
			Interval: cp.Interval, MinPause: cp.MinPause, Timeout: cp.Timeout, Mode: engine.CheckpointMode(cp.Mode),
			TolerableFailures: cp.TolerableFailures, Store: store,
		}
		if cp.SavepointDir != "" {
			dir, err := filepath.Abs(cp.SavepointDir)
			if err != nil {
				return nil, fmt.Errorf("job %q: savepoint dir: %w", name, err)
			}
			// A store of its own over a checkpoint store's directory would
			// remove that store's checkpoints by its own retention.
			if chks, _ := os.ReadDir(filepath.Join(dir, "checkpoints")); len(chks) > 0 {
				return nil, fmt.Errorf("job %q: %w: savepoint dir %s holds checkpoints: it is a checkpoint store's directory; give savepoints a directory of their own",
					name, ErrInvalidConfig, dir)
			}
			sp, err := snapshot.NewStore(snapshot.DirFS(dir), snapshot.StoreOptions{Clock: clock.Now})
			if err != nil {
				return nil, fmt.Errorf("job %q: savepoint dir: %w", name, err)
			}
			ecfg.Savepoints, ecfg.SavepointDir = sp, dir
		}
		coord, err := engine.NewCoordinator(ecfg, clock, log)
		if err != nil {
			return nil, fmt.Errorf("job %q: %w", name, err)
		}
		job.Coord = coord
		if triggers != nil {
			triggers.coord = coord
			job.Config.Records = triggers.records
		}
	}
	if e.cfg.RestoreFrom != "" {
		r, inStore, err := engine.OpenSnapshot(job.Store, e.cfg.RestoreFrom)
		if err != nil {
			return nil, fmt.Errorf("job %q: %w: %w", name, ErrRestore, err)
		}
		job.RestoreFrom = r
		if ref := r.Manifest().Ref(); inStore && e.cfg.RestoreMode == RestoreNoClaim && strings.HasPrefix(ref, "checkpoints/") {
			if err := job.Store.Keep(ref); err != nil {
				return nil, fmt.Errorf("job %q: %w: %w", name, ErrRestore, err)
			}
		}
	}
	if err := job.Expand(); err != nil {
		return nil, fmt.Errorf("job %q: %w", name, err)
	}
	first := job.Current() // the first attempt's graph, before any restart
	jobCtx, cancel := context.WithCancel(ctx)
	j := &JobClient{name: name, job: job, clock: clock, cancel: cancel, done: make(chan struct{}), start: clock.Now()}
	if cp := e.cfg.Checkpointing; cp != nil {
		c := *cp // defaults filled in
		j.checkpointing = &c
	}
	log.Info("job starting", zap.Int("tasks", len(job.Current().Tasks)), zap.Int("taskManagers", job.Current().TaskManagers))
	j.status.Store(int32(JobRunning))
	go func() {
		defer close(j.done)
		defer cancel()
		err := job.Run(jobCtx)
		status := JobFinished
		switch {
		case errors.Is(err, engine.ErrCanceled):
			status = JobCanceled
		case err != nil:
			status = JobFailed
		}
		j.mu.Lock()
		j.err, j.end = err, clock.Now()
		j.mu.Unlock()
		j.status.Store(int32(status))
		// After the status: a stop answered here sees the job ended.
		if job.Coord != nil {
			job.Coord.CancelRequests(fmt.Errorf("job %s", status))
		}
		log.Info("job ended", zap.Stringer("status", status), zap.Error(err))
	}()
	if job.RestoreFrom != nil {
		// A restore that cannot succeed is Start's error: wait until the
		// first attempt's operators have taken their state.
		select {
		case <-first.Initialized():
			if !errors.Is(first.InitErr(), ErrIncompatibleState) {
				return j, nil
			}
			<-j.done
		case <-j.done:
		}
		if err := j.Err(); errors.Is(err, ErrRestore) {
			return nil, fmt.Errorf("job %q: %w", name, err)
		}
	}
	return j, nil
}

// engineTracer combines the non-nil subscribers into one engine tracer,
// or nil if there are none.
func engineTracer(fns []func(TraceEvent)) engine.Tracer {
	fns = slices.DeleteFunc(fns, func(f func(TraceEvent)) bool { return f == nil })
	if len(fns) == 0 {
		return nil
	}
	return func(ev engine.TraceEvent) {
		te := traceEventOf(ev)
		for _, f := range fns {
			f(te)
		}
	}
}

// JobResult is what Execute returns for a job that finished.
type JobResult struct {
	Name        string
	Duration    time.Duration
	Metrics     []OperatorMetrics
	Restarts    int64
	Checkpoints CheckpointMetrics
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
	return &JobResult{Name: name, Duration: j.end.Sub(j.start), Metrics: j.Metrics(), Restarts: j.Restarts(), Checkpoints: j.Checkpoints()}, nil
}

// Name returns the job's name.
func (j *JobClient) Name() string { return j.name }

// Status returns the job's status.
func (j *JobClient) Status() JobStatus {
	s := JobStatus(j.status.Load())
	if s == JobRunning && j.job.State() == engine.StateRestarting {
		return JobRestarting
	}
	return s
}

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

// Exception is one failure of the job, as an entry of Flink's exception
// history: when it happened, where, and its cause.
type Exception struct {
	Time time.Time
	// Operator and Subtask name the failed operator subtask; Operator is
	// empty (and Subtask -1) for a failure of the job as a whole, such as
	// too many failed checkpoints.
	Operator string
	Subtask  int
	// Err is the failure; it matches its sentinels with errors.Is, and an
	// operator's failure is an *OperatorError.
	Err error
}

// Exceptions returns the job's last 10 failures, oldest first: each one
// ended an attempt, and was followed by a restart unless it was the last.
// A job that loops on restarts shows why here while it is RESTARTING.
func (j *JobClient) Exceptions() []Exception {
	fs := j.job.Failures()
	out := make([]Exception, len(fs))
	for i, f := range fs {
		out[i] = Exception{Time: f.Time, Operator: f.Operator, Subtask: f.Subtask, Err: f.Err}
	}
	return out
}

// String describes the job: its name and status, and for a job that has
// failed, how often it restarted and its last failure.
func (j *JobClient) String() string {
	s := fmt.Sprintf("job %q: %v", j.name, j.Status())
	if fs := j.job.Failures(); len(fs) > 0 {
		last := fs[len(fs)-1]
		s += fmt.Sprintf(", %d restarts, last failure at %s: %v", j.Restarts(), last.Time.Format(time.RFC3339Nano), last.Err)
	}
	return s
}

// Restarts returns how many times the job restarted from a checkpoint
// (Flink's fullRestarts). A job that keeps failing shows it rising.
func (j *JobClient) Restarts() int64 { return j.job.Restarts() }

// Uptime is how long the current attempt has been running (0 while
// restarting or after the end); Downtime how long the job has been down
// since its last failure (0 while running).
func (j *JobClient) Uptime() time.Duration {
	if j.Status().IsTerminal() {
		return 0
	}
	return j.job.Uptime(j.clock.Now())
}

// Downtime: see Uptime.
func (j *JobClient) Downtime() time.Duration { return j.job.Downtime(j.clock.Now()) }

// Checkpoints returns the checkpoint counters and the last checkpoints;
// zero without checkpointing.
func (j *JobClient) Checkpoints() CheckpointMetrics {
	if j.job.Coord == nil {
		return CheckpointMetrics{}
	}
	return checkpointMetricsOf(j.job.Coord.Metrics())
}

// CheckpointConfig returns the job's checkpoint configuration, defaults
// filled in, and false for a job without checkpointing.
func (j *JobClient) CheckpointConfig() (CheckpointConfig, bool) {
	if j.checkpointing == nil {
		return CheckpointConfig{}, false
	}
	return *j.checkpointing, true
}

// TriggerCheckpoint takes a checkpoint now and waits for it to complete
// or fail.
func (j *JobClient) TriggerCheckpoint(ctx context.Context) (CheckpointRecord, error) {
	return j.request(ctx, "", func(done func(engine.CheckpointRecord, error)) { j.job.Coord.Request("", done) })
}

// TriggerSavepoint takes a savepoint named name (a user-owned snapshot,
// never deleted by the job) and waits for it. Its Ref is what
// Config.RestoreFrom takes.
func (j *JobClient) TriggerSavepoint(ctx context.Context, name string) (CheckpointRecord, error) {
	if name == "" {
		return CheckpointRecord{}, fmt.Errorf("%w: a savepoint needs a name", snapshot.ErrInvalidName)
	}
	return j.request(ctx, name, func(done func(engine.CheckpointRecord, error)) { j.job.Coord.Request(name, done) })
}

// StopWithSavepoint stops the job with a savepoint named name, as Flink's
// `stop --savepointPath [--drain]`, and waits until the job has ended
// (FINISHED). Without drain, the sources emit nothing after the
// savepoint's barrier, two-phase-commit sinks commit up to the savepoint
// and nothing beyond, and no operator is told its input ended, so nothing
// is flushed that a job resumed from the savepoint would emit again. With
// drain, the sources end their input first: operators flush what they
// buffer, and the savepoint is the job's final checkpoint. Either way a
// job restored from the savepoint continues where this one stopped.
//
// If the savepoint fails (a timeout, a failure of the job), the job goes
// on running and the error is returned. If the job fails after the
// savepoint completed (committing it, say), it restarts from the
// savepoint and runs on, and ErrStopFailed is returned, as in Flink. A
// stop asked for while another is under way is answered when the job
// ends, with the error the job ended with or "job FINISHED".
func (j *JobClient) StopWithSavepoint(ctx context.Context, name string, drain bool) (CheckpointRecord, error) {
	if name == "" {
		return CheckpointRecord{}, fmt.Errorf("%w: a savepoint needs a name", snapshot.ErrInvalidName)
	}
	var attempt atomic.Int64 // restarts when the savepoint completed
	rec, err := j.request(ctx, name, func(done func(engine.CheckpointRecord, error)) {
		j.job.Coord.RequestStop(name, drain, func(r engine.CheckpointRecord, err error) {
			attempt.Store(j.job.Restarts())
			done(r, err)
		})
	})
	if err != nil {
		return rec, err
	}
	restarted := j.job.Restarted()
	if j.job.Restarts() != attempt.Load() {
		restarted = closedChan
	}
	select {
	case <-j.done:
		return rec, j.Err()
	case <-restarted:
		// A failure after the savepoint: the job restarted from it and
		// runs on, as in Flink; the stop did not happen.
		return rec, fmt.Errorf("%w: the job failed after the stop's savepoint %q and restarted from it", ErrStopFailed, name)
	case <-ctx.Done():
		return rec, ctx.Err()
	}
}

// closedChan is a closed channel.
var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// ErrStopFailed reports a stop with savepoint that did not stop the job:
// it failed after the savepoint and restarted from it.
var ErrStopFailed = errors.New("flinksim: stop with savepoint failed")

// request sends a request with send and waits for its outcome.
func (j *JobClient) request(ctx context.Context, name string, send func(done func(engine.CheckpointRecord, error))) (CheckpointRecord, error) {
	if j.job.Coord == nil {
		return CheckpointRecord{}, ErrNoCheckpointing
	}
	type result struct {
		rec CheckpointRecord
		err error
	}
	ch := make(chan result, 1)
	send(func(r engine.CheckpointRecord, err error) { ch <- result{checkpointRecordOf(r), err} })
	select {
	case r := <-ch:
		return r.rec, r.err
	case <-ctx.Done():
		return CheckpointRecord{}, ctx.Err()
	}
}

// Restarted returns a channel closed when the job next restarts after a
// failure, once the new attempt is deployed: Subtasks and Initialized then
// tell of the new attempt. Take a new one after each restart.
func (j *JobClient) Restarted() <-chan struct{} { return j.job.Restarted() }

// Initialized returns a channel closed once every subtask of the current
// attempt has opened its operators and restored its state, or one of them
// failed to, which fails the attempt; the function returned with it then
// says which (nil: every subtask did). A job is RUNNING as soon as it is
// deployed, before that. After a restart the new attempt has a channel of
// its own: call Initialized again once Restarted is closed.
func (j *JobClient) Initialized() (<-chan struct{}, func() error) {
	eg := j.job.Current()
	return eg.Initialized(), eg.InitErr
}

// MaxParallelism returns the highest parallelism the job could be
// rescaled to from its snapshots: the least max parallelism of its
// operators (after a restore, the ones their state had).
func (j *JobClient) MaxParallelism() int {
	least := 0
	for _, v := range j.job.Graph.Vertices {
		if least == 0 || v.MaxParallelism < least {
			least = v.MaxParallelism
		}
	}
	return least
}

// Subtasks returns the status and placement of every task of the current
// attempt.
func (j *JobClient) Subtasks() []SubtaskInfo {
	eg := j.job.Current()
	now := j.clock.Now()
	out := make([]SubtaskInfo, len(eg.Tasks))
	for i, t := range eg.Tasks {
		queued, peak := t.Gate().Queued()
		out[i] = SubtaskInfo{Task: t.Name, Subtask: t.Subtask, Status: SubtaskStatus(t.Status()),
			TaskManager: t.Placement.TaskManager, Slot: t.Placement.Slot,
			QueuedRecords: queued, PeakQueuedRecords: peak, BusyTime: t.BusyTime(),
			BackPressuredTime: t.BackPressuredTime(now)}
	}
	return out
}

// Metrics returns the record counters of every operator subtask of the
// current attempt, as of each task's last step, in graph order.
func (j *JobClient) Metrics() []OperatorMetrics {
	var out []OperatorMetrics
	for _, t := range j.job.Current().Tasks {
		for i := range t.Metrics() {
			m := &t.Metrics()[i]
			out = append(out, OperatorMetrics{Operator: m.Operator, Subtask: m.Subtask,
				RecordsIn: m.RecordsIn.Load(), RecordsOut: m.RecordsOut.Load(),
				InputWatermark: m.InputWatermark.Load(), OutputWatermark: m.OutputWatermark.Load()})
		}
	}
	return out
}
