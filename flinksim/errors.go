package flinksim

import (
	"errors"
	"fmt"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// OperatorError is the failure of one subtask of an operator: an error
// returned by a user function, or a panic in one (then Err wraps ErrPanic
// and Stack holds the goroutine's stack). Use errors.As to get it from a
// job's error.
type OperatorError struct {
	// Operator is the name of the operator that failed.
	Operator string
	// Subtask is the index of the failed subtask.
	Subtask int
	// Err is the cause.
	Err error
	// Stack is the goroutine's stack when the failure was a panic.
	Stack []byte
}

func (e *OperatorError) Error() string {
	return fmt.Sprintf("operator %q subtask %d: %v", e.Operator, e.Subtask, e.Err)
}

// Unwrap returns the cause.
func (e *OperatorError) Unwrap() error { return e.Err }

func init() {
	engine.OperatorErrorAs = func(e *engine.OperatorError, target any) bool {
		p, ok := target.(**OperatorError)
		if ok {
			*p = &OperatorError{Operator: e.Operator, Subtask: e.Subtask, Err: e.Err, Stack: e.Stack}
		}
		return ok
	}
}

// Errors reported when a graph is built or a job runs. Graph errors are
// reported by Execute and Start, joined, and match with errors.Is.
var (
	// ErrEmptyGraph: the environment has no operators.
	ErrEmptyGraph = engine.ErrEmptyGraph
	// ErrNoSink: the graph has operators but no sink.
	ErrNoSink = engine.ErrNoSink
	// ErrDuplicateName: two operators share a name, or a UID.
	ErrDuplicateName = engine.ErrDuplicateName
	// ErrInvalidParallelism: parallelism below 1 or above max parallelism.
	ErrInvalidParallelism = engine.ErrInvalidParallelism
	// ErrForwardParallelism: Forward between operators of different parallelism.
	ErrForwardParallelism = engine.ErrForwardParallelism
	// ErrNotEnoughSlots: the task managers offer fewer slots than the job needs.
	ErrNotEnoughSlots = engine.ErrNotEnoughSlots
	// ErrInvalidStream: a stream not made by this package's functions (a
	// zero value), or one from another environment.
	ErrInvalidStream = errors.New("flinksim: invalid stream")
	// ErrInvalidOperator: an operator with an empty name or a nil function.
	ErrInvalidOperator = errors.New("flinksim: invalid operator")
	// ErrAlreadyExecuted: Execute or Start was called twice on one environment.
	ErrAlreadyExecuted = errors.New("flinksim: environment already executed")
	// ErrCanceled: the job was cancelled (Cancel, or its context ended).
	ErrCanceled = engine.ErrCanceled
	// ErrStalled: the simulation has unfinished tasks and nothing to do
	// (a runtime bug, reported rather than hung on).
	ErrStalled = engine.ErrStalled
	// ErrPanic: a user function panicked; see OperatorError.
	ErrPanic = engine.ErrPanic
	// ErrGoexit: a user function ended its goroutine with runtime.Goexit,
	// as testing's Fatal, FailNow and SkipNow do when called inside a
	// job's function; the subtask fails (see OperatorError). Return an
	// error from the function instead.
	ErrGoexit = engine.ErrGoexit
	// ErrUnstableKey: a KeyBy key type without a codec whose bytes are the
	// same in every process; KeyByCodec takes one.
	ErrUnstableKey = errors.New("flinksim: key type needs a stable codec")
	// ErrStateConflict: one state name registered with two different types.
	ErrStateConflict = state.ErrConflict
	// ErrNoKey: keyed state used where no key is current.
	ErrNoKey = state.ErrNoKey
)
