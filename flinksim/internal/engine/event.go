package engine

import "fmt"

// EventKind is the kind of an Event.
type EventKind uint8

// Event kinds a task handles.
const (
	// EventBatch carries a batch of records on one input channel.
	EventBatch EventKind = iota + 1
	// EventEndOfInput says an input channel will carry nothing more.
	EventEndOfInput
	// EventPoll asks a source task to produce its next batch.
	EventPoll
	// EventIdle tells a task that no input is waiting: it flushes the
	// partly filled batches of its outputs so records do not linger.
	EventIdle
)

func (k EventKind) String() string {
	switch k {
	case EventBatch:
		return "batch"
	case EventEndOfInput:
		return "end-of-input"
	case EventPoll:
		return "poll"
	case EventIdle:
		return "idle"
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one step of input for a task.
type Event struct {
	Kind EventKind
	// Input is the consumer-side input channel index (batch, end of input).
	Input int
	// Batch is a *[]T or *[]Keyed[K, T]; Records is its length.
	Batch   any
	Records int
	// Recycler takes the batch back once it has been processed.
	Recycler Recycler
}

// Recycler takes back a batch its consumer no longer needs.
type Recycler interface {
	Recycle(batch any)
}
