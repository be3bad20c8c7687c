package engine

import (
	"context"
	"errors"
)

// Executor drives the tasks of an execution graph until they all finish,
// one fails, or ctx is cancelled. Run returns only after every goroutine it
// started has exited and every task is closed. It returns nil when all
// tasks finished, the first task failure, or an error wrapping
// ErrCanceled.
type Executor interface {
	Run(ctx context.Context, eg *ExecutionGraph) error
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
