package engine

import (
	"sync"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// Writer is the erased face of a partitioning writer.
type Writer interface {
	// Flush sends every partly filled batch.
	Flush()
	// Watermark puts watermark wm on every channel, after the records
	// written so far; it travels in the channel's next batch.
	Watermark(wm int64)
}

// ChannelOutput is one producer subtask's side of an edge: a channel to
// each target subtask it sends to (a single one for forward edges).
type ChannelOutput struct {
	Channels []*Channel
	// Strategy is the edge's resolved partitioning strategy.
	Strategy Strategy
	// Subtask is the producer's subtask index.
	Subtask int
	// TargetParallelism and TargetMaxParallelism describe the consumer.
	TargetParallelism    int
	TargetMaxParallelism int
	BatchSize            int

	task *Task
}

// send hands an event to channel i.
func (o *ChannelOutput) send(i int, ev Event) {
	o.task.send(o.Channels[i], ev)
}

// buffers holds one partly filled batch per channel. Batches travel as
// *Batch[T], and consumers hand them back through Recycle once processed, so a
// steady stream allocates no batches. A channel's buffer is taken on its
// first record, so a wide edge (a thousand channels per producer) that
// carries a few records costs a few buffers; dirty lists the channels
// with a partly filled batch, so a flush costs what it sends.
type buffers[T any] struct {
	out     *ChannelOutput
	bufs    []*Batch[T]
	dirty   []int
	isDirty []bool
	pool    sync.Pool
}

func (b *buffers[T]) init(out *ChannelOutput) {
	b.out = out
	b.pool.New = func() any {
		return &Batch[T]{Values: make([]T, 0, out.BatchSize), Times: make([]int64, 0, out.BatchSize)}
	}
	b.bufs = make([]*Batch[T], len(out.Channels))
	b.isDirty = make([]bool, len(out.Channels))
}

// add appends v, with the timestamp of the record being processed, to
// channel i's batch.
func (b *buffers[T]) add(i int, v T) {
	buf := b.buffer(i)
	buf.add(v, b.out.task.timestamp)
	if len(buf.Values) >= b.out.BatchSize {
		b.sendBatch(i)
	}
}

// buffer returns channel i's partly filled batch, taking one if it has
// none, and lists the channel as dirty.
func (b *buffers[T]) buffer(i int) *Batch[T] {
	buf := b.bufs[i]
	if buf == nil {
		buf = b.pool.Get().(*Batch[T])
		b.bufs[i] = buf
	}
	if !b.isDirty[i] {
		b.isDirty[i] = true
		b.dirty = append(b.dirty, i)
	}
	return buf
}

// Watermark implements Writer.
func (b *buffers[T]) Watermark(wm int64) {
	for i := range b.bufs {
		b.buffer(i).mark(wm)
	}
}

// sendBatch sends channel i's batch; it stays in dirty until the next
// flush, which skips it if it is still empty.
func (b *buffers[T]) sendBatch(i int) {
	buf := b.bufs[i]
	b.bufs[i] = nil
	b.out.send(i, Event{Kind: EventBatch, Batch: buf, Records: len(buf.Values), Marks: buf.Marks, Recycler: b})
}

// Flush implements Writer.
func (b *buffers[T]) Flush() {
	for _, i := range b.dirty {
		if buf := b.bufs[i]; buf != nil && !buf.empty() {
			b.sendBatch(i)
		}
		b.isDirty[i] = false
	}
	b.dirty = b.dirty[:0]
}

// Recycle implements Recycler: batch is a *Batch[T] this writer sent.
func (b *buffers[T]) Recycle(batch any) {
	buf := batch.(*Batch[T])
	buf.reset()
	b.pool.Put(buf)
}

// WriterOf returns the writer factory of a non-keyed edge carrying T. The
// writer partitions as the edge's strategy says once the graph is resolved
// (out.Strategy): a default strategy is forward or rebalance only then.
func WriterOf[T any]() func(out *ChannelOutput) (any, Writer) {
	return func(out *ChannelOutput) (any, Writer) {
		var w interface {
			Collector[T]
			Writer
		}
		switch out.Strategy {
		case StrategyBroadcast:
			bw := &broadcastWriter[T]{}
			bw.init(out)
			w = bw
		case StrategyRebalance:
			rw := &rebalanceWriter[T]{next: out.Subtask % len(out.Channels)}
			rw.init(out)
			w = rw
		default:
			fw := &forwardWriter[T]{}
			fw.init(out)
			w = fw
		}
		return w, w
	}
}

type forwardWriter[T any] struct{ buffers[T] }

func (w *forwardWriter[T]) Collect(v T) { w.add(0, v) }

type rebalanceWriter[T any] struct {
	buffers[T]
	next int
}

func (w *rebalanceWriter[T]) Collect(v T) {
	w.add(w.next, v)
	w.next++
	if w.next == len(w.out.Channels) {
		w.next = 0
	}
}

type broadcastWriter[T any] struct{ buffers[T] }

func (w *broadcastWriter[T]) Collect(v T) {
	for i := range w.out.Channels {
		w.add(i, v)
	}
}

// HashWriterOf returns the writer factory of a hash edge: each record's key
// is computed and encoded once, and the record travels as Keyed[K, T] to
// the subtask that owns the key's key group.
func HashWriterOf[K comparable, T any](key func(T) K, appendKey func([]byte, K) []byte) func(out *ChannelOutput) (any, Writer) {
	return func(out *ChannelOutput) (any, Writer) {
		w := &hashWriter[K, T]{key: key, appendKey: appendKey}
		w.init(out)
		return w, w
	}
}

type hashWriter[K comparable, T any] struct {
	buffers[Keyed[K, T]]
	key       func(T) K
	appendKey func([]byte, K) []byte
	scratch   []byte
}

func (w *hashWriter[K, T]) Collect(v T) {
	k := w.key(v)
	w.scratch = w.appendKey(w.scratch[:0], k)
	maxP := w.out.TargetMaxParallelism
	kg := keygroup.Of(w.scratch, maxP)
	w.add(keygroup.OperatorIndex(kg, w.out.TargetParallelism, maxP), Keyed[K, T]{Key: k, KeyGroup: int32(kg), Value: v})
}
