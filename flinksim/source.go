package flinksim

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// A source in Flink's split model (FLIP-27) has three parts: the splits of
// its input (a file's byte ranges, a range of numbers, a Kafka partition),
// a codec that writes a split with its position into checkpoints, and a
// reader per subtask that reads the splits it is given. FromSource runs
// one; Generate, FromSlice, TextFile and FromChan are built on it.
//
// A job that starts without state asks the source for its splits once and
// deals them out, split i to subtask i mod parallelism. Every checkpoint
// records, per reader, the splits it has not read to the end with their
// positions; a job restored from it deals those splits out again, at the
// parallelism it now has, and no split is read twice or skipped.

// InputStatus is what a SourceReader's PollNext reports, as Flink's
// InputStatus.
type InputStatus uint8

// Input statuses.
const (
	// MoreAvailable: the reader has more records now, and PollNext is
	// called again soon.
	MoreAvailable InputStatus = iota
	// NothingAvailable: the reader has no record now. PollNext is not
	// called again until the reader calls ReaderContext.Available, from
	// any goroutine; the task takes checkpoints and stops meanwhile.
	NothingAvailable
	// EndOfInput: the reader has read all its splits and was told that no
	// more will come; it emits nothing more.
	EndOfInput
)

func (s InputStatus) String() string {
	switch s {
	case MoreAvailable:
		return "MORE_AVAILABLE"
	case NothingAvailable:
		return "NOTHING_AVAILABLE"
	case EndOfInput:
		return "END_OF_INPUT"
	}
	return fmt.Sprintf("InputStatus(%d)", uint8(s))
}

// Source is a user-defined source of records of type T, read as splits of
// type S.
type Source[T, S any] interface {
	// Splits returns the splits of the whole input for a source of the
	// given parallelism. It is called when the job first starts with no
	// state for the source (again on the next attempt if it failed, and
	// again if the parallelism differs); its result is kept for the later
	// attempts. A restored job reads the splits its snapshot recorded
	// instead.
	Splits(parallelism int) ([]S, error)
	// SplitCodec encodes a split, with its position, into checkpoints and
	// decodes it back. A reader always gets decoded copies, so it may
	// change its splits in place.
	SplitCodec() Codec[S]
	// NewReader returns the reader of one subtask. ctx is valid until the
	// reader is closed.
	NewReader(ctx *ReaderContext) (SourceReader[T, S], error)
}

// SourceReader reads the splits of one subtask of a source, as Flink's
// SourceReader. The task calls its methods from one goroutine, never
// concurrently, and never blocks: a reader that waits for records (on a
// network connection, a channel) waits on a goroutine of its own, which it
// starts in NewReader or AddSplits and stops in Close, and reports
// NothingAvailable until it has some.
//
// A reader may also implement CheckpointListener, to learn when a
// checkpoint it snapshotted completes (to commit offsets, say).
type SourceReader[T, S any] interface {
	// AddSplits hands the reader splits to read: its share of the
	// source's splits, or of a checkpoint's. It is called before the first
	// PollNext.
	AddSplits(splits []S) error
	// NotifyNoMoreSplits says that AddSplits will not be called again: a
	// reader that has read its splits to the end then reports EndOfInput.
	NotifyNoMoreSplits()
	// PollNext emits the next record, or a few, to out and reports whether
	// more are available now. An error fails the subtask.
	PollNext(out Collector[T]) (InputStatus, error)
	// SnapshotState returns the splits the reader has not read to the end,
	// each with the position to resume from: the position after the last
	// record emitted so far. An error, or a split that cannot be encoded,
	// fails the snapshot and with it the subtask (the job fails over).
	SnapshotState(checkpoint int64) ([]S, error)
	// Close releases the reader's resources and stops its goroutines. It
	// is called once, whatever the outcome.
	Close() error
}

// ReaderContext tells a source reader where it runs, and lets it say that
// records are available again.
type ReaderContext struct {
	RuntimeContext
}

// Available tells the task that the reader, which reported
// NothingAvailable, has records again, so PollNext is called soon. It is
// safe from any goroutine and never blocks; a call during PollNext counts
// for the next one, so a reader calls it after it has made its records
// visible to PollNext, and a spare call does no harm.
func (c *ReaderContext) Available() { c.op.SignalAvailable() }

