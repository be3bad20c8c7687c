package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/snapshot"
)

// CheckpointConfig configures checkpointing; a nil *CheckpointConfig
// disables it.
type CheckpointConfig struct {
	// Interval between periodic checkpoints; 0 takes none (manual only).
	Interval time.Duration
	// MinPause is the least time from one checkpoint's end to the next's start.
	MinPause time.Duration
	// Timeout aborts a checkpoint that has not completed.
	Timeout time.Duration
	Mode    CheckpointMode
	// TolerableFailures is how many checkpoints in a row may fail before
	// the job fails over.
	TolerableFailures int
	Store             *snapshot.Store
	// Savepoints, if set, keeps the savepoints instead of Store; it is a
	// store over the directory SavepointDir, and a savepoint's reference
	// is then its path on disk.
	Savepoints   *snapshot.Store
	SavepointDir string
}

// ErrTooManyCheckpointFailures fails a job whose checkpoints keep failing.
var ErrTooManyCheckpointFailures = errors.New("flinksim: exceeded tolerable checkpoint failures")

// CheckpointStatus is the outcome of a checkpoint.
type CheckpointStatus uint8

// Checkpoint statuses.
const (
	CheckpointInProgress CheckpointStatus = iota
	CheckpointCompleted
	CheckpointFailed
)

func (s CheckpointStatus) String() string {
	return [...]string{"IN_PROGRESS", "COMPLETED", "FAILED"}[s]
}

// CheckpointRecord is one entry of the checkpoint history.
type CheckpointRecord struct {
	ID        int64
	Savepoint string // the savepoint's name; empty for checkpoints
	Status    CheckpointStatus
	Trigger   time.Time
	Duration  time.Duration
	Size      int64
	Ref       string // where it is stored, once completed
	Failure   string
	Subtasks  []SubtaskCheckpointStats
}

// CheckpointMetrics are the coordinator's counters, under Flink's names.
type CheckpointMetrics struct {
	NumberOfCompletedCheckpoints int64
	NumberOfFailedCheckpoints    int64
	LastCheckpointDuration       time.Duration
	LastCheckpointSize           int64
	// History holds the last HistorySize checkpoints, oldest first.
	History []CheckpointRecord
}

// HistorySize is how many checkpoints the history keeps.
const HistorySize = 10

// Coordinator is the checkpoint coordinator of one job: it triggers
// checkpoints at the sources, gathers the tasks' acknowledgements, writes
// the checkpoint to the store (manifest last) and notifies the tasks. It
// outlives restarts, so checkpoint IDs keep increasing.
//
// Its methods are called by one executor goroutine at a time; the mutex
// guards what JobClient reads from other goroutines.
type Coordinator struct {
	cfg    CheckpointConfig
	clock  Clock
	log    *zap.Logger
	tracer *tracer

	// Set per attempt by Attach.
	ctx       context.Context // ends with the attempt: a write in progress stops
	tasks     []*Task
	sources   []*Task
	dataEnded map[*Task]bool
	finalDone bool

	nextID      int64
	pending     *pendingCheckpoint
	lastTrigger time.Time
	lastEnd     time.Time
	failures    int // consecutive
	fatal       error
	wake        chan struct{}
	// draining is the stop with drain whose savepoint is taken once every
	// source's data ended.
	draining *savepointRequest

	mu       sync.Mutex
	metrics  CheckpointMetrics
	latest   string // ref of the latest completed checkpoint
	requests []savepointRequest
	closed   error // set when the job ended: requests fail at once
}

type pendingCheckpoint struct {
	rec     CheckpointRecord
	final   bool
	stop    bool // a stop-with-savepoint without drain
	waiting map[*Task]bool
	states  map[*Task][]OperatorState
	done    func(CheckpointRecord, error)
}

type savepointRequest struct {
	name string
	done func(CheckpointRecord, error)
	// stop ends the job with the savepoint; drain ends the sources' data
	// first, so the savepoint is the final checkpoint.
	stop, drain bool
}

