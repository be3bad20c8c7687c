package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// Collector receives records of type T. Chained operators and partitioning
// writers are collectors; a collector records failures on its task instead
// of returning them, so a user function's output call stays a plain call.
type Collector[T any] interface {
	Collect(v T)
}

// Keyed is a record on a hash edge: the key and key group are computed once,
// by the sender, and travel with the value.
type Keyed[K comparable, T any] struct {
	Key      K
	KeyGroup int32
	Value    T
}

// Operator is one subtask's instance of a vertex, with its input type
// erased. A typed operator also implements Collector[In], which chained
// upstream operators call.
type Operator interface {
	// ProcessBatch handles the records from to to of a batch
	// (*Batch[In] or *Batch[Keyed[K, In]]) that arrived over a channel;
	// the task hands the batch's watermarks to the operator between such
	// calls. It must not keep the batch: it is reused.
	ProcessBatch(batch any, from, to int)
	// EndInput is called once after all input ended; operators that buffer
	// emit what they hold.
	EndInput()
	// Close releases resources. It is called once, whatever the outcome.
	Close() error
}

// MultiInput is implemented by operators with more than one logical input
// (Connect's two streams): the task hands them each batch with the logical
// input it came on (Edge.Input), and tells them when each input ends,
// before EndInput.
type MultiInput interface {
	ProcessBatchOf(input int, batch any, from, to int)
	EndInputOf(input int)
}

// WatermarkHandler is implemented by operators that act on watermarks:
// ProcessWatermark gets the operator's new input watermark (the minimum
// over its active inputs, as Flink's) and must forward it — or a smaller
// one, holding it back — with OperatorContext.EmitWatermark. Operators
// without it forward every watermark unchanged.
type WatermarkHandler interface {
	ProcessWatermark(wm int64)
}

// ProcessingTimer is implemented by operators with processing-time work
// (timers, periodic watermarks, idleness): once the job's clock reaches the
// time the operator asked for with OperatorContext.WakeAt, the task calls
// OnProcessingTime between records.
type ProcessingTimer interface {
	OnProcessingTime(now time.Time)
}

// SourceStatus is what a source reports after a poll.
type SourceStatus uint8

// Source statuses.
const (
	// SourceMore means more records are available now.
	SourceMore SourceStatus = iota
	// SourceWaiting means nothing is available now: the task polls the
	// source again once it calls OperatorContext.SignalAvailable, which it
	// may have done already, during the poll.
	SourceWaiting
	// SourceDone means the source is exhausted.
	SourceDone
)

// Source is the operator at the head of a source task.
type Source interface {
	Operator
	// Poll emits at most max records to the source's collector.
	Poll(max int) SourceStatus
}

// OperatorError is a failure of one subtask of an operator.
type OperatorError struct {
	Operator string
	Subtask  int
	Err      error
	// Stack is set when the failure was a panic.
	Stack []byte
}

func (e *OperatorError) Error() string {
	return fmt.Sprintf("operator %q subtask %d: %v", e.Operator, e.Subtask, e.Err)
}

func (e *OperatorError) Unwrap() error { return e.Err }

// OperatorErrorAs lets errors.As find e as the public package's operator
// error type: the public package sets it once, at init, to a function that
// fills target when it points at that type.
var OperatorErrorAs func(e *OperatorError, target any) bool

// As implements errors.As for the public operator error type.
func (e *OperatorError) As(target any) bool {
	return OperatorErrorAs != nil && OperatorErrorAs(e, target)
}

// ErrEmitAfterEnd marks an OperatorError of a task whose operator emitted
// a record after the task's output ended.
var ErrEmitAfterEnd = errors.New("flinksim: record emitted after the end of the output")

// ErrPanic marks an OperatorError caused by a panic in user code.
var ErrPanic = errors.New("flinksim: panic")

