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

// ErrGoexit marks the failure of a task whose goroutine was ended by
// runtime.Goexit inside a user function — what testing's Fatal, FailNow
// and SkipNow do.
var ErrGoexit = errors.New("flinksim: a user function ended its goroutine (runtime.Goexit; t.Fatal, t.FailNow and t.SkipNow do that): return an error instead")

// goexitFailure is the failure of task t, whose goroutine exited through
// runtime.Goexit.
func goexitFailure(t *Task) error {
	return &OperatorError{Operator: t.Name, Subtask: t.Subtask, Err: ErrGoexit}
}

// guardGoexit runs f and returns its result; if f ends the goroutine
// through runtime.Goexit instead of returning, onGoexit is called as the
// goroutine unwinds.
func guardGoexit(f func() error, onGoexit func()) error {
	returned := false
	defer func() {
		if !returned {
			onGoexit()
		}
	}()
	err := f()
	returned = true
	return err
}

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
