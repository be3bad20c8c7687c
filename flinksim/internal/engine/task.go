package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
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

// Outbox delivers events to channels. The concurrent executor's outbox
// blocks while the consumer is full (backpressure); the simulation's
// queues them.
type Outbox interface {
	Send(ch *Channel, ev Event) error
}

// Acker receives what tasks report to the checkpoint coordinator.
type Acker interface {
	// Ack reports that t took its snapshot of checkpoint id.
	Ack(t *Task, id int64, states []OperatorState, stats SubtaskCheckpointStats)
	// DataEnded reports that source task t has emitted all its records.
	DataEnded(t *Task)
}

// inputState is what a task knows of one input channel.
type inputState struct {
	dataEnded bool  // end of data seen
	closed    bool  // end of partition seen
	barrier   int64 // the last barrier seen
	blocked   bool  // held back by exactly-once alignment
}

// Task runs one subtask of a chain of operators. It is a synchronous step
// machine: an executor calls Step with one event at a time, from one
// goroutine at a time.
type Task struct {
	ID        int
	Name      string // the chain's operator names, joined by " -> "
	Subtask   int
	Members   []*Vertex
	Placement Placement

	inputs    []*Channel
	outputs   map[*Edge]*ChannelOutput
	consumers map[*Vertex][]*Edge
	cfg       Config
	restored  []*RestoredState // per member, nil when starting empty

	ops      []Operator
	ctxs     []*OperatorContext
	source   Source
	writers  []Writer
	channels []*Channel // every output channel
	failure  error
	outbox   Outbox
	acker    Acker

	in        []inputState
	open      int // inputs not closed
	dataOpen  int // inputs whose data has not ended
	dataEnded bool
	closed    bool // end of partition sent: the task is done
	// Alignment of the checkpoint in progress (0: none).
	aligning   int64
	arrived    int
	alignStart time.Time
	held       []Event // events of blocked inputs, in arrival order

	// LastPoll is what the source said at the last poll.
	LastPoll SourceStatus

	status  atomic.Int32
	metrics []OperatorMetrics
}

// OperatorMetrics are the counters of one operator subtask.
type OperatorMetrics struct {
	Operator   string
	Subtask    int
	RecordsIn  atomic.Int64
	RecordsOut atomic.Int64
}

// Status returns the task's status; safe from any goroutine.
func (t *Task) Status() TaskStatus { return TaskStatus(t.status.Load()) }

// SetStatus sets the task's status.
func (t *Task) SetStatus(s TaskStatus) { t.status.Store(int32(s)) }

// Metrics returns the task's per-operator counters, as of its last step.
func (t *Task) Metrics() []OperatorMetrics { return t.metrics }

// IsSource reports whether the task's head is a source.
func (t *Task) IsSource() bool { return t.Members[0].IsSource }

// DataEnded reports whether the task has processed all its records (a
// source: emitted them). It keeps taking part in checkpoints until its
// inputs close (a source: until EventFinish).
func (t *Task) DataEnded() bool { return t.dataEnded }

// Emitted returns how many records the task's head operator has emitted.
func (t *Task) Emitted() int64 { return t.ctxs[0].RecordsOut }

// Inputs returns the task's input channels.
func (t *Task) Inputs() []*Channel { return t.inputs }

// Blocked reports whether input i is held back by alignment.
func (t *Task) Blocked(i int) bool { return t.in[i].blocked }

// OutputChannels returns every channel the task sends on.
func (t *Task) OutputChannels() []*Channel { return t.channels }

// String names the task as "name (i)".
func (t *Task) String() string { return fmt.Sprintf("%s (%d)", t.Name, t.Subtask) }

// Init builds the task's operators, last member first so each can be
// handed its consumers, restoring their state if the task has any.
func (t *Task) Init(outbox Outbox, acker Acker) (err error) {
	building := t.Name // the operator being built, for a panic's error
	defer func() {
		if r := recover(); r != nil {
			err = &OperatorError{Operator: building, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()}
		}
	}()
	t.outbox, t.acker = outbox, acker
	t.SetStatus(TaskInitializing)
	n := len(t.Members)
	t.ops = make([]Operator, n)
	t.ctxs = make([]*OperatorContext, n)
	index := make(map[*Vertex]int, n)
	for i, m := range t.Members {
		index[m] = i
	}
	for i := n - 1; i >= 0; i-- {
		v := t.Members[i]
		building = v.Name
		var outs []any
		for _, e := range t.consumers[v] {
			if j, ok := index[e.To]; ok && chained(e) {
				outs = append(outs, t.ops[j])
				continue
			}
			co := t.outputs[e]
			c, w := e.NewWriter(co)
			outs = append(outs, c)
			t.writers = append(t.writers, w)
			t.channels = append(t.channels, co.Channels...)
		}
		ctx := &OperatorContext{
			Name: v.Name, Subtask: t.Subtask, Parallelism: v.Parallelism, MaxParallelism: v.MaxParallelism,
			KeyGroups: keygroup.RangeFor(t.Subtask, v.Parallelism, v.MaxParallelism),
			Logger:    t.cfg.Logger, Clock: t.cfg.Clock, task: t,
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
	}
	if t.IsSource() {
		t.source = t.ops[0].(Source)
	}
	t.open, t.dataOpen = len(t.inputs), len(t.inputs)
	t.in = make([]inputState, len(t.inputs))
	return t.failure
}

// Step handles one event. It returns done when the task has finished: its
// inputs closed (a source: it was told to finish) and everything it
// emitted was sent, followed by end of partition.
func (t *Task) Step(ev Event) (done bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			t.fail(&OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()})
			done, err = false, t.failure
		}
		t.publish()
	}()
	done = t.handle(ev)
	t.recordFaults()
	if t.failure != nil {
		return false, t.failure
	}
	return done, nil
}

