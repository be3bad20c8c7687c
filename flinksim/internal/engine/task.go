package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"

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
	return [...]string{"DEPLOYING", "INITIALIZING", "RUNNING", "FINISHED", "CANCELED", "FAILED"}[s]
}

// Outbox delivers events to channels. The concurrent executor's outbox
// blocks while the consumer is full (backpressure); the simulation's
// queues them.
type Outbox interface {
	Send(ch *Channel, ev Event) error
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

	ops      []Operator
	ctxs     []*OperatorContext
	source   Source
	writers  []Writer
	channels []*Channel // every output channel, for end of input
	open     int        // inputs not yet ended
	ended    []bool
	failure  error
	outbox   Outbox

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
func (t *Task) Metrics() []OperatorMetrics {
	return t.metrics
}

// IsSource reports whether the task's head is a source.
func (t *Task) IsSource() bool { return t.Members[0].IsSource }

// Inputs returns the task's input channels.
func (t *Task) Inputs() []*Channel { return t.inputs }

// OutputChannels returns every channel the task sends on.
func (t *Task) OutputChannels() []*Channel { return t.channels }

// String names the task as "name (i)".
func (t *Task) String() string { return fmt.Sprintf("%s (%d)", t.Name, t.Subtask) }

// Init builds the task's operators, last member first so each can be
// handed its consumers.
func (t *Task) Init(outbox Outbox) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()}
		}
	}()
	t.outbox = outbox
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
			Logger: t.cfg.Logger, Clock: t.cfg.Clock, task: t,
		}
		ctx.KeyGroups = keygroup.RangeFor(t.Subtask, v.Parallelism, v.MaxParallelism)
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
	t.open = len(t.inputs)
	t.ended = make([]bool, len(t.inputs))
	return t.failure
}

// Step handles one event. It returns done when the task has finished: its
// input ended and everything it emitted was sent, followed by end of input.
func (t *Task) Step(ev Event) (done bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			t.fail(&OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: panicError(r), Stack: debug.Stack()})
			done, err = false, t.failure
		}
		t.publish()
	}()
	switch ev.Kind {
	case EventPoll:
		t.LastPoll = t.source.Poll(t.cfg.BatchSize)
		if t.LastPoll == SourceDone && t.failure == nil {
			t.endInput()
			done = true
		}
	case EventBatch:
		t.ops[0].ProcessBatch(ev.Batch)
		if ev.Recycler != nil {
			ev.Recycler.Recycle(ev.Batch)
		}
	case EventEndOfInput:
		if !t.ended[ev.Input] {
			t.ended[ev.Input] = true
			t.open--
		}
		if t.open == 0 {
			t.endInput()
			done = true
		}
	case EventIdle:
		t.flush()
	}
	if t.failure != nil {
		return false, t.failure
	}
	return done, nil
}

func (t *Task) endInput() {
	for _, op := range t.ops {
		op.EndInput()
		if t.failure != nil {
			return
		}
	}
	t.flush()
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventEndOfInput})
	}
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

func (t *Task) publish() {
	for i, c := range t.ctxs {
		t.metrics[i].RecordsIn.Store(c.RecordsIn)
		t.metrics[i].RecordsOut.Store(c.RecordsOut)
	}
}