// fail answers a request that will not be triggered.
func (r savepointRequest) fail(err error) {
	r.done(CheckpointRecord{Savepoint: r.name, Status: CheckpointFailed, Failure: err.Error()}, err)
}

// NewCoordinator returns a coordinator for cfg, which must not be nil.
// Checkpoint IDs continue after the highest one in the store, so the
// checkpoints of a job resumed in a new process never collide with, or are
// retired in favour of, older ones.
func NewCoordinator(cfg CheckpointConfig, clock Clock, log *zap.Logger) (*Coordinator, error) {
	c := &Coordinator{cfg: cfg, clock: clock, log: log, nextID: 1, wake: make(chan struct{}, 1)}
	existing, err := cfg.Store.ListCheckpoints()
	if err != nil {
		return nil, fmt.Errorf("list checkpoints: %w", err)
	}
	for _, m := range existing {
		c.ContinueAfter(m.CheckpointID)
	}
	return c, nil
}

// ContinueAfter makes the next checkpoint ID greater than id (the ID of a
// restored snapshot, for instance).
func (c *Coordinator) ContinueAfter(id int64) {
	if id >= c.nextID {
		c.nextID = id + 1
	}
}

// Attach starts an attempt: tasks are the attempt's tasks, which get the
// coordinator's events on their control lanes. ctx ends with the attempt.
func (c *Coordinator) Attach(ctx context.Context, tasks []*Task) {
	if c.pending != nil {
		c.fail(errors.New("job restarted"), false)
	}
	if r := c.draining; r != nil {
		// The restarted sources read on: the stop is not done.
		c.draining = nil
		err := errors.New("job restarted while draining for the savepoint")
		r.fail(err)
	}
	c.ctx, c.tasks, c.fatal, c.finalDone, c.failures = ctx, tasks, nil, false, 0
	c.sources = c.sources[:0]
	for _, t := range tasks {
		if t.IsSource() {
			c.sources = append(c.sources, t)
		}
	}
	c.dataEnded = make(map[*Task]bool)
	c.lastTrigger = c.clock.Now()
}

// Fatal returns the error that must fail the job over, if any.
func (c *Coordinator) Fatal() error { return c.fatal }

// NextDue returns when Tick has work next (zero: no timed work).
func (c *Coordinator) NextDue() time.Time {
	switch {
	case c.pending != nil && c.cfg.Timeout > 0:
		return c.pending.rec.Trigger.Add(c.cfg.Timeout)
	case c.pending != nil, c.finalDone:
		return time.Time{}
	case c.hasRequests() || c.allDataEnded():
		return c.clock.Now()
	case c.cfg.Interval > 0:
		due := c.lastTrigger.Add(c.cfg.Interval)
		if p := c.lastEnd.Add(c.cfg.MinPause); p.After(due) {
			due = p
		}
		return due
	}
	return time.Time{}
}

// Tick times out a checkpoint past its timeout and triggers the next one
// when it is due: a requested savepoint, the final checkpoint once every
// source's data ended, or the periodic one.
func (c *Coordinator) Tick() {
	if c.fatal != nil {
		return // the job fails over; the next attempt starts afresh
	}
	now := c.clock.Now()
	if p := c.pending; p != nil {
		if c.cfg.Timeout > 0 && now.Sub(p.rec.Trigger) >= c.cfg.Timeout {
			c.fail(fmt.Errorf("checkpoint %d timed out after %v", p.rec.ID, c.cfg.Timeout), true)
		}
		return
	}
	if c.finalDone {
		return // the job is finishing: no checkpoint can complete any more
	}
	if c.draining != nil {
		// A stop with drain is under way: its savepoint comes next, once
		// every source's data ended; other requests wait.
		if c.allDataEnded() {
			r := c.draining
			c.draining = nil
			c.trigger(now, r.name, r.done, false)
		}
		return
	}
	if r, ok := c.nextRequest(); ok {
		switch {
		case r.drain:
			// The sources end their data; the final checkpoint, once
			// every source's data ended, is this savepoint.
			c.draining = &r
			for _, t := range c.sources {
				t.Deliver(Event{Kind: EventDrain})
			}
		default:
			c.trigger(now, r.name, r.done, r.stop)
		}
		return
	}
	switch {
	case c.allDataEnded():
		c.trigger(now, "", nil, false)
	case c.cfg.Interval > 0 && !now.Before(c.NextDue()):
		c.trigger(now, "", nil, false)
	}
}

