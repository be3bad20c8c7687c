package flinksim

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// TraceKind is the kind of a TraceEvent.
type TraceKind uint8

// Trace event kinds. Tasks report what they did; the checkpoint
// coordinator reports checkpoint outcomes (their Task is empty); the job
// reports its attempts.
const (
	// TraceAttempt: an attempt of the job starts (Detail "attempt N"); the
	// first one starts the job, each later one follows a failure.
	TraceAttempt = TraceKind(engine.TraceAttempt)
	// TracePoll: a source emitted Records records in one poll.
	TracePoll = TraceKind(engine.TracePoll)
	// TraceBatchIn: a batch of Records records arrived on input Input
	// (channel Channel).
	TraceBatchIn = TraceKind(engine.TraceBatchIn)
	// TraceBatchOut: the task sent a batch of Records records on Channel
	// (input Input of the consumer).
	TraceBatchOut = TraceKind(engine.TraceBatchOut)
	// TraceBarrier: checkpoint barrier Checkpoint arrived on Input.
	TraceBarrier = TraceKind(engine.TraceBarrier)
	// TraceBlocked: exactly-once alignment of Checkpoint stopped reading
	// Input: it delivered the barrier, others have not yet.
	TraceBlocked = TraceKind(engine.TraceBlocked)
	// TraceUnblocked: Input is read again (the alignment ended); Records
	// events (batches and others) had waited in its queue meanwhile.
	TraceUnblocked = TraceKind(engine.TraceUnblocked)
	// TraceTrigger: a source was told to take Checkpoint.
	TraceTrigger = TraceKind(engine.TraceTrigger)
	// TraceSnapshot: the task snapshotted its operators for Checkpoint
	// (Size bytes of state) and forwarded the barrier.
	TraceSnapshot = TraceKind(engine.TraceSnapshot)
	// TraceAck: the task acknowledged Checkpoint to the coordinator.
	TraceAck = TraceKind(engine.TraceAck)
	// TraceCompleted: the coordinator completed Checkpoint (Task empty;
	// Size its bytes, Detail the savepoint's name), or a task was told so.
	TraceCompleted = TraceKind(engine.TraceCompleted)
	// TraceAborted: the coordinator aborted Checkpoint (Task empty, Err and
	// Detail its cause), or a task was told so.
	TraceAborted = TraceKind(engine.TraceAborted)
	// TracePreCommit: a two-phase-commit sink (Operator) pre-committed the
	// transaction of Checkpoint (Detail names the transaction).
	TracePreCommit = TraceKind(engine.TracePreCommit)
	// TraceCommit: a two-phase-commit sink committed the transaction of
	// Checkpoint (0 for one restored or ending the input).
	TraceCommit = TraceKind(engine.TraceCommit)
	// TraceTxnAbort: a two-phase-commit sink aborted a transaction.
	TraceTxnAbort = TraceKind(engine.TraceTxnAbort)
	// TraceFailure: the task failed with Err.
	TraceFailure = TraceKind(engine.TraceFailure)
	// TraceRestore: Operator was restored from Checkpoint; for sources,
	// Detail lists the restored positions.
	TraceRestore = TraceKind(engine.TraceRestore)
	// TraceEndOfData: Input will carry no more records.
	TraceEndOfData = TraceKind(engine.TraceEndOfData)
	// TraceEndOfPartition: Input closed.
	TraceEndOfPartition = TraceKind(engine.TraceEndOfPartition)
	// TraceEndOfInput: all of the task's input ended (a source: its data)
	// and its operators were told.
	TraceEndOfInput = TraceKind(engine.TraceEndOfInput)
	// TraceFinish: a source whose data ended was told to finish, once the
	// final checkpoint completed.
	TraceFinish = TraceKind(engine.TraceFinish)
	// TraceFinished: the task finished.
	TraceFinished = TraceKind(engine.TraceFinished)
)

func (k TraceKind) String() string { return engine.TraceKind(k).String() }

