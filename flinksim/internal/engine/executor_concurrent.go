package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// ConcurrentExecutor runs each task on its own goroutine. A goroutine asks
// its task what it can do next and has it do that; when there is nothing,
// it waits for the task's wake signal (input arrived, an output has room
// again, a control event came). The checkpoint coordinator runs on a
// goroutine of its own; tasks and coordinator talk through mailboxes that
// never block.
type ConcurrentExecutor struct {
	Clock Clock
}

type taskFailure struct {
	task *Task
	err  error
}

func (f *taskFailure) Error() string { return f.err.Error() }

// coordBox carries the tasks' reports to the coordinator's goroutine.
type coordBox struct {
	box    mailbox[func()]
	signal chan struct{}
}

func (b *coordBox) put(f func()) {
	b.box.put(f)
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// mailboxAcker forwards acknowledgements to the coordinator's goroutine.
type mailboxAcker struct {
	coord *Coordinator
	box   *coordBox
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
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	box := &coordBox{signal: make(chan struct{}, 1)}
	var ack Acker
	var tasks, coordinator sync.WaitGroup
	coordCtx, stopCoord := context.WithCancel(ctx)
	defer stopCoord()
	if coord != nil {
		ack = mailboxAcker{coord: coord, box: box}
		coord.Attach(coordCtx, eg.Tasks)
		coordinator.Go(func() {
			if err := x.runCoordinator(coordCtx, coord, box); err != nil {
				cancel(&taskFailure{err: err})
			}
		})
	}
	for _, t := range eg.Tasks {
		tasks.Go(func() {
			err := guardGoexit(func() error { return x.runTask(ctx, eg, t, ack) },
				func() { cancel(&taskFailure{task: t, err: goexitFailure(t)}) })
			if err != nil {
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
func (x ConcurrentExecutor) runCoordinator(ctx context.Context, coord *Coordinator, box *coordBox) error {
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
			for f, ok := box.box.pop(); ok && ctx.Err() == nil; f, ok = box.box.pop() {
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
func (x ConcurrentExecutor) runTask(ctx context.Context, eg *ExecutionGraph, t *Task, ack Acker) (err error) {
	defer func() { // closes the operators Init opened, even if it failed
		if cerr := t.Close(); err == nil && ctx.Err() == nil {
			err = cerr
		}
	}()
	if err := eg.initTask(t, ack); err != nil {
		return err
	}
	select {
	case <-eg.Initialized(): // every task: none starts before all restored
	case <-ctx.Done():
		return nil
	}
	if eg.InitErr() != nil {
		return nil // the task that failed reports it
	}
	if err := t.Start(); err != nil {
		return err
	}
	done := ctx.Done()
	var timer wakeTimer
	for {
		select {
		case <-done:
			return nil
		default:
		}
		w, ok := t.Next()
		if !ok {
			select {
			case <-t.WakeC():
			case <-timer.arm(x.Clock, t):
				timer.fired()
			case <-done:
				return nil
			}
			continue
		}
		finished, err := t.Do(w)
		if err != nil {
			if ctx.Err() != nil {
				return nil // the job is going down; the cause is elsewhere
			}
			return err
		}
		if finished {
			t.SetStatus(TaskFinished)
			return nil
		}
	}
}

// wakeTimer wakes a waiting task when its processing-time work is due. It
// asks the clock for a new wait only when the work is due sooner than the
// wait it has, so a deadline that keeps moving later costs one wait, not
// one per move (a ManualClock keeps every wait until its time comes); a
// wait that ends early just has the task look again.
type wakeTimer struct {
	at time.Time
	c  <-chan time.Time
}

// arm returns the channel to wait on for t's timed work (nil: none).
func (w *wakeTimer) arm(clock Clock, t *Task) <-chan time.Time {
	due, ok := t.TimerDue()
	if !ok {
		return nil
	}
	if w.c == nil || due.Before(w.at) {
		w.at, w.c = due, clock.After(due.Sub(clock.Now()))
	}
	return w.c
}

// fired forgets the wait that ended.
func (w *wakeTimer) fired() { w.c = nil }
