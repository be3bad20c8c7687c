package engine

import (
	"context"
	"errors"
	"time"
)

// Executor drives the tasks of an execution graph (and the checkpoint
// coordinator, if any) until they all finish, one fails, or ctx is
// cancelled. Run returns only after every goroutine it started has exited
// and every task is closed. It returns nil when all tasks finished, the
// first failure, or an error wrapping ErrCanceled.
type Executor interface {
	Run(ctx context.Context, eg *ExecutionGraph, coord *Coordinator) error
	// Sleep waits d between attempts (the simulation only moves its
	// virtual clock); it returns early with ctx's error.
	Sleep(ctx context.Context, d time.Duration) error
}

// ErrCanceled reports a job stopped by cancellation.
var ErrCanceled = errors.New("flinksim: job canceled")

// finalStatus sets the status of every task that did not finish.
func finalStatus(eg *ExecutionGraph, failed *Task) {
	for _, t := range eg.Tasks {
		switch {
		case t == failed:
			t.SetStatus(TaskFailed)
		case t.Status() != TaskFinished:
			t.SetStatus(TaskCanceled)
		}
	}
}
