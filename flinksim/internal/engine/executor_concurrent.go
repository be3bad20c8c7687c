package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ConcurrentExecutor runs each task on its own goroutine, connected by
// bounded Go channels: a full consumer blocks its producers (backpressure).
// The checkpoint coordinator runs on a goroutine of its own; tasks and
// coordinator talk through mailboxes that never block.
type ConcurrentExecutor struct {
	// InboxBatches bounds each task's inbox, in batches per input channel
	// (default 4).
	InboxBatches int
	// IdleBackoff is how long a source that reported idle waits before the
	// next poll (default 1ms).
	IdleBackoff time.Duration
	Clock       Clock
}

type taskFailure struct {
	task *Task
	err  error
}

func (f *taskFailure) Error() string { return f.err.Error() }

type chanOutbox struct {
	ctx     context.Context
	inboxes []chan Event
}

func (o *chanOutbox) Send(ch *Channel, ev Event) error {
	select {
	case o.inboxes[ch.To.ID] <- ev:
		return nil
	case <-o.ctx.Done():
		return fmt.Errorf("%w: %w", ErrCanceled, context.Cause(o.ctx))
	}
}

// mailboxAcker forwards acknowledgements to the coordinator's goroutine.
type mailboxAcker struct {
	coord *Coordinator
	box   *mailbox[func()]
}

func (a mailboxAcker) Ack(t *Task, id int64, states []OperatorState, stats SubtaskCheckpointStats) {
	a.box.put(func() { a.coord.Ack(t, id, states, stats) })
}

func (a mailboxAcker) DataEnded(t *Task) { a.box.put(func() { a.coord.DataEnded(t) }) }

// Sleep implements Executor.
func (x ConcurrentExecutor) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-x.Clock.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run implements Executor.
func (x ConcurrentExecutor) Run(parent context.Context, eg *ExecutionGraph, coord *Coordinator) error {
	per := x.InboxBatches
	if per <= 0 {
		per = 4
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	out := &chanOutbox{ctx: ctx, inboxes: make([]chan Event, len(eg.Tasks))}
	controls := make([]*mailbox[Event], len(eg.Tasks))
	for _, t := range eg.Tasks {
		out.inboxes[t.ID] = make(chan Event, per*max(len(t.inputs), 1))
		controls[t.ID] = newMailbox[Event]()
	}
	coordBox := newMailbox[func()]()
	ack := acker(coord, func(c Acker) Acker { return mailboxAcker{coord: coord, box: coordBox} })
	var tasks, coordinator sync.WaitGroup
	coordCtx, stopCoord := context.WithCancel(ctx)
	if coord != nil {
		coord.Attach(eg.Tasks, func(t *Task, ev Event) { controls[t.ID].put(ev) })
		coordinator.Go(func() {
			if err := x.runCoordinator(coordCtx, coord, coordBox); err != nil {
				cancel(&taskFailure{err: err})
			}
		})
	}
	for _, t := range eg.Tasks {
		tasks.Go(func() {
			if err := x.runTask(ctx, t, out, controls[t.ID], ack); err != nil {
				cancel(&taskFailure{task: t, err: err})
			}
		})
	}
	tasks.Wait()
	stopCoord()
	coordinator.Wait()
	var tf *taskFailure
	if cause := context.Cause(ctx); errors.As(cause, &tf) {
		finalStatus(eg, tf.task)
		return tf.err
	}
	finalStatus(eg, nil)
	if err := parent.Err(); err != nil {
		return fmt.Errorf("%w: %w", ErrCanceled, context.Cause(parent))
	}
	return nil
}

// runCoordinator ticks the coordinator when it is due and runs what tasks
// sent it, until ctx ends. It returns the coordinator's fatal error.
func (x ConcurrentExecutor) runCoordinator(ctx context.Context, coord *Coordinator, box *mailbox[func()]) error {
	for {
		coord.Tick()
		if err := coord.Fatal(); err != nil {
			return err
		}
		var timer <-chan time.Time
		if due := coord.NextDue(); !due.IsZero() {
			timer = x.Clock.After(due.Sub(x.Clock.Now()))
		}
		select {
		case <-box.signal:
			for _, f := range box.take() {
				f()
			}
		case <-coord.Wake():
		case <-timer:
		case <-ctx.Done():
			return nil
		}
	}
}

// runTask returns the task's own failure; a task stopped because the job
// was cancelled returns nil.
func (x ConcurrentExecutor) runTask(ctx context.Context, t *Task, out *chanOutbox, control *mailbox[Event], ack Acker) (err error) {
	defer func() { // closes the operators Init opened, even if it failed
		if cerr := t.Close(); err == nil && ctx.Err() == nil {
			err = cerr
		}
	}()
	if err := t.Init(out, ack); err != nil {
		return err
	}
	t.SetStatus(TaskRunning)
	// step runs one event; it reports whether the task is over.
	step := func(ev Event) (bool, error) {
		done, err := t.Step(ev)
		if err != nil {
			if ctx.Err() != nil {
				return true, nil // the job is going down; the cause is elsewhere
			}
			return true, err
		}
		if done {
			// Notices the coordinator sent before the inputs closed (the
			// final checkpoint's completion) reach the operators first.
			for _, ev := range control.take() {
				if _, err := t.Step(ev); err != nil && ctx.Err() == nil {
					return true, err
				}
			}
			t.SetStatus(TaskFinished)
		}
		return done, nil
	}
	controlSteps := func() (bool, error) {
		for _, ev := range control.take() {
			if over, err := step(ev); over {
				return true, err
			}
		}
		return false, nil
	}
	if t.IsSource() {
		return x.runSource(ctx, t, control, step, controlSteps)
	}
	inbox := out.inboxes[t.ID]
	for {
		select {
		case ev := <-inbox:
			if over, err := step(ev); over {
				return err
			}
			if len(inbox) == 0 {
				if over, err := step(Event{Kind: EventIdle}); over {
					return err
				}
			}
		case <-control.signal:
			if over, err := controlSteps(); over {
				return err
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (x ConcurrentExecutor) runSource(ctx context.Context, t *Task, control *mailbox[Event],
	step func(Event) (bool, error), controlSteps func() (bool, error)) error {
	bufferTimeout := t.cfg.BufferTimeout
	if bufferTimeout <= 0 {
		bufferTimeout = 100 * time.Millisecond
	}
	backoff := x.IdleBackoff
	if backoff <= 0 {
		backoff = time.Millisecond
	}
	lastFlush := x.Clock.Now()
	for ctx.Err() == nil {
		if over, err := controlSteps(); over {
			return err
		}
		if t.DataEnded() {
			select { // wait for the final checkpoint and the finish
			case <-control.signal:
			case <-ctx.Done():
			}
			continue
		}
		if over, err := step(Event{Kind: EventPoll}); over {
			return err
		}
		idle := t.LastPoll == SourceIdle
		if now := x.Clock.Now(); idle || now.Sub(lastFlush) >= bufferTimeout {
			lastFlush = now
			if over, err := step(Event{Kind: EventIdle}); over {
				return err
			}
		}
		if idle {
			select {
			case <-x.Clock.After(backoff):
			case <-control.signal: // taken at the top of the loop
			case <-ctx.Done():
			}
		}
	}
	return nil
}
