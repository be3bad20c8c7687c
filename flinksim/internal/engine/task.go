package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// TaskStatus is a subtask's execution state, as Flink's ExecutionState.
type TaskStatus int32

// Task statuses.
const (
	TaskDeploying TaskStatus = iota
	TaskInitializing
	TaskRunning
	TaskFinished
	TaskCanceled
	TaskFailed
)

func (s TaskStatus) String() string {
	names := [...]string{"DEPLOYING", "INITIALIZING", "RUNNING", "FINISHED", "CANCELED", "FAILED"}
	if s < 0 || int(s) >= len(names) {
		return fmt.Sprintf("TaskStatus(%d)", int32(s))
	}
	return names[s]
}

// Acker receives what tasks report to the checkpoint coordinator.
type Acker interface {
	// Ack reports that t took its snapshot of checkpoint id.
	Ack(t *Task, id int64, states []OperatorState, stats SubtaskCheckpointStats)
	// DataEnded reports that source task t has emitted all its records.
	DataEnded(t *Task)
}

// PreBarrier is implemented by operators that must act before a barrier
// passes them, as Flink's prepareSnapshotPreBarrier: a sink flushes what it
// buffers, so that a completed checkpoint covers it.
type PreBarrier interface {
	PrepareSnapshotPreBarrier(checkpoint int64) error
}

// Starter is implemented by operators with work to do once every task of
// the attempt has initialised, before the first step: a two-phase-commit
// sink commits the transactions its restored state pre-committed then, so
// that a restore another operator refuses commits nothing.
type Starter interface {
	Start() error
}

// WorkKind is the kind of a Work.
type WorkKind uint8

// Work kinds.
const (
	// WorkControl handles the next event of the control lane: a
	// checkpoint trigger or notification, or a finish.
	WorkControl WorkKind = iota + 1
	// WorkPoll polls the source for its next records.
	WorkPoll
	// WorkInput handles the head event of input Input.
	WorkInput
	// WorkTimer runs the processing-time work that is due (see
	// ProcessingTimer).
	WorkTimer
)

// Work is one step a task can take now.
type Work struct {
	Kind  WorkKind
	Input int
}

// inputState is what a task knows of one input channel beyond its queue.
type inputState struct {
	dataEnded bool  // end of data seen
	closed    bool  // end of partition seen
	idle      bool  // its producer said it is idle
	unaligned bool  // active again, its watermark behind the task's
	barrier   int64 // the last barrier seen
	watermark int64 // the last watermark seen
}

// Task runs one subtask of a chain of operators. It is a synchronous step
// machine that never blocks: an executor asks it what it can do now (Ready
// or Next) and has it do one of those things (Do), from one goroutine at a
// time. Producers fill its input gate and the coordinator its control
// lane from any goroutine; each wakes the task (Wake channel).
type Task struct {
	ID        int
	Name      string // the chain's operator names, joined by " -> "
	Subtask   int
	Members   []*Vertex
	Placement Placement

	inputs    []*Channel
	gate      *InputGate
	control   controlLane
	wake      chan struct{}
	outputs   map[*Edge]*ChannelOutput
	consumers map[*Vertex][]*Edge
	cfg       Config
	restored  []*RestoredState // per member, nil when starting empty
	// restoredFrom is the checkpoint ID the restored state was taken as.
	restoredFrom int64

	ops     []Operator
	ctxs    []*OperatorContext
	source  Source
	multi   MultiInput // the head operator, if it has several logical inputs
	writers []Writer
	// chained[i] lists the chain members fed by member i, and
	// memberWriters[i] the writers of its other consumers: the routes of
	// the watermarks member i emits.
	chained       [][]int
	memberWriters [][]Writer
	// timestamp is the event timestamp of the record being processed:
	// writers stamp what is emitted with it.
	timestamp int64
	// inputWatermark is the combined watermark of the task's inputs, last
	// handed to its head operator.
	inputWatermark int64
	// idle is the watermark status the task last sent downstream.
	idle bool
	// wakeAt is the earliest processing-time work of the chain (zero:
	// none).
	wakeAt   time.Time
	channels []*Channel // every output channel
	failure  error
	acker    Acker
	// fullOutputs counts output channels at capacity; producers are not
	// scheduled while it is above 0. Consumers decrement it.
	fullOutputs atomic.Int32

	in        []inputState
	open      int // inputs not closed
	dataOpen  int // inputs whose data has not ended
	dataEnded bool
	closed    bool // end of partition sent: the task is done
	// Alignment of the checkpoint in progress (0: none).
	aligning   int64
	arrived    int
	alignStart time.Time
	blocked    []int // inputs blocked by the alignment
	// lastDone is the newest checkpoint this task snapshotted or saw
	// aborted: barriers up to it count for nothing.
	lastDone int64
	// suspended is the stop-with-savepoint a source emits nothing after
	// (0: none); an abort of it resumes the source.
	suspended int64
	// stopped: the task's input stopped without its data ending (a stop
	// without drain): it closes its outputs without ending its data.
	stopped  bool
	lastPoll SourceStatus
	// available is set by the source's signal: a waiting source is polled
	// again. external, if set, hears the signal too (the simulation).
	available atomic.Bool
	external  chan struct{}
	lastFlush time.Time

	status  atomic.Int32
	metrics []OperatorMetrics
	// busy is the task's busy time, in nanoseconds of the job's clock.
	busy atomic.Int64
	// backpressure is the task's backpressured time (see
	// BackPressuredTime).
	backpressure backpressureClock
	// sent counts the events the task sent downstream.
	sent int64
	// stepEnd is when the last step's work ended. stepped says a step was
	// taken since the last Next, straight that Next offered a step right
	// after one: it starts at stepEnd, which saves reading the clock.
	stepEnd           time.Time
	stepped, straight bool
	// stepTick is how far the executor moves the clock for each step
	// before it takes it (the simulation's tick; 0: the clock moves by
	// itself).
	stepTick time.Duration
}

