package engine

import "fmt"

// EventKind is the kind of an Event.
type EventKind uint8

// Event kinds a task handles. The first group travels on channels, in
// order with the records; the second on the task's control lane, from the
// checkpoint coordinator.
const (
	// EventBatch carries a batch of records on one input channel.
	EventBatch EventKind = iota + 1
	// EventBarrier is checkpoint barrier Checkpoint on one input channel.
	EventBarrier
	// EventStatus says the input channel's producer went idle (Idle) or
	// active again: an idle input does not hold the watermark back.
	EventStatus
	// EventEndOfData says an input channel will carry no more records;
	// barriers may still follow (a final checkpoint).
	EventEndOfData
	// EventEndOfPartition closes an input channel: nothing follows.
	EventEndOfPartition

	// EventTrigger asks a source task to take checkpoint Checkpoint.
	EventTrigger
	// EventComplete notifies that checkpoint Checkpoint completed.
	EventComplete
	// EventAbort notifies that checkpoint Checkpoint was aborted.
	EventAbort
	// EventFinish tells a source whose data ended that the final
	// checkpoint is done: it closes its outputs and finishes. After a stop
	// without drain (Stop set) its data has not ended: it closes its
	// outputs without ending it, so no operator flushes.
	EventFinish
	// EventDrain tells a source to end its data now, for a stop with
	// drain: operators flush, and the final checkpoint is the savepoint.
	EventDrain
)

func (k EventKind) String() string {
	switch k {
	case EventBatch:
		return "batch"
	case EventBarrier:
		return "barrier"
	case EventStatus:
		return "watermark-status"
	case EventEndOfData:
		return "end-of-data"
	case EventEndOfPartition:
		return "end-of-partition"
	case EventTrigger:
		return "trigger"
	case EventComplete:
		return "complete"
	case EventAbort:
		return "abort"
	case EventFinish:
		return "finish"
	case EventDrain:
		return "drain"
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one step of input for a task.
type Event struct {
	Kind EventKind
	// Input is the consumer-side input channel index of channel events.
	Input int
	// Batch is a *Batch[T] or *Batch[Keyed[K, T]]; Records is the number
	// of its records and Marks its watermarks.
	Batch   any
	Records int
	Marks   []Mark
	// Recycler takes the batch back once it has been processed.
	Recycler Recycler
	// Checkpoint is the checkpoint ID of barriers and notifications.
	Checkpoint int64
	// Idle is the status of a watermark-status event.
	Idle bool
	// Stop marks the trigger of a stop-with-savepoint without drain (the
	// source emits nothing after its barrier) and the finish after it.
	Stop bool
}

// Recycler takes back a batch its consumer no longer needs.
type Recycler interface {
	Recycle(batch any)
}
