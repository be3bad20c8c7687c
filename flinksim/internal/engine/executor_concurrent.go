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
type ConcurrentExecutor struct {
	// InboxBatches bounds each task's inbox, in batches per input channel
	// (default 4).
	InboxBatches int
	// IdleBackoff is how long a source that reported idle waits before the
	// next poll (default 1ms).
	IdleBackoff time.Duration
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

// Run implements Executor.
func (x ConcurrentExecutor) Run(parent context.Context, eg *ExecutionGraph) error {
	per := x.InboxBatches
	if per <= 0 {
		per = 4
	}
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	out := &chanOutbox{ctx: ctx, inboxes: make([]chan Event, len(eg.Tasks))}
	for _, t := range eg.Tasks {
		out.inboxes[t.ID] = make(chan Event, per*max(len(t.inputs), 1))
	}
	var wg sync.WaitGroup
	for _, t := range eg.Tasks {
		wg.Go(func() {
			if err := x.runTask(ctx, t, out); err != nil {
				cancel(&taskFailure{task: t, err: err})
			}
		})
	}
	wg.Wait()
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

// runTask returns the task's own failure; a task stopped because the job
// was cancelled returns nil.
func (x ConcurrentExecutor) runTask(ctx context.Context, t *Task, out *chanOutbox) (err error) {
	if err := t.Init(out); err != nil {
		return err
	}
	defer func() {
		if cerr := t.Close(); err == nil && ctx.Err() == nil {
			err = cerr
		}
	}()
	t.SetStatus(TaskRunning)
	stepErr := func(err error) error {
		if ctx.Err() != nil {
			return nil // the job is going down; the cause is elsewhere
		}
		return err
	}
	if t.IsSource() {
		for ctx.Err() == nil {
			done, err := t.Step(Event{Kind: EventPoll})
			if err != nil {
				return stepErr(err)
			}
			if done {
				t.SetStatus(TaskFinished)
				return nil
			}
			if t.LastPoll == SourceIdle {
				if _, err := t.Step(Event{Kind: EventIdle}); err != nil {
					return stepErr(err)
				}
				x.backoff(ctx)
			}
		}
		return nil
	}
	inbox := out.inboxes[t.ID]
	for {
		select {
		case ev := <-inbox:
			done, err := t.Step(ev)
			if err != nil {
				return stepErr(err)
			}
			if done {
				t.SetStatus(TaskFinished)
				return nil
			}
			if len(inbox) == 0 {
				if _, err := t.Step(Event{Kind: EventIdle}); err != nil {
					return stepErr(err)
				}
			}
		case <-ctx.Done():
			return nil
		}
	}
}

func (x ConcurrentExecutor) backoff(ctx context.Context) {
	d := x.IdleBackoff
	if d <= 0 {
		d = time.Millisecond
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}