// OperatorMetrics are the counters of one operator subtask.
type OperatorMetrics struct {
	Operator   string
	Subtask    int
	RecordsIn  atomic.Int64
	RecordsOut atomic.Int64
	// InputWatermark and OutputWatermark are the operator's current
	// watermarks (MinWatermark before the first).
	InputWatermark  atomic.Int64
	OutputWatermark atomic.Int64
}

// Status returns the task's status; safe from any goroutine.
func (t *Task) Status() TaskStatus { return TaskStatus(t.status.Load()) }

// SetStatus sets the task's status.
func (t *Task) SetStatus(s TaskStatus) { t.status.Store(int32(s)) }

// Metrics returns the task's per-operator counters, as of its last step.
func (t *Task) Metrics() []OperatorMetrics { return t.metrics }

// IsSource reports whether the task's head is a source.
func (t *Task) IsSource() bool { return t.Members[0].IsSource }

// Gate returns the task's input gate.
func (t *Task) Gate() *InputGate { return t.gate }

// String names the task as "name (i)".
func (t *Task) String() string { return fmt.Sprintf("%s (%d)", t.Name, t.Subtask) }

// WakeC receives when something arrived for the task or an output it
// waits on has room again.
func (t *Task) WakeC() <-chan struct{} { return t.wake }

// Wake signals WakeC; it never blocks.
func (t *Task) Wake() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// signalAvailable marks the source as having records and wakes the task.
func (t *Task) signalAvailable() {
	t.available.Store(true)
	t.Wake()
	if t.external != nil {
		select {
		case t.external <- struct{}{}:
		default:
		}
	}
}

// AwaitsSource reports whether the task's source reported SourceWaiting:
// it is polled again once it signals, which it may have done already (the
// signal also reaches the channel given to NotifyExternal).
func (t *Task) AwaitsSource() bool {
	return t.source != nil && !t.dataEnded && !t.closed && t.lastPoll == SourceWaiting
}

// NotifyExternal has the task's source signals also sent to c, which never
// blocks them; set it before Init.
func (t *Task) NotifyExternal(c chan struct{}) { t.external = c }

// TickPerStep tells the task that its executor moves the clock d for each
// step, before it takes it, as the simulation does: a working step then
// counts d of busy time, besides what the clock moves during it. Set it
// before Init.
func (t *Task) TickPerStep(d time.Duration) { t.stepTick = d }

// BusyTime returns the task's busy time, as Flink's busyTimeMsPerSecond
// measures it: the time its working steps took on the job's clock, summed.
// Every step is work but an idle poll: one that found the source with
// nothing to emit (SourceWaiting, no record out) and sent nothing. A step
// runs from its start to the end of its work; one that follows another
// straight on (see Next) starts where that one's work ended, so what the
// task does between steps — its flush, its bookkeeping — counts too. The
// time a task waits for a step to take — for input, for room on a full
// output channel, for its source to signal — is never counted. Safe from
// any goroutine.
func (t *Task) BusyTime() time.Duration { return time.Duration(t.busy.Load()) }

