package engine

import (
	"fmt"
	"sync"
	"time"
)

// TraceKind is the kind of a TraceEvent.
type TraceKind uint8

// Trace event kinds. Tasks report what they did; the coordinator reports
// checkpoint outcomes (with Task empty); the job reports attempts.
const (
	// TraceAttempt: an attempt of the job starts (Detail "attempt N").
	TraceAttempt TraceKind = iota + 1
	// TracePoll: a source emitted Records records in one poll.
	TracePoll
	// TraceBatchIn: a batch of Records records arrived on Input (Channel).
	TraceBatchIn
	// TraceBatchOut: a batch of Records records was sent on Channel.
	TraceBatchOut
	// TraceBarrier: barrier Checkpoint arrived on Input.
	TraceBarrier
	// TraceBlocked: Input is blocked by the alignment of Checkpoint.
	TraceBlocked
	// TraceUnblocked: Input is read again (alignment of Checkpoint ended);
	// Records events had waited in its queue.
	TraceUnblocked
	// TraceTrigger: a source was told to take Checkpoint.
	TraceTrigger
	// TraceSnapshot: the task snapshotted its operators for Checkpoint
	// (Size bytes of state) and forwarded the barrier.
	TraceSnapshot
	// TraceAck: the task acknowledged Checkpoint to the coordinator.
	TraceAck
	// TraceCompleted: the coordinator completed Checkpoint (Task empty) or
	// a task was told so.
	TraceCompleted
	// TraceAborted: the coordinator aborted Checkpoint (Task empty, Detail
	// the cause) or a task was told so.
	TraceAborted
	// TracePreCommit, TraceCommit, TraceTxnAbort: a two-phase-commit sink
	// (Operator) pre-committed, committed or aborted the transaction of
	// Checkpoint (0: the open one). Detail names the transaction.
	TracePreCommit
	TraceCommit
	TraceTxnAbort
	// TraceFailure: the task failed with Err.
	TraceFailure
	// TraceRestore: Operator was restored from Checkpoint; for sources
	// Detail says the restored positions.
	TraceRestore
	// TraceEndOfData: Input will carry no more records.
	TraceEndOfData
	// TraceEndOfPartition: Input closed.
	TraceEndOfPartition
	// TraceEndOfInput: all of the task's input ended (a source: its data);
	// its operators were told.
	TraceEndOfInput
	// TraceFinish: a source whose data ended was told to finish.
	TraceFinish
	// TraceFinished: the task finished.
	TraceFinished
)

var traceKindNames = [...]string{
	TraceAttempt: "attempt", TracePoll: "poll", TraceBatchIn: "batch-in", TraceBatchOut: "batch-out",
	TraceBarrier: "barrier", TraceBlocked: "blocked", TraceUnblocked: "unblocked", TraceTrigger: "trigger",
	TraceSnapshot: "snapshot", TraceAck: "ack", TraceCompleted: "complete", TraceAborted: "abort",
	TracePreCommit: "precommit", TraceCommit: "commit", TraceTxnAbort: "txn-abort", TraceFailure: "failure",
	TraceRestore: "restore", TraceEndOfData: "end-of-data", TraceEndOfPartition: "end-of-partition",
	TraceEndOfInput: "end-of-input", TraceFinish: "finish", TraceFinished: "finished",
}

func (k TraceKind) String() string {
	if int(k) < len(traceKindNames) && traceKindNames[k] != "" {
		return traceKindNames[k]
	}
	return fmt.Sprintf("TraceKind(%d)", uint8(k))
}

// OnChannel reports whether events of kind k concern one channel (their
// Input and Channel are set).
func (k TraceKind) OnChannel() bool {
	switch k {
	case TraceBatchIn, TraceBatchOut, TraceBarrier, TraceBlocked, TraceUnblocked, TraceEndOfData, TraceEndOfPartition:
		return true
	}
	return false
}

// TraceEvent is one thing a task, the coordinator or the job did.
type TraceEvent struct {
	Kind TraceKind
	// Time is the job clock's time; Elapsed the time since the job started.
	Time    time.Time
	Elapsed time.Duration
	// TaskID, Task and Subtask name the task; Task is empty for events of
	// the coordinator and the job.
	TaskID  int
	Task    string
	Subtask int
	// Input is the consumer-side input index and Channel the channel's ID,
	// for channel events (-1 otherwise); Producer is the task ID of the
	// channel's producer (-1 otherwise).
	Input    int
	Channel  int
	Producer int
	// Operator names the operator of restore and transaction events.
	Operator   string
	Checkpoint int64
	Records    int
	Size       int64
	Detail     string
	Err        error
}

// Tracer receives trace events. The job serializes its calls.
type Tracer func(TraceEvent)

// tracer stamps events with the clock and serializes the calls of the
// job's goroutines into one Tracer.
type tracer struct {
	mu    sync.Mutex
	fn    Tracer
	clock Clock
	start time.Time
}

// newTracer returns a tracer over fn, or nil if fn is nil.
func newTracer(fn Tracer, clock Clock) *tracer {
	if fn == nil {
		return nil
	}
	return &tracer{fn: fn, clock: clock, start: clock.Now()}
}

func (tr *tracer) emit(ev TraceEvent) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	ev.Time = tr.clock.Now()
	ev.Elapsed = ev.Time.Sub(tr.start)
	tr.fn(ev)
}

// job emits an event of the coordinator or the job.
func (tr *tracer) job(ev TraceEvent) {
	if tr == nil {
		return
	}
	ev.TaskID, ev.Subtask, ev.Input, ev.Channel, ev.Producer = -1, -1, -1, -1, -1
	tr.emit(ev)
}
