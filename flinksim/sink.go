package flinksim

import (
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// SinkWriter writes the records of one sink subtask, as Flink's Sink V2
// SinkWriter. If it also has a Flush(endOfInput bool) error method, Flush
// is called with false before the subtask acknowledges each checkpoint —
// so a writer that buffers must make what it buffered durable there, or a
// restore from that checkpoint loses it — and with true once all input has
// arrived. If it has a Close() error method, Close is called when the
// subtask ends, whatever the outcome.
type SinkWriter[T any] interface {
	Write(v T) error
}

// SinkWriterFunc adapts a function to SinkWriter.
type SinkWriterFunc[T any] func(v T) error

// Write implements SinkWriter.
func (f SinkWriterFunc[T]) Write(v T) error { return f(v) }

// SinkTo adds a sink named name: every subtask writes with its own writer,
// made by open before the first record.
func SinkTo[T any](s Stream[T], name string, open func(rt *RuntimeContext) (SinkWriter[T], error), opts ...OperatorOption) {
	env, err := consume(s, name, open == nil)
	if err != nil {
		return
	}
	addVertex(env, vertexSpec[struct{}]{name: name, sink: true,
		newOp: func(ctx *engine.OperatorContext, _ engine.Collector[struct{}]) (engine.Operator, error) {
			rt := &RuntimeContext{op: ctx}
			w, err := open(rt)
			if err := rt.open(err); err != nil {
				return nil, err
			}
			if w == nil {
				return nil, fmt.Errorf("%w: open returned a nil writer", ErrInvalidOperator)
			}
			return &sinkOp[T]{ctx: ctx, rt: rt, w: w}, nil
		}}, edgesOf(s), opts)
}

// Sink calls fn for every record of s, as a Flink SinkFunction. With
// parallelism above 1, fn is called from several goroutines at once and
// must be safe for that; SinkTo gives each subtask its own writer instead.
func Sink[T any](s Stream[T], name string, fn func(T) error, opts ...OperatorOption) {
	if fn == nil {
		SinkTo[T](s, name, nil, opts...)
		return
	}
	SinkTo(s, name, func(*RuntimeContext) (SinkWriter[T], error) { return SinkWriterFunc[T](fn), nil }, opts...)
}

type sinkOp[T any] struct {
	ctx *engine.OperatorContext
	rt  *RuntimeContext
	w   SinkWriter[T]
}

// SnapshotState records the writer's operator list states.
func (o *sinkOp[T]) SnapshotState(int64) (engine.OperatorState, error) {
	lists, err := o.rt.lists.snapshot(o.ctx.Restored, o.ctx.Subtask)
	return engine.OperatorState{Lists: lists}, err
}

func (o *sinkOp[T]) NotifyCheckpointComplete(int64) error { return nil }
func (o *sinkOp[T]) NotifyCheckpointAborted(int64)        {}

func (o *sinkOp[T]) Collect(v T) {
	defer o.ctx.Recover()
	if o.ctx.Failed() {
		return
	}
	o.ctx.RecordsIn++
	if err := o.w.Write(v); err != nil {
		o.ctx.Fail(err)
	}
}

func (o *sinkOp[T]) ProcessBatch(b any, from, to int) { processBatch[T](o.ctx, o, b, from, to) }

func (o *sinkOp[T]) EndInput() { o.flush(true) }

// PrepareSnapshotPreBarrier flushes the writer before the checkpoint's
// barrier passes, so the checkpoint covers every record written.
func (o *sinkOp[T]) PrepareSnapshotPreBarrier(int64) error {
	o.flush(false)
	return nil
}

func (o *sinkOp[T]) flush(endOfInput bool) {
	defer o.ctx.Recover()
	if f, ok := o.w.(interface{ Flush(endOfInput bool) error }); ok {
		if err := f.Flush(endOfInput); err != nil {
			o.ctx.Fail(fmt.Errorf("flush: %w", err))
		}
	}
}

func (o *sinkOp[T]) Close() error {
	if c, ok := o.w.(interface{ Close() error }); ok {
		return c.Close()
	}
	return nil
}

// Print writes every record of s to w (os.Stdout if w is nil), one per
// line, formatted with fmt's %v, as Flink's print sink: when the sink's
// parallelism is above 1 each line starts with "i> ", i being the subtask
// index plus one. Lines of different subtasks never interleave.
func Print[T any](s Stream[T], name string, w io.Writer, opts ...OperatorOption) {
	if w == nil {
		w = os.Stdout
	}
	var mu sync.Mutex
	env, err := consume(s, name, false)
	if err != nil {
		return
	}
	addVertex(env, vertexSpec[struct{}]{name: name, sink: true,
		newOp: func(ctx *engine.OperatorContext, _ engine.Collector[struct{}]) (engine.Operator, error) {
			prefix := ""
			if ctx.Parallelism > 1 {
				prefix = fmt.Sprintf("%d> ", ctx.Subtask+1)
			}
			return &sinkOp[T]{ctx: ctx, rt: &RuntimeContext{op: ctx}, w: SinkWriterFunc[T](func(v T) error {
				mu.Lock()
				defer mu.Unlock()
				_, err := fmt.Fprintf(w, "%s%v\n", prefix, v)
				return err
			})}, nil
		}}, edgesOf(s), opts)
}

// CollectSink gathers the records of a stream in memory, for tests. Read
// them with Values once the job ended (or at any time, for what arrived so
// far).
type CollectSink[T any] struct {
	mu       sync.Mutex
	subtasks [][]T
	err      error
}

// Collect adds a sink named name that gathers the records of s.
func Collect[T any](s Stream[T], name string, opts ...OperatorOption) *CollectSink[T] {
	c := &CollectSink[T]{}
	env, err := consume(s, name, false)
	if err != nil {
		c.err = err
		return c
	}
	addVertex(env, vertexSpec[struct{}]{name: name, sink: true,
		newOp: func(ctx *engine.OperatorContext, _ engine.Collector[struct{}]) (engine.Operator, error) {
			c.mu.Lock()
			defer c.mu.Unlock()
			if len(c.subtasks) < ctx.Parallelism {
				c.subtasks = slices.Grow(c.subtasks, ctx.Parallelism)[:ctx.Parallelism]
			}
			i := ctx.Subtask
			return &sinkOp[T]{ctx: ctx, rt: &RuntimeContext{op: ctx}, w: SinkWriterFunc[T](func(v T) error {
				c.mu.Lock()
				c.subtasks[i] = append(c.subtasks[i], v)
				c.mu.Unlock()
				return nil
			})}, nil
		}}, edgesOf(s), opts)
	return c
}

// Err returns why Collect could not add the sink — an invalid or zero
// stream, the error Execute reports too — or nil.
func (c *CollectSink[T]) Err() error { return c.err }

// Values returns the records gathered so far: subtask 0's in arrival
// order, then subtask 1's, and so on.
func (c *CollectSink[T]) Values() []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []T
	for _, vs := range c.subtasks {
		out = append(out, vs...)
	}
	return out
}

// Subtask returns the records gathered by subtask i, in arrival order.
func (c *CollectSink[T]) Subtask(i int) []T {
	c.mu.Lock()
	defer c.mu.Unlock()
	if i < 0 || i >= len(c.subtasks) {
		return nil
	}
	return slices.Clone(c.subtasks[i])
}