// BackPressuredTime returns how long the task has waited with an output
// channel full, as Flink's backPressuredTimeMsPerSecond measures it, on
// the job's clock at now: the waits that ended, plus the one under way.
// A wait begins when the executor asks the task for a step (Next or Ready)
// and finds none while an output channel is at capacity; it ends at the
// task's next step. A wait for input with room on every output is idle
// time, not backpressure. Safe from any goroutine.
func (t *Task) BackPressuredTime(now time.Time) time.Duration { return t.backpressure.read(now) }

// backpressureClock sums a task's waits for room on its outputs. The task's
// goroutine starts and ends waits; any goroutine reads.
type backpressureClock struct {
	waiting atomic.Bool // read without the lock on every step
	mu      sync.Mutex
	since   time.Time     // start of the wait under way
	total   time.Duration // the waits that ended
}

// begin starts a wait at now, unless one is under way.
func (b *backpressureClock) begin(now time.Time) {
	if b.waiting.Load() {
		return
	}
	b.mu.Lock()
	b.since = now
	b.waiting.Store(true)
	b.mu.Unlock()
}

// end ends the wait under way, if any, at now.
func (b *backpressureClock) end(now time.Time) {
	if !b.waiting.Load() {
		return
	}
	b.mu.Lock()
	if now.After(b.since) {
		b.total += now.Sub(b.since)
	}
	b.waiting.Store(false)
	b.mu.Unlock()
}

func (b *backpressureClock) read(now time.Time) time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	d := b.total
	if b.waiting.Load() && now.After(b.since) {
		d += now.Sub(b.since)
	}
	return d
}

// Deliver puts ev on the task's control lane; safe from any goroutine.
func (t *Task) Deliver(ev Event) {
	t.control.put(ev)
	t.Wake()
}

// controlLane is a task's queue of coordinator events. A newer event
// supersedes what it makes moot — an abort of checkpoint n the triggers and
// aborts up to n, a completion of n the completions before it (each
// notification covers the checkpoints before it, as in Flink) — so the lane
// stays a few events long however far the task lags behind the
// coordinator.
type controlLane struct {
	mu sync.Mutex
	q  []Event
	n  atomic.Int32 // len(q), read without the lock on every step
}

func (l *controlLane) put(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.q = slices.DeleteFunc(l.q, func(old Event) bool {
		switch ev.Kind {
		case EventAbort:
			return (old.Kind == EventTrigger || old.Kind == EventAbort) && old.Checkpoint <= ev.Checkpoint
		case EventComplete:
			return old.Kind == EventComplete && old.Checkpoint < ev.Checkpoint
		}
		return false
	})
	l.q = append(l.q, ev)
	l.n.Store(int32(len(l.q)))
}

// pop takes the oldest event, if any.
func (l *controlLane) pop() (Event, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.q) == 0 {
		return Event{}, false
	}
	ev := l.q[0]
	l.q = slices.Delete(l.q, 0, 1)
	l.n.Store(int32(len(l.q)))
	return ev, true
}

func (l *controlLane) len() int { return int(l.n.Load()) }