// Clock tells the time and wakes waiters.
type Clock interface {
	Now() time.Time
	// After returns a channel that receives the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// OperatorContext is what an operator instance knows of its place in the
// job. Its counters are written only by the task's goroutine.
type OperatorContext struct {
	Name           string
	Subtask        int
	Parallelism    int
	MaxParallelism int
	// KeyGroups is the range of key groups this subtask owns.
	KeyGroups keygroup.Range
	Logger    *zap.Logger
	Clock     Clock

	// Restored is the operator's state from a snapshot; nil when the
	// operator starts empty.
	Restored *RestoredState

	RecordsIn  int64
	RecordsOut int64

	// SideOutputs are the collectors (Collector[T] as any) of the side
	// outputs the job reads, by tag; a tag nobody reads is absent.
	SideOutputs map[string]any
	// UnreadSideOutput, if set, receives what is emitted to a side output
	// absent from SideOutputs, which is dropped otherwise: the operator
	// harness captures every side output this way.
	UnreadSideOutput func(tag string, v any)

	task   *Task
	member int // the operator's index in the task's chain
	// inputWatermark is the last watermark handed to the operator, and
	// outputWatermark the last it emitted.
	inputWatermark, outputWatermark int64
	// wakeAt is when the operator's processing-time work is due (zero:
	// none).
	wakeAt time.Time
}

// Timestamp returns the event timestamp of the record being processed
// (NoTimestamp if it has none); it is the timestamp of what the operator
// emits, unless SetTimestamp changes it.
func (c *OperatorContext) Timestamp() int64 { return c.task.timestamp }

// SetTimestamp sets the timestamp of the records emitted from now on, until
// the next record, timer or watermark.
func (c *OperatorContext) SetTimestamp(ts int64) { c.task.timestamp = ts }

// InputWatermark returns the operator's current input watermark.
func (c *OperatorContext) InputWatermark() int64 { return c.inputWatermark }

// EmitWatermark forwards watermark wm to the operator's consumers, after
// the records it emitted so far. A watermark not above the last one the
// operator emitted is dropped: watermarks only advance.
func (c *OperatorContext) EmitWatermark(wm int64) {
	if wm <= c.outputWatermark {
		return
	}
	c.outputWatermark = wm
	c.task.emitWatermark(c.member, wm)
}

// MarkIdle says the source will emit nothing for a while: consumers leave
// it out of their watermark until it emits again or calls MarkActive.
func (c *OperatorContext) MarkIdle() { c.task.setIdle(true) }

// MarkActive ends MarkIdle.
func (c *OperatorContext) MarkActive() { c.task.setIdle(false) }

// WakeAt asks for a call of the operator's OnProcessingTime (see
// ProcessingTimer) once the job's clock reaches at; the zero time cancels
// it. A later call replaces an earlier one.
func (c *OperatorContext) WakeAt(at time.Time) { c.wakeAt = at }

// Fail records err as this subtask's failure; the task stops after the
// current step and the job fails (or restarts).
func (c *OperatorContext) Fail(err error) {
	var oe *OperatorError
	if !errors.As(err, &oe) {
		err = &OperatorError{Operator: c.Name, Subtask: c.Subtask, Err: err}
	}
	c.task.fail(err)
}

// Trace reports an event of this operator (a transaction's pre-commit,
// commit or abort) to the job's tracer.
func (c *OperatorContext) Trace(kind TraceKind, checkpoint int64, detail string) {
	c.task.trace(TraceEvent{Kind: kind, Operator: c.Name, Checkpoint: checkpoint, Detail: detail})
}

// SignalAvailable tells the task that its source, which reported
// SourceWaiting, has records again; safe from any goroutine. A signal
// that arrives while the source is being polled counts for the next poll.
func (c *OperatorContext) SignalAvailable() { c.task.signalAvailable() }

// Checkpointing reports whether the job takes checkpoints.
func (c *OperatorContext) Checkpointing() bool { return c.task.acker != nil }

// Failed reports whether the task has failed; operators stop work early.
func (c *OperatorContext) Failed() bool { return c.task.failure != nil }

// Recover turns a panic in user code into this operator's failure. Use it
// as `defer ctx.Recover()` around calls into user functions.
func (c *OperatorContext) Recover() {
	if r := recover(); r != nil {
		c.task.fail(&OperatorError{Operator: c.Name, Subtask: c.Subtask, Err: panicError(r), Stack: debug.Stack()})
	}
}

// panicError turns a recovered value into an error that wraps ErrPanic and,
// when the value is an error, that error too.
func panicError(r any) error {
	if err, ok := r.(error); ok {
		return fmt.Errorf("%w: %w", ErrPanic, err)
	}
	return fmt.Errorf("%w: %v", ErrPanic, r)
}