// TraceEvent is one thing a job did: a task's step, a checkpoint's
// outcome, an attempt's start. Subscribe with WithTracer; the text trace
// of a simulation (WithSimulation) is rendered from these events.
type TraceEvent struct {
	Kind TraceKind
	// Time is the job clock's time of the event (virtual in a
	// simulation); Elapsed is the time since the job started.
	Time    time.Time
	Elapsed time.Duration
	// Task, Subtask and TaskID name the task: the chain's operator names
	// joined by " -> ", the subtask index, and the task's index in the
	// job. Task is empty (and Subtask, TaskID -1) for the events of the
	// coordinator and the job.
	Task    string
	Subtask int
	TaskID  int
	// Input is the consumer-side input index and Channel the channel's
	// index in the job, for events of one channel; -1 otherwise. Producer
	// is then the TaskID of the channel's producer (so a barrier's event
	// says where it came from), -1 otherwise.
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

func traceEventOf(ev engine.TraceEvent) TraceEvent {
	return TraceEvent{
		Kind: TraceKind(ev.Kind), Time: ev.Time, Elapsed: ev.Elapsed,
		Task: ev.Task, Subtask: ev.Subtask, TaskID: ev.TaskID, Input: ev.Input, Channel: ev.Channel, Producer: ev.Producer,
		Operator: ev.Operator, Checkpoint: ev.Checkpoint, Records: ev.Records, Size: ev.Size,
		Detail: ev.Detail, Err: ev.Err,
	}
}

// String renders the event as one line of the text trace, without its
// time: "TASK (i) WHAT", or "job WHAT" for the coordinator's and the job's.
func (ev TraceEvent) String() string {
	var b strings.Builder
	if ev.Task == "" {
		b.WriteString("job")
	} else {
		b.WriteString(ev.Task)
		b.WriteString(" (")
		b.WriteString(strconv.Itoa(ev.Subtask))
		b.WriteString(")")
	}
	in := func() string { return " <- in" + strconv.Itoa(ev.Input) }
	switch ev.Kind {
	case TraceAttempt:
		b.WriteString(" " + ev.Detail)
	case TracePoll:
		fmt.Fprintf(&b, " poll -> %d records", ev.Records)
	case TraceBatchIn:
		fmt.Fprintf(&b, "%s batch n=%d", in(), ev.Records)
	case TraceBatchOut:
		fmt.Fprintf(&b, " -> ch%d batch n=%d", ev.Channel, ev.Records)
	case TraceBarrier:
		fmt.Fprintf(&b, "%s barrier %d", in(), ev.Checkpoint)
	case TraceBlocked, TraceUnblocked:
		fmt.Fprintf(&b, " %s in%d (checkpoint %d)", ev.Kind, ev.Input, ev.Checkpoint)
	case TraceEndOfData, TraceEndOfPartition:
		fmt.Fprintf(&b, "%s %s", in(), ev.Kind)
	case TraceSnapshot:
		fmt.Fprintf(&b, " snapshot %d (%d bytes)", ev.Checkpoint, ev.Size)
	case TraceTrigger, TraceAck:
		fmt.Fprintf(&b, " %s %d", ev.Kind, ev.Checkpoint)
	case TraceCompleted:
		fmt.Fprintf(&b, " complete %d", ev.Checkpoint)
		if ev.Task == "" {
			fmt.Fprintf(&b, " (%d bytes)", ev.Size)
		}
	case TraceAborted:
		fmt.Fprintf(&b, " abort %d", ev.Checkpoint)
		if ev.Detail != "" {
			b.WriteString(": " + ev.Detail)
		}
	case TracePreCommit, TraceCommit, TraceTxnAbort:
		fmt.Fprintf(&b, " %s %s %d %s", ev.Operator, ev.Kind, ev.Checkpoint, ev.Detail)
	case TraceFailure:
		b.WriteString(" failure: " + ev.Detail)
	case TraceRestore:
		fmt.Fprintf(&b, " %s restore %d", ev.Operator, ev.Checkpoint)
		if ev.Detail != "" {
			b.WriteString(" " + ev.Detail)
		}
	default:
		b.WriteString(" " + ev.Kind.String())
	}
	return b.String()
}

// textTrace writes the text trace to w: one line per event but for sent
// batches (their arrival is traced), each "ELAPSED EVENT".
func textTrace(w io.Writer) func(TraceEvent) {
	return func(ev TraceEvent) {
		if ev.Kind == TraceBatchOut {
			return
		}
		fmt.Fprintf(w, "%v %s\n", ev.Elapsed, ev)
	}
}