// Init builds the task's operators, last member first so each can be
// handed its consumers, restoring their state if the task has any.
func (t *Task) Init(acker Acker) (err error) {
	building := t.Name // the operator being built, for a panic's error
	defer func() {
		if r := recover(); r != nil {
			err = &OperatorError{Operator: building, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()}
		}
		if err != nil {
			t.fail(err)
		}
	}()
	t.acker = acker
	t.SetStatus(TaskInitializing)
	n := len(t.Members)
	t.ops = make([]Operator, n)
	t.ctxs = make([]*OperatorContext, n)
	t.chained, t.memberWriters = make([][]int, n), make([][]Writer, n)
	t.timestamp, t.inputWatermark = NoTimestamp, MinWatermark
	index := make(map[*Vertex]int, n)
	for i, m := range t.Members {
		index[m] = i
	}
	for i := n - 1; i >= 0; i-- {
		v := t.Members[i]
		building = v.Name
		var outs []any
		var side map[string][]any
		var sideEdges map[string]*Edge
		for _, e := range t.consumers[v] {
			if j, ok := index[e.To]; ok && chained(e) {
				outs = append(outs, t.ops[j])
				t.chained[i] = append(t.chained[i], j)
				continue
			}
			co := t.outputs[e]
			c, w := e.NewWriter(co)
			if e.Tag == "" {
				outs = append(outs, c)
			} else {
				if side == nil {
					side, sideEdges = make(map[string][]any), make(map[string]*Edge)
				}
				side[e.Tag] = append(side[e.Tag], c)
				sideEdges[e.Tag] = e
			}
			t.writers = append(t.writers, w)
			t.memberWriters[i] = append(t.memberWriters[i], w)
			t.channels = append(t.channels, co.Channels...)
		}
		ctx := &OperatorContext{
			Name: v.Name, Subtask: t.Subtask, Parallelism: v.Parallelism, MaxParallelism: v.MaxParallelism,
			KeyGroups: keygroup.RangeFor(t.Subtask, v.Parallelism, v.MaxParallelism),
			Logger:    t.cfg.Logger, Clock: t.cfg.Clock, task: t, member: i,
			inputWatermark: MinWatermark, outputWatermark: MinWatermark,
		}
		t.metrics[i].InputWatermark.Store(MinWatermark)
		t.metrics[i].OutputWatermark.Store(MinWatermark)
		if side != nil {
			ctx.SideOutputs = make(map[string]any, len(side))
			for tag, cs := range side {
				var uncounted int64 // side outputs are not in RecordsOut
				ctx.SideOutputs[tag] = sideEdges[tag].Fanout(cs, &uncounted)
			}
		}
		if t.restored != nil {
			ctx.Restored = t.restored[i]
			if err := t.strike(v.Name, FaultRestore, 0); err != nil {
				return err
			}
		}
		t.ctxs[i] = ctx
		op, err := v.New(ctx, v.Fanout(outs, &ctx.RecordsOut))
		if err != nil {
			var oe *OperatorError
			if errors.As(err, &oe) {
				return err
			}
			return &OperatorError{Operator: v.Name, Subtask: t.Subtask, Err: err}
		}
		t.ops[i] = op
		if ctx.Restored != nil {
			ev := TraceEvent{Kind: TraceRestore, Operator: v.Name, Checkpoint: t.restoredFrom}
			if p, ok := op.(interface{ Positions() string }); ok {
				ev.Detail = p.Positions()
			}
			t.trace(ev)
		}
	}
	if t.IsSource() {
		t.source = t.ops[0].(Source)
	}
	t.multi, _ = t.ops[0].(MultiInput)
	t.open, t.dataOpen = len(t.inputs), len(t.inputs)
	t.in = make([]inputState, len(t.inputs))
	for i := range t.in {
		t.in[i].watermark = MinWatermark
	}
	t.updateWakeAt()
	t.lastFlush = t.cfg.Clock.Now()
	return t.failure
}

// Start runs the operators' Start, once every task of the attempt has
// initialised; the task then runs.
func (t *Task) Start() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()}
		}
		if err != nil {
			t.fail(err)
		}
	}()
	for i, op := range t.ops {
		if s, ok := op.(Starter); ok {
			if err := s.Start(); err != nil {
				return &OperatorError{Operator: t.Members[i].Name, Subtask: t.Subtask, Err: err}
			}
		}
	}
	t.SetStatus(TaskRunning)
	return t.failure
}

// room reports whether every output channel has room for more batches.
func (t *Task) room() bool { return t.fullOutputs.Load() == 0 }

// pollable reports whether the source can be polled now.
func (t *Task) pollable() bool {
	return t.source != nil && !t.dataEnded && !t.closed && t.suspended == 0 && t.room() &&
		(t.lastPoll != SourceWaiting || t.available.Load())
}

// Ready appends to dst every step the task can take now: the control lane
// first, then a poll, then each readable input in line order. An input
// whose head is a batch is readable only while the outputs have room.
func (t *Task) Ready(dst []Work, inputs []int) ([]Work, []int) {
	if t.control.len() > 0 {
		dst = append(dst, Work{Kind: WorkControl})
	}
	if t.closed {
		return dst, inputs
	}
	if t.pollable() {
		dst = append(dst, Work{Kind: WorkPoll})
	}
	if t.timerDueNow() {
		dst = append(dst, Work{Kind: WorkTimer})
	}
	inputs = t.gate.appendReadable(inputs[:0], t.room())
	for _, i := range inputs {
		dst = append(dst, Work{Kind: WorkInput, Input: i})
	}
	if len(dst) == 0 && !t.room() {
		t.backpressure.begin(t.cfg.Clock.Now())
	}
	return dst, inputs
}