// Request asks for a checkpoint (name == "") or a savepoint named name,
// taken at the next Tick; done is called with its record once it ends, on
// the coordinator's goroutine. Safe from any goroutine.
func (c *Coordinator) Request(name string, done func(CheckpointRecord, error)) {
	c.request(savepointRequest{name: name, done: done})
}

// RequestStop asks for a stop with savepoint name, as Flink's stop
// --savepointPath [--drain]: without drain the sources emit nothing after
// the savepoint's barrier, two-phase-commit sinks commit up to it, and the
// tasks finish without flushing; with drain the sources end their data
// first (operators flush) and the savepoint is the final checkpoint. done
// is called as for Request; the job then finishes.
func (c *Coordinator) RequestStop(name string, drain bool, done func(CheckpointRecord, error)) {
	c.request(savepointRequest{name: name, done: done, stop: true, drain: drain})
}

func (c *Coordinator) request(r savepointRequest) {
	c.mu.Lock()
	if err := c.closed; err != nil {
		c.mu.Unlock()
		r.fail(err)
		return
	}
	c.requests = append(c.requests, r)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Wake receives when a request arrived.
func (c *Coordinator) Wake() <-chan struct{} { return c.wake }

func (c *Coordinator) hasRequests() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.requests) > 0
}

func (c *Coordinator) nextRequest() (savepointRequest, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.requests) == 0 || c.finalDone {
		return savepointRequest{}, false
	}
	r := c.requests[0]
	c.requests = c.requests[1:]
	return r, true
}

// CancelRequests fails the checkpoint in progress, a stop waiting for its
// sources to drain, every request not yet triggered, and every later one,
// with err (the job ended). Call it once the job's attempts are over.
func (c *Coordinator) CancelRequests(err error) {
	if c.pending != nil {
		c.fail(err, false)
	}
	if r := c.draining; r != nil {
		c.draining = nil
		r.fail(err)
	}
	c.mu.Lock()
	reqs := c.requests
	c.requests, c.closed = nil, err
	c.mu.Unlock()
	for _, r := range reqs {
		r.fail(err)
	}
}

func (c *Coordinator) allDataEnded() bool {
	return !c.finalDone && len(c.sources) > 0 && len(c.dataEnded) == len(c.sources)
}

// trigger starts checkpoint (or savepoint) the next ID; stop makes it a
// stop-with-savepoint without drain: the sources emit nothing after their
// barrier, and the job ends once it completes.
func (c *Coordinator) trigger(now time.Time, savepoint string, done func(CheckpointRecord, error), stop bool) {
	id := c.nextID
	c.nextID++
	c.lastTrigger = now
	p := &pendingCheckpoint{
		rec:     CheckpointRecord{ID: id, Savepoint: savepoint, Status: CheckpointInProgress, Trigger: now},
		final:   c.allDataEnded(),
		stop:    stop,
		waiting: make(map[*Task]bool, len(c.tasks)),
		states:  make(map[*Task][]OperatorState, len(c.tasks)),
		done:    done,
	}
	for _, t := range c.tasks {
		p.waiting[t] = true
	}
	c.pending = p
	c.log.Debug("checkpoint triggered", zap.Int64("checkpoint", id), zap.Bool("final", p.final))
	for _, t := range c.sources {
		t.Deliver(Event{Kind: EventTrigger, Checkpoint: id, Stop: stop})
	}
}