// FromSource runs a user-defined source, as Flink's env.fromSource: see
// Source and SourceReader. Its parallelism is the environment's, or that
// of a Parallelism option.
func FromSource[T, S any](env *Environment, name string, src Source[T, S], opts ...OperatorOption) Stream[T] {
	return fromSource(env, name, src, nil, false, opts)
}

// fromSource adds the source vertex, with watermarks from strategy unless
// it is nil. A nonParallel source runs as one subtask, as Flink's
// non-parallel sources; a Parallelism option other than 1 is refused.
func fromSource[T, S any](env *Environment, name string, src Source[T, S], strategy *WatermarkStrategy[T], nonParallel bool, opts []OperatorOption) Stream[T] {
	if env == nil {
		err := fmt.Errorf("%w: source %q on a nil Environment", ErrInvalidStream, name)
		strayError(err)
		return invalid[T](nil, err)
	}
	var codec Codec[S]
	if src != nil {
		codec = src.SplitCodec()
	}
	if src == nil || codec == nil {
		env.addError(fmt.Errorf("%w: source %q needs a Source with a split codec", ErrInvalidOperator, name))
	}
	e := &enumeration[T, S]{src: src, codec: codec}
	interval := env.cfg.WatermarkInterval
	return addVertex(env, vertexSpec[T]{name: name, source: true, nonParallel: nonParallel,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[T]) (engine.Operator, error) {
			return newSourceOperator(ctx, e, newSourceOutput(ctx, out, strategy, interval))
		}}, nil, opts)
}

// enumeration deals a source's splits out. The splits of a start without
// state are asked for once and kept encoded, so every subtask of every
// attempt decodes its own fresh copies.
type enumeration[T, S any] struct {
	src   Source[T, S]
	codec Codec[S]

	mu          sync.Mutex
	parallelism int
	splits      [][]byte // nil until asked for
}

// initial returns subtask's share of the splits for a start without state.
func (e *enumeration[T, S]) initial(subtask, parallelism int) ([]S, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.splits == nil || e.parallelism != parallelism {
		splits, err := e.src.Splits(parallelism)
		if err != nil {
			return nil, fmt.Errorf("splits: %w", err)
		}
		encoded := make([][]byte, len(splits))
		for i, s := range splits {
			if encoded[i], err = e.codec.Append(nil, s); err != nil {
				return nil, fmt.Errorf("split %d: %w", i, err)
			}
		}
		e.splits, e.parallelism = encoded, parallelism
	}
	var mine []S
	for i := subtask; i < len(e.splits); i += parallelism {
		s, err := e.decode(e.splits[i])
		if err != nil {
			return nil, err
		}
		mine = append(mine, s)
	}
	return mine, nil
}

// restored decodes the splits a checkpoint gave this subtask.
func (e *enumeration[T, S]) restored(list [][]byte) ([]S, error) {
	splits := make([]S, 0, len(list))
	for _, b := range list {
		s, err := e.decode(b)
		if err != nil {
			return nil, err
		}
		splits = append(splits, s)
	}
	return splits, nil
}

func (e *enumeration[T, S]) decode(b []byte) (S, error) {
	s, err := e.codec.Decode(b)
	if err != nil {
		return s, fmt.Errorf("%w: source split: %w", ErrIncompatibleState, err)
	}
	return s, nil
}

// sourceOperator runs a SourceReader as the head of a source task.
type sourceOperator[T, S any] struct {
	ctx    *engine.OperatorContext
	reader SourceReader[T, S]
	codec  Codec[S]
	out    *sourceOutput[T]
	// positions describes the restored splits, for the restore trace.
	positions string
}