// recordFaults asks the fault injector, after each step, whether a record
// fault strikes any operator of the chain: after n records received (a
// source: emitted).
func (t *Task) recordFaults() {
	if t.cfg.Faults == nil || t.failure != nil {
		return
	}
	for i, c := range t.ctxs {
		n := c.RecordsIn
		if i == 0 && t.IsSource() {
			n = c.RecordsOut
		}
		if err := t.strike(t.Members[i].Name, FaultRecord, n); err != nil {
			t.fail(err)
			return
		}
	}
}

func (t *Task) handle(ev Event) (done bool) {
	if ev.Kind.onChannel() && t.in[ev.Input].blocked {
		t.held = append(t.held, ev)
		return false
	}
	switch ev.Kind {
	case EventPoll:
		if t.dataEnded {
			return false
		}
		t.LastPoll = t.source.Poll(t.cfg.BatchSize)
		if t.LastPoll == SourceDone && t.failure == nil {
			t.endData()
			if t.acker == nil { // no checkpoints: nothing to wait for
				return t.closeOutputs()
			}
			t.acker.DataEnded(t)
		}
	case EventBatch:
		t.ops[0].ProcessBatch(ev.Batch)
		if ev.Recycler != nil {
			ev.Recycler.Recycle(ev.Batch)
		}
	case EventBarrier:
		return t.barrier(ev)
	case EventEndOfData:
		if s := &t.in[ev.Input]; !s.dataEnded {
			s.dataEnded = true
			t.dataOpen--
			if t.dataOpen == 0 {
				t.endData()
			}
		}
	case EventEndOfPartition:
		s := &t.in[ev.Input]
		if s.closed {
			return false
		}
		if !s.dataEnded {
			t.handle(Event{Kind: EventEndOfData, Input: ev.Input})
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
	case EventIdle:
		t.flush()
	case EventTrigger:
		if t.closed {
			return false // finished: the checkpoint was triggered too late
		}
		t.aligning, t.alignStart = ev.Checkpoint, t.cfg.Clock.Now()
		t.completeAlignment()
	case EventComplete:
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
		for _, op := range t.ops {
			if c, ok := op.(Checkpointed); ok {
				c.NotifyCheckpointAborted(ev.Checkpoint)
			}
		}
	case EventFinish:
		return t.closeOutputs()
	}
	return false
}

// barrier handles barrier ev.Checkpoint on input ev.Input.
func (t *Task) barrier(ev Event) bool {
	s := &t.in[ev.Input]
	if ev.Checkpoint <= s.barrier {
		return false // a stale barrier, from before a restore
	}
	s.barrier = ev.Checkpoint
	if ev.Checkpoint > t.aligning {
		// A newer checkpoint: one still aligning here was aborted by the
		// coordinator (only at-least-once can get here, since exactly-once
		// blocks the inputs that delivered the older barrier).
		t.aligning, t.arrived, t.alignStart = ev.Checkpoint, 0, t.cfg.Clock.Now()
	}
	t.arrived++
	if t.cfg.Mode == ExactlyOnce {
		s.blocked = true
	}
	if t.arrived >= t.open {
		t.completeAlignment()
	}
	return false
}

// completeAlignment snapshots the chain for the checkpoint being aligned,
// forwards its barrier, acknowledges, and releases blocked inputs.
func (t *Task) completeAlignment() {
	id := t.aligning
	alignment := t.cfg.Clock.Now().Sub(t.alignStart)
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
		size += int64(len(st.Keyed))
		for _, e := range st.List {
			size += int64(len(e))
		}
	}
	sync := t.cfg.Clock.Now().Sub(syncStart)
	t.flush()
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventBarrier, Checkpoint: id})
	}
	if t.acker != nil {
		t.acker.Ack(t, id, states, SubtaskCheckpointStats{Task: t.Name, Subtask: t.Subtask, Alignment: alignment, Sync: sync, Size: size})
	}
	t.aligning, t.arrived = 0, 0
	for i := range t.in {
		t.in[i].blocked = false
	}
	held := t.held
	t.held = nil
	for _, ev := range held {
		if t.failure != nil {
			return
		}
		t.handle(ev)
	}
}

// endData ends the chain's input: operators emit what they buffer, and end
// of data goes downstream.
func (t *Task) endData() {
	if t.dataEnded {
		return
	}
	t.dataEnded = true
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

// closeOutputs ends the task: end of partition on every output.
func (t *Task) closeOutputs() bool {
	t.endData()
	if t.failure != nil {
		return false
	}
	t.closed = true
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventEndOfPartition})
	}
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

func (t *Task) send(ch *Channel, ev Event) {
	if t.failure != nil {
		return
	}
	ev.Input = ch.Input
	if err := t.outbox.Send(ch, ev); err != nil {
		t.fail(err)
	}
}

func (t *Task) fail(err error) {
	if t.failure == nil {
		t.failure = err
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

func (t *Task) publish() {
	for i, c := range t.ctxs {
		t.metrics[i].RecordsIn.Store(c.RecordsIn)
		t.metrics[i].RecordsOut.Store(c.RecordsOut)
	}
}
