package engine

import "math"

// Event time is in milliseconds since the epoch, as Flink's long
// timestamps.
const (
	// NoTimestamp is the timestamp of a record that has none (Flink's
	// StreamRecord without a timestamp): a source without a timestamp
	// assigner emits such records.
	NoTimestamp int64 = math.MinInt64
	// MinWatermark is the watermark of an input that has sent none.
	MinWatermark int64 = math.MinInt64
	// MaxWatermark is the watermark of an input whose data ended: every
	// event-time timer fires.
	MaxWatermark int64 = math.MaxInt64
)

// Batch is what a channel carries at once: records, the event timestamp of
// each, and the watermarks the producer emitted between them.
type Batch[T any] struct {
	Values []T
	// Times[i] is the timestamp of Values[i] (NoTimestamp if none).
	Times []int64
	// Marks are the watermarks among the records, in order.
	Marks []Mark
}

// Mark is a watermark among the records of a batch: it follows
// Values[:At].
type Mark struct {
	At        int
	Watermark int64
}

// add appends v with timestamp ts.
func (b *Batch[T]) add(v T, ts int64) {
	b.Values = append(b.Values, v)
	b.Times = append(b.Times, ts)
}

// mark appends watermark wm after the records so far. Watermarks with no
// record between them collapse into the newest, so a batch holds at most
// one mark more than it holds records.
func (b *Batch[T]) mark(wm int64) {
	if n := len(b.Marks); n > 0 && b.Marks[n-1].At == len(b.Values) {
		b.Marks[n-1].Watermark = wm
		return
	}
	b.Marks = append(b.Marks, Mark{At: len(b.Values), Watermark: wm})
}

// reset empties b for reuse, dropping the references its records hold.
func (b *Batch[T]) reset() {
	clear(b.Values)
	b.Values, b.Times, b.Marks = b.Values[:0], b.Times[:0], b.Marks[:0]
}

// empty reports whether b holds neither records nor watermarks.
func (b *Batch[T]) empty() bool { return len(b.Values) == 0 && len(b.Marks) == 0 }