func newSourceOperator[T, S any](ctx *engine.OperatorContext, e *enumeration[T, S], out *sourceOutput[T]) (*sourceOperator[T, S], error) {
	var splits []S
	var err error
	if ctx.Restored != nil {
		list, _, _ := ctx.Restored.List(splitsState)
		splits, err = e.restored(list)
	} else {
		splits, err = e.initial(ctx.Subtask, ctx.Parallelism)
	}
	if err != nil {
		return nil, err
	}
	reader, err := e.src.NewReader(&ReaderContext{RuntimeContext{op: ctx}})
	if err != nil {
		return nil, fmt.Errorf("new reader: %w", err)
	}
	if reader == nil {
		return nil, fmt.Errorf("%w: NewReader returned a nil reader", ErrInvalidOperator)
	}
	op := &sourceOperator[T, S]{ctx: ctx, reader: reader, codec: e.codec, out: out}
	if err := start(reader, splits); err != nil {
		return nil, closeAfter(err, reader)
	}
	if ctx.Restored != nil {
		op.positions = describeSplits(splits)
	}
	return op, nil
}

// start hands a new reader its splits. A panic is returned as an error, so
// that the reader is closed.
func start[T, S any](r SourceReader[T, S], splits []S) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%w: %v", ErrPanic, p)
		}
	}()
	if err := r.AddSplits(splits); err != nil {
		return fmt.Errorf("add splits: %w", err)
	}
	r.NotifyNoMoreSplits()
	return nil
}

// closeAfter closes a reader that failed to start, keeping err first.
func closeAfter[T, S any](err error, r SourceReader[T, S]) error {
	if cerr := r.Close(); cerr != nil {
		return fmt.Errorf("%w (close: %v)", err, cerr)
	}
	return err
}

// describeSplits formats splits for the restore trace, space-separated.
func describeSplits[S any](splits []S) string {
	var b strings.Builder
	for i, s := range splits {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprint(&b, s)
	}
	return b.String()
}

// Poll calls PollNext until max records are out, the reader has nothing
// more now, or it ends. A reader that reports more without emitting is
// polled at most max times per step, so the task still takes its turn.
func (o *sourceOperator[T, S]) Poll(max int) engine.SourceStatus {
	defer o.ctx.Recover()
	before := o.ctx.RecordsOut
	for calls := 0; calls < max && o.ctx.RecordsOut-before < int64(max); calls++ {
		status, err := o.reader.PollNext(o.out)
		switch {
		case err != nil:
			o.ctx.Fail(err)
			return engine.SourceMore
		case o.ctx.Failed():
			return engine.SourceMore
		case status == NothingAvailable:
			return engine.SourceWaiting
		case status == EndOfInput:
			return engine.SourceDone
		case status != MoreAvailable:
			o.ctx.Fail(fmt.Errorf("%w: PollNext returned %v", ErrInvalidOperator, status))
			return engine.SourceMore
		}
	}
	return engine.SourceMore
}

// Positions describes the restored splits, for the restore trace.
func (o *sourceOperator[T, S]) Positions() string { return o.positions }

func (o *sourceOperator[T, S]) SnapshotState(id int64) (engine.OperatorState, error) {
	splits, err := o.reader.SnapshotState(id)
	if err != nil {
		return engine.OperatorState{}, err
	}
	list := make([][]byte, len(splits))
	for i, s := range splits {
		if list[i], err = o.codec.Append(nil, s); err != nil {
			return engine.OperatorState{}, fmt.Errorf("split %v: %w", s, err)
		}
	}
	return engine.OperatorState{Lists: []engine.NamedList{{Name: splitsState, Mode: engine.RedistributeSplit, Entries: list}}}, nil
}

// splitsState is the name of a source's list state of splits.
const splitsState = "splits"

func (o *sourceOperator[T, S]) NotifyCheckpointComplete(id int64) error {
	if l, ok := o.reader.(CheckpointListener); ok {
		return l.NotifyCheckpointComplete(id)
	}
	return nil
}

func (o *sourceOperator[T, S]) NotifyCheckpointAborted(id int64) {
	if l, ok := o.reader.(CheckpointListener); ok {
		l.NotifyCheckpointAborted(id)
	}
}

// OnProcessingTime runs the periodic watermark emit of the source's
// splits.
func (o *sourceOperator[T, S]) OnProcessingTime(now time.Time) {
	defer o.ctx.Recover()
	o.out.periodic(now)
}

func (o *sourceOperator[T, S]) ProcessBatch(any, int, int) {}
func (o *sourceOperator[T, S]) EndInput()                  {}
func (o *sourceOperator[T, S]) Close() error               { return o.reader.Close() }