// DataEnded implements Acker.
func (c *Coordinator) DataEnded(t *Task) { c.dataEnded[t] = true }

// Ack implements Acker. When the last task acknowledges, the checkpoint is
// written and completed.
func (c *Coordinator) Ack(t *Task, id int64, states []OperatorState, stats SubtaskCheckpointStats) {
	p := c.pending
	if p == nil || p.rec.ID != id || !p.waiting[t] {
		return // a late ack of a checkpoint that failed
	}
	delete(p.waiting, t)
	p.states[t] = states
	p.rec.Subtasks = append(p.rec.Subtasks, stats)
	if len(p.waiting) == 0 {
		c.complete(p)
	}
}

func (c *Coordinator) complete(p *pendingCheckpoint) {
	start := c.clock.Now()
	ref, size, err := c.write(p)
	if err != nil {
		// A write stopped because the attempt ended is not the
		// checkpoint's failure: it does not count toward the tolerable ones.
		c.fail(fmt.Errorf("write checkpoint %d: %w", p.rec.ID, err), c.ctx.Err() == nil)
		return
	}
	now := c.clock.Now()
	async := now.Sub(start)
	for i := range p.rec.Subtasks {
		p.rec.Subtasks[i].Async = async
	}
	p.rec.Status, p.rec.Duration, p.rec.Size, p.rec.Ref = CheckpointCompleted, now.Sub(p.rec.Trigger), size, ref
	c.pending, c.lastEnd, c.failures = nil, now, 0
	c.mu.Lock()
	c.metrics.NumberOfCompletedCheckpoints++
	c.metrics.LastCheckpointDuration, c.metrics.LastCheckpointSize = p.rec.Duration, size
	if p.rec.Savepoint == "" || p.final || p.stop {
		// A stop's (or the final) savepoint commits the sinks: a restart
		// after it must restore it, or the committed output repeats.
		c.latest = ref
	}
	c.recordLocked(p.rec)
	c.mu.Unlock()
	c.log.Debug("checkpoint completed", zap.Int64("checkpoint", p.rec.ID), zap.Int64("size", size), zap.Duration("duration", p.rec.Duration))
	c.tracer.job(TraceEvent{Kind: TraceCompleted, Checkpoint: p.rec.ID, Size: size, Detail: p.rec.Savepoint})
	// Savepoints commit no side effects (as in Flink 1.15+), unless one
	// is the job's last snapshot: the final checkpoint, or a stop.
	if p.rec.Savepoint == "" || p.final || p.stop {
		for _, t := range c.tasks {
			t.Deliver(Event{Kind: EventComplete, Checkpoint: p.rec.ID})
		}
	}
	if p.final || p.stop {
		c.finalDone = true
		for _, t := range c.sources {
			t.Deliver(Event{Kind: EventFinish, Stop: p.stop})
		}
	}
	if p.done != nil {
		p.done(p.rec, nil)
	}
}

// fail ends the pending checkpoint as failed. counted failures past the
// tolerable number make the coordinator fatal.
func (c *Coordinator) fail(cause error, counted bool) {
	p := c.pending
	c.pending = nil
	p.rec.Status, p.rec.Failure, p.rec.Duration = CheckpointFailed, cause.Error(), c.clock.Now().Sub(p.rec.Trigger)
	c.lastEnd = c.clock.Now()
	c.mu.Lock()
	c.metrics.NumberOfFailedCheckpoints++
	c.recordLocked(p.rec)
	c.mu.Unlock()
	c.log.Warn("checkpoint failed", zap.Int64("checkpoint", p.rec.ID), zap.Error(cause))
	c.tracer.job(TraceEvent{Kind: TraceAborted, Checkpoint: p.rec.ID, Detail: cause.Error(), Err: cause})
	for _, t := range c.tasks {
		t.Deliver(Event{Kind: EventAbort, Checkpoint: p.rec.ID})
	}
	if counted && p.rec.Savepoint == "" { // failed savepoints do not fail the job
		c.failures++
		if c.failures > c.cfg.TolerableFailures {
			c.fatal = fmt.Errorf("%w (%d in a row): %w", ErrTooManyCheckpointFailures, c.failures, cause)
		}
	}
	if p.done != nil {
		p.done(p.rec, cause)
	}
}