// Next returns the step the task takes first: control, then the input at
// the front of the line (round robin), then a poll. A step Next offers
// right after another, without a wait between them (Next found nothing),
// is timed from the end of that one.
func (t *Task) Next() (Work, bool) {
	w, ok := t.next()
	t.straight, t.stepped = ok && t.stepped, false
	if !ok && !t.closed && !t.room() {
		t.backpressure.begin(t.cfg.Clock.Now())
	}
	return w, ok
}

func (t *Task) next() (Work, bool) {
	if t.control.len() > 0 {
		return Work{Kind: WorkControl}, true
	}
	if t.closed {
		return Work{}, false
	}
	if i, ok := t.gate.next(t.room()); ok {
		return Work{Kind: WorkInput, Input: i}, true
	}
	if t.timerDueNow() {
		return Work{Kind: WorkTimer}, true
	}
	if t.pollable() {
		return Work{Kind: WorkPoll}, true
	}
	return Work{}, false
}

// Do takes step w, which Ready or Next offered. It returns done when the
// task has finished: its inputs closed (a source: it was told to finish),
// everything it emitted was sent followed by end of partition, and the
// control events that arrived before were handled. Unless the step was an
// idle poll, its time on the clock is added to the task's busy time.
func (t *Task) Do(w Work) (done bool, err error) {
	start := t.stepEnd
	if !t.straight {
		start = t.cfg.Clock.Now()
	}
	t.straight = false
	t.backpressure.end(start)
	var end time.Time // when the step's work ended: the flush's clock too
	sent := t.sent
	drained := false // the gate had nothing readable left after this step's pop
	idle := false    // a poll that found nothing to emit
	defer func() {
		if r := recover(); r != nil {
			t.fail(&OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()})
			done, err = false, t.failure
			end = t.cfg.Clock.Now()
		}
		t.publish()
		if !idle || t.sent != sent { // a flush is work
			t.busy.Add(int64(t.stepTick + end.Sub(start)))
		}
		t.stepEnd, t.stepped = end, true
	}()
	switch w.Kind {
	case WorkControl:
		if ev, ok := t.control.pop(); ok {
			done = t.handleControl(ev)
		}
	case WorkPoll:
		done, idle = t.poll()
	case WorkTimer:
		t.fireTimers()
	case WorkInput:
		var ev Event
		ev, drained = t.gate.pop(w.Input)
		ev.Input = w.Input
		done = t.handleInput(ev)
		if ev.Kind != EventBatch { // a barrier may have blocked inputs
			drained = t.gate.empty()
		}
	}
	end = t.cfg.Clock.Now()
	if !done && t.failure == nil {
		t.flushIfDue(w.Kind, drained, end)
	}
	t.updateWakeAt()
	t.afterRecords()
	if t.failure != nil {
		return false, t.failure
	}
	if done {
		// Notices the coordinator sent before the inputs closed (the final
		// checkpoint's completion) reach the operators first.
		for ev, ok := t.control.pop(); ok && t.failure == nil; ev, ok = t.control.pop() {
			t.handleControl(ev)
		}
		if t.failure != nil {
			return false, t.failure
		}
		t.trace(TraceEvent{Kind: TraceFinished})
	}
	return done, nil
}

// flushIfDue sends partly filled batches when nothing more is waiting to
// be read (a source: when it has nothing to emit) or when they have waited
// the buffer timeout (as of now), as Flink's output flusher does. drained
// says whether an input step left the gate with nothing readable.
func (t *Task) flushIfDue(kind WorkKind, drained bool, now time.Time) {
	var idle bool
	switch {
	case t.source != nil:
		idle = kind == WorkPoll && t.lastPoll == SourceWaiting || kind == WorkTimer && !t.pollable()
	case kind == WorkInput:
		idle = drained
	default:
		idle = t.gate.empty()
	}
	if idle || now.Sub(t.lastFlush) >= t.cfg.BufferTimeout {
		t.flush()
		t.lastFlush = now
	}
}

// afterRecords tells, after each step, how many records each operator of
// the chain has received (a source: emitted) to the Records hook, and asks
// the fault injector whether a record fault strikes.
func (t *Task) afterRecords() {
	if t.cfg.Faults == nil && t.cfg.Records == nil || t.failure != nil {
		return
	}
	for i, c := range t.ctxs {
		n := c.RecordsIn
		if i == 0 && t.IsSource() {
			n = c.RecordsOut
		}
		if t.cfg.Records != nil {
			t.cfg.Records(t.Members[i].Name, t.Subtask, n)
		}
		if err := t.strike(t.Members[i].Name, FaultRecord, n); err != nil {
			t.fail(err)
			return
		}
	}
}

