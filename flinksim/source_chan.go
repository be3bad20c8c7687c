package flinksim

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// chanBuffer is how many records FromChan takes from its channel ahead of
// the job: when they wait, the sender's next send blocks.
const chanBuffer = 64

// FromChan is a source of the values received from ch, for records pushed
// from Go code: a test feeding a job step by step, a service handing
// requests to one. It ends when ch is closed; until then the job runs, and
// it waits without polling while ch is empty. It is a non-parallel
// source, so records keep the order they were sent in.
//
// A channel cannot be replayed, so FromChan gives no exactly-once
// guarantee across failures: when the job restarts from its last completed
// checkpoint, the records the source emitted since then are lost — what
// they did downstream is rolled back with the job's state, transactional
// sinks abort them, and they are not read again; only a sink that had
// already written them (a non-transactional one) keeps them. Records taken
// from ch but not yet emitted, still buffered in the source, survive a
// restart, but not a stop with savepoint: a job resumed from it reads on
// from ch, and the up to 64 records the stopped job had buffered are
// lost. To lose nothing, make the records replayable and write a
// Source whose splits record positions, as a log or a Kafka topic does.
func FromChan[T any](env *Environment, name string, ch <-chan T, opts ...OperatorOption) Stream[T] {
	if env != nil && ch == nil {
		env.addError(fmt.Errorf("%w: source %q needs a channel", ErrInvalidOperator, name))
	}
	src := &chanSource[T]{ch: ch, pending: make(chan T, chanBuffer), room: make(chan struct{}, chanBuffer)}
	for range chanBuffer {
		src.room <- struct{}{}
	}
	return fromSource(env, name, Source[T, chanSplit](src), nil, true, opts)
}

// chanSource is the source of FromChan. What it holds outlives a reader,
// so records it took from ch survive a restart: pending holds them, and
// room holds a token for each free place in pending, which a reader's
// goroutine takes before it receives from ch, so that it never holds a
// record it cannot put down.
type chanSource[T any] struct {
	ch      <-chan T
	pending chan T
	room    chan struct{}
	closed  atomic.Bool // ch is closed and everything it sent is in pending
}

// chanSplit is the one split of a channel: it has no position.
type chanSplit struct{}

func (chanSplit) String() string { return "channel" }

type chanSplitCodec struct{}

func (chanSplitCodec) Append(dst []byte, _ chanSplit) ([]byte, error) { return dst, nil }

func (chanSplitCodec) Decode(b []byte) (chanSplit, error) {
	if len(b) != 0 {
		return chanSplit{}, fmt.Errorf("%w: channel split of %d bytes", ErrDecode, len(b))
	}
	return chanSplit{}, nil
}

func (s *chanSource[T]) Splits(int) ([]chanSplit, error) { return []chanSplit{{}}, nil }

func (s *chanSource[T]) SplitCodec() Codec[chanSplit] { return chanSplitCodec{} }

func (s *chanSource[T]) NewReader(ctx *ReaderContext) (SourceReader[T, chanSplit], error) {
	return &chanReader[T]{src: s, ctx: ctx, done: make(chan struct{})}, nil
}

type chanReader[T any] struct {
	src     *chanSource[T]
	ctx     *ReaderContext
	splits  []chanSplit
	done    chan struct{}
	pump    sync.WaitGroup
	started bool
}

// AddSplits starts the goroutine that moves records from the channel into
// the source's buffer, once the reader owns the channel's split.
func (r *chanReader[T]) AddSplits(splits []chanSplit) error {
	r.splits = append(r.splits, splits...)
	if len(r.splits) > 0 && !r.started {
		r.started = true
		r.pump.Go(r.run)
	}
	return nil
}

func (r *chanReader[T]) run() {
	s := r.src
	for {
		select {
		case <-s.room:
		case <-r.done:
			return
		}
		select {
		case v, ok := <-s.ch:
			if !ok {
				s.room <- struct{}{}
				s.closed.Store(true)
				r.ctx.Available()
				return
			}
			s.pending <- v // never blocks: a place was reserved
			r.ctx.Available()
		case <-r.done:
			s.room <- struct{}{}
			return
		}
	}
}

func (r *chanReader[T]) NotifyNoMoreSplits() {}

func (r *chanReader[T]) PollNext(out Collector[T]) (InputStatus, error) {
	if len(r.splits) == 0 {
		return EndOfInput, nil // a subtask without the channel (none today)
	}
	// closed is set after the last record is in pending: read before
	// pending is found empty, it means the end.
	closed := r.src.closed.Load()
	select {
	case v := <-r.src.pending:
		r.src.room <- struct{}{}
		out.Collect(v)
		return MoreAvailable, nil
	default:
	}
	if closed {
		return EndOfInput, nil
	}
	return NothingAvailable, nil
}

func (r *chanReader[T]) SnapshotState(int64) ([]chanSplit, error) { return r.splits, nil }

func (r *chanReader[T]) Close() error {
	close(r.done)
	r.pump.Wait()
	return nil
}