func (c *Coordinator) recordLocked(r CheckpointRecord) {
	c.metrics.History = append(c.metrics.History, r)
	if n := len(c.metrics.History); n > HistorySize {
		c.metrics.History = append([]CheckpointRecord(nil), c.metrics.History[n-HistorySize:]...)
	}
}

// Metrics returns a copy of the counters and history; safe from any goroutine.
func (c *Coordinator) Metrics() CheckpointMetrics {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.metrics
	m.History = append([]CheckpointRecord(nil), m.History...)
	return m
}

// Latest returns the reference of the latest completed checkpoint, or "".
func (c *Coordinator) Latest() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.latest
}

// write stores the checkpoint: one file per stateful operator subtask and
// the metadata mapping operator UIDs to files, then the manifest.
func (c *Coordinator) write(p *pendingCheckpoint) (ref string, size int64, err error) {
	var w *snapshot.Writer
	switch {
	case p.rec.Savepoint != "" && c.cfg.Savepoints != nil:
		w, err = c.cfg.Savepoints.BeginSavepoint(p.rec.Savepoint)
	case p.rec.Savepoint != "":
		w, err = c.cfg.Store.BeginSavepoint(p.rec.Savepoint)
	default:
		w, err = c.cfg.Store.BeginCheckpoint(p.rec.ID)
	}
	if err != nil {
		return "", 0, err
	}
	defer w.Abort() // a no-op after Commit
	md := Metadata{Version: metadataVersion, CheckpointID: p.rec.ID}
	index := make(map[*Vertex]int)
	for _, t := range c.tasks {
		for i, v := range t.Members {
			st := p.states[t][i]
			oi, ok := index[v]
			if !ok {
				oi = len(md.Operators)
				index[v] = oi
				md.Operators = append(md.Operators, OperatorMetadata{UID: v.UID, Parallelism: v.Parallelism, MaxParallelism: v.MaxParallelism})
			}
			if st.Keyed == nil && len(st.Lists) == 0 {
				continue
			}
			if err := c.ctx.Err(); err != nil {
				return "", 0, fmt.Errorf("job stopped: %w", err) // the deferred Abort removes what was written
			}
			name := fmt.Sprintf("op%d-%d", oi, t.Subtask)
			data := encodeOperatorState(st)
			if err := w.WriteFile(name, data); err != nil {
				return "", 0, err
			}
			size += int64(len(data))
			md.Operators[oi].Subtasks = append(md.Operators[oi].Subtasks, SubtaskMetadata{Subtask: t.Subtask, File: name})
		}
	}
	mdBytes, err := json.Marshal(md)
	if err != nil {
		return "", 0, err
	}
	if err := w.WriteFile(metadataFile, mdBytes); err != nil {
		return "", 0, err
	}
	if err := c.ctx.Err(); err != nil {
		return "", 0, fmt.Errorf("job stopped: %w", err)
	}
	m, err := w.Commit(map[string]string{"checkpoint-id": fmt.Sprint(p.rec.ID)})
	if err != nil {
		return "", 0, err
	}
	if p.rec.Savepoint != "" && c.cfg.Savepoints != nil {
		return filepath.Join(c.cfg.SavepointDir, filepath.FromSlash(m.Ref())), size + int64(len(mdBytes)), nil
	}
	return m.Ref(), size + int64(len(mdBytes)), nil
}