// poll polls the source; idle reports a poll that found nothing to emit,
// which is no work.
func (t *Task) poll() (done, idle bool) {
	before := t.ctxs[0].RecordsOut
	t.available.Store(false) // a signal from now on is for the next poll
	t.lastPoll = t.source.Poll(t.cfg.BatchSize)
	emitted := t.ctxs[0].RecordsOut - before
	if t.cfg.tracer != nil { // per batch: build no event when nobody listens
		t.trace(TraceEvent{Kind: TracePoll, Records: int(emitted)})
	}
	switch {
	case t.failure != nil:
	case t.lastPoll == SourceDone:
		return t.sourceEnded(), false
	case t.lastPoll == SourceWaiting:
		return false, emitted == 0
	}
	return false, false
}

// sourceEnded ends a source task's data: operators flush, end of data goes
// downstream, and the coordinator is told, so the final checkpoint can be
// taken (without checkpoints the task finishes at once).
func (t *Task) sourceEnded() (done bool) {
	t.endData()
	if t.failure != nil {
		return false
	}
	if t.acker == nil {
		return t.closeOutputs()
	}
	t.acker.DataEnded(t)
	return false
}

// handleInput handles an event that arrived on input ev.Input.
func (t *Task) handleInput(ev Event) (done bool) {
	i := ev.Input
	s := &t.in[i]
	switch ev.Kind {
	case EventBatch:
		if t.cfg.tracer != nil { // per batch: build no event when nobody listens
			t.trace(TraceEvent{Kind: TraceBatchIn, Input: i, Channel: t.inputs[i].ID, Records: ev.Records})
		}
		t.processBatchEvent(ev)
		if ev.Recycler != nil {
			ev.Recycler.Recycle(ev.Batch)
		}
	case EventStatus:
		if s.idle != ev.Idle && !s.dataEnded {
			s.idle = ev.Idle
			// Back from idle behind the task's watermark, the input is
			// unaligned until it catches up (see combineWatermarks).
			s.unaligned = !ev.Idle && s.watermark < t.inputWatermark
			t.combineWatermarks()
		}
	case EventBarrier:
		t.barrier(i, ev.Checkpoint)
	case EventEndOfData:
		t.trace(TraceEvent{Kind: TraceEndOfData, Input: i, Channel: t.inputs[i].ID})
		t.inputDataEnded(i)
	case EventEndOfPartition:
		if s.closed {
			return false
		}
		t.trace(TraceEvent{Kind: TraceEndOfPartition, Input: i, Channel: t.inputs[i].ID})
		if !s.dataEnded {
			t.stopped = true // stopped, not drained: its data did not end
		}
		s.closed = true
		t.open--
		if t.aligning != 0 && s.barrier == t.aligning {
			t.arrived-- // counted among the open inputs no more
		}
		if t.aligning != 0 && t.arrived >= t.open {
			t.completeAlignment()
		}
		if t.open == 0 {
			return t.closeOutputs()
		}
	}
	return false
}

func (t *Task) inputDataEnded(i int) {
	s := &t.in[i]
	if s.dataEnded {
		return
	}
	s.dataEnded = true
	t.dataOpen--
	if t.multi != nil {
		t.logicalInputEnded(t.inputs[i].Logical)
	}
	if t.dataOpen == 0 {
		t.endData()
		return
	}
	t.combineWatermarks() // the input holds the watermark back no more
}

// handleControl handles an event of the control lane.
func (t *Task) handleControl(ev Event) (done bool) {
	switch ev.Kind {
	case EventTrigger:
		if t.closed || ev.Checkpoint <= t.lastDone {
			return false // finished: the checkpoint was triggered too late
		}
		t.trace(TraceEvent{Kind: TraceTrigger, Checkpoint: ev.Checkpoint})
		t.aligning, t.alignStart = ev.Checkpoint, t.cfg.Clock.Now()
		t.completeAlignment()
		if ev.Stop && t.source != nil {
			t.suspended = ev.Checkpoint
		}
	case EventComplete:
		t.trace(TraceEvent{Kind: TraceCompleted, Checkpoint: ev.Checkpoint})
		for i, op := range t.ops {
			if c, ok := op.(Checkpointed); ok {
				if err := t.strike(t.Members[i].Name, FaultCommit, ev.Checkpoint); err != nil {
					t.fail(err)
					return false
				}
				if err := c.NotifyCheckpointComplete(ev.Checkpoint); err != nil {
					t.ctxs[i].Fail(fmt.Errorf("checkpoint %d complete: %w", ev.Checkpoint, err))
					return false
				}
			}
		}
	case EventAbort:
		t.trace(TraceEvent{Kind: TraceAborted, Checkpoint: ev.Checkpoint})
		for _, op := range t.ops {
			if c, ok := op.(Checkpointed); ok {
				c.NotifyCheckpointAborted(ev.Checkpoint)
			}
		}
		// An aborted checkpoint releases its alignment; its late barriers
		// count for nothing.
		if t.aligning != 0 && ev.Checkpoint >= t.aligning {
			t.releaseAlignment()
		}
		if t.suspended != 0 && ev.Checkpoint >= t.suspended {
			t.suspended = 0 // the stop failed: the job goes on
		}
		t.lastDone = max(t.lastDone, ev.Checkpoint)
	case EventFinish:
		t.trace(TraceEvent{Kind: TraceFinish})
		if ev.Stop {
			t.stopped = true
		}
		return t.closeOutputs()
	case EventDrain:
		if t.source != nil && !t.dataEnded && !t.closed {
			return t.sourceEnded()
		}
	}
	return false
}

// barrier handles barrier id on input i.
func (t *Task) barrier(i int, id int64) {
	t.trace(TraceEvent{Kind: TraceBarrier, Input: i, Channel: t.inputs[i].ID, Checkpoint: id})
	s := &t.in[i]
	if id <= s.barrier {
		return // a stale barrier, from before a restore
	}
	s.barrier = id
	if id <= t.lastDone || id < t.aligning {
		// A late barrier of a checkpoint that completed here or was
		// aborted, or one older than the checkpoint being aligned: it must
		// not count toward a newer one.
		return
	}
	if id > t.aligning {
		// A newer checkpoint: the one still aligning here was aborted by
		// the coordinator, and its notice has not arrived yet.
		t.releaseAlignment()
		t.aligning, t.alignStart = id, t.cfg.Clock.Now()
	}
	t.arrived++
	if t.arrived >= t.open {
		t.completeAlignment()
		return
	}
	if t.cfg.Mode == ExactlyOnce {
		t.gate.block(i)
		t.blocked = append(t.blocked, i)
		t.trace(TraceEvent{Kind: TraceBlocked, Input: i, Channel: t.inputs[i].ID, Checkpoint: id})
	}
}

// releaseAlignment ends the alignment in progress: blocked inputs are
// read again.
func (t *Task) releaseAlignment() {
	for _, i := range t.blocked {
		if t.cfg.tracer != nil {
			t.trace(TraceEvent{Kind: TraceUnblocked, Input: i, Channel: t.inputs[i].ID, Checkpoint: t.aligning, Records: t.gate.Pending(i)})
		}
		t.gate.unblock(i)
	}
	t.blocked = t.blocked[:0]
	t.aligning, t.arrived = 0, 0
}

// completeAlignment snapshots the chain for the checkpoint being aligned,
// forwards its barrier, acknowledges, and releases blocked inputs.
func (t *Task) completeAlignment() {
	id := t.aligning
	alignment := t.cfg.Clock.Now().Sub(t.alignStart)
	for i, op := range t.ops {
		if p, ok := op.(PreBarrier); ok {
			if err := p.PrepareSnapshotPreBarrier(id); err != nil {
				t.ctxs[i].Fail(fmt.Errorf("prepare checkpoint %d: %w", id, err))
			}
			if t.failure != nil {
				return
			}
		}
	}
	syncStart := t.cfg.Clock.Now()
	states := make([]OperatorState, len(t.ops))
	var size int64
	for i, op := range t.ops {
		c, ok := op.(Checkpointed)
		if !ok {
			continue
		}
		if err := t.strike(t.Members[i].Name, FaultSnapshot, id); err != nil {
			t.fail(err)
			return
		}
		st, err := c.SnapshotState(id)
		if err != nil {
			t.ctxs[i].Fail(fmt.Errorf("snapshot for checkpoint %d: %w", id, err))
			return
		}
		states[i] = st
		size += st.size()
	}
	sync := t.cfg.Clock.Now().Sub(syncStart)
	t.flush()
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventBarrier, Checkpoint: id})
	}
	t.trace(TraceEvent{Kind: TraceSnapshot, Checkpoint: id, Size: size})
	if t.acker != nil {
		t.acker.Ack(t, id, states, SubtaskCheckpointStats{Task: t.Name, Subtask: t.Subtask, Alignment: alignment, Sync: sync, Size: size})
		t.trace(TraceEvent{Kind: TraceAck, Checkpoint: id})
	}
	t.lastDone = id
	t.releaseAlignment()
}

// endData ends the chain's input: operators emit what they buffer, and end
// of data goes downstream.
func (t *Task) endData() {
	if t.dataEnded {
		return
	}
	t.dataEnded = true
	t.trace(TraceEvent{Kind: TraceEndOfInput})
	// The final watermark, as Flink's MAX_WATERMARK at the end of input:
	// every event-time timer fires before the operators flush.
	if t.source != nil {
		t.ctxs[0].EmitWatermark(MaxWatermark)
	} else {
		t.advanceInputWatermark(MaxWatermark)
	}
	if t.failure != nil {
		return
	}
	for _, op := range t.ops {
		op.EndInput()
		if t.failure != nil {
			return
		}
	}
	t.flush()
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventEndOfData})
	}
}

// closeOutputs ends the task: end of partition on every output, after
// end of data unless the task was stopped without drain.
func (t *Task) closeOutputs() bool {
	if !t.stopped {
		t.endData()
	}
	if t.failure != nil {
		return false
	}
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventEndOfPartition})
	}
	t.closed = true
	return t.failure == nil
}

func (t *Task) flush() {
	for _, w := range t.writers {
		w.Flush()
	}
}

// Close closes every operator and returns their errors, joined.
func (t *Task) Close() error {
	var errs []error
	for i, op := range t.ops {
		if op == nil {
			continue
		}
		if err := closeOperator(op); err != nil {
			errs = append(errs, &OperatorError{Operator: t.Members[i].Name, Subtask: t.Subtask, Err: fmt.Errorf("close: %w", err)})
		}
	}
	return errors.Join(errs...)
}

func closeOperator(op Operator) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = panicError(r)
		}
	}()
	return op.Close()
}

// send puts ev on channel ch: into the consumer's input gate, which never
// refuses it (see InputGate for the bound).
func (t *Task) send(ch *Channel, ev Event) {
	if t.failure != nil {
		return
	}
	if t.closed {
		// An operator emitted after end of partition (from a completion
		// notice, say): the record cannot be delivered, so the task fails
		// rather than lose it.
		t.fail(&OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: ErrEmitAfterEnd})
		return
	}
	if ev.Kind == EventBatch {
		if t.cfg.tracer != nil { // per batch: build no event when nobody listens
			t.trace(TraceEvent{Kind: TraceBatchOut, Input: ch.Input, Channel: ch.ID, Records: ev.Records})
		}
	}
	ev.Input = ch.Input
	ch.To.gate.push(ch.Input, ev)
	t.sent++
}

func (t *Task) fail(err error) {
	if t.failure == nil {
		t.failure = err
		t.trace(TraceEvent{Kind: TraceFailure, Err: err, Detail: err.Error()})
	}
}

// strike asks the job's fault injector whether a fault hits operator op.
func (t *Task) strike(op string, point FaultPoint, n int64) error {
	if t.cfg.Faults == nil {
		return nil
	}
	if err := t.cfg.Faults.Strike(op, t.Subtask, point, n); err != nil {
		return &OperatorError{Operator: op, Subtask: t.Subtask, Err: err}
	}
	return nil
}

// trace reports ev as the task's, if the job is traced.
func (t *Task) trace(ev TraceEvent) {
	if t.cfg.tracer == nil {
		return
	}
	ev.TaskID, ev.Task, ev.Subtask = t.ID, t.Name, t.Subtask
	switch {
	case !ev.Kind.OnChannel():
		ev.Input, ev.Channel, ev.Producer = -1, -1, -1
	case ev.Kind == TraceBatchOut:
		ev.Producer = t.ID
	default:
		ev.Producer = t.inputs[ev.Input].From.ID
	}
	t.cfg.tracer.emit(ev)
}

func (t *Task) publish() {
	for i, c := range t.ctxs {
		if c == nil {
			continue
		}
		t.metrics[i].RecordsIn.Store(c.RecordsIn)
		t.metrics[i].RecordsOut.Store(c.RecordsOut)
	}
}
