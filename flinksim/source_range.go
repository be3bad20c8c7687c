package flinksim

import (
	"encoding/binary"
	"fmt"
)

// rangeSplit is a range [Next, End) of a built-in source's input: record
// indexes for generators, byte offsets for files. Skip says that Next may
// fall inside a line, which then belongs to the previous split.
type rangeSplit struct {
	Next, End int64
	Skip      bool
}

func (s rangeSplit) String() string { return fmt.Sprintf("[%d, %d)", s.Next, s.End) }

// rangeSplits cuts [0, size) into n contiguous splits.
func rangeSplits(size int64, n int, skip bool) []rangeSplit {
	splits := make([]rangeSplit, n)
	for i := range splits {
		start := cut(size, i, n)
		splits[i] = rangeSplit{Next: start, End: cut(size, i+1, n), Skip: skip && start > 0}
	}
	return splits
}

// cut returns size*i/n without overflowing for any size.
func cut(size int64, i, n int) int64 {
	p, q := int64(i), int64(n)
	return size/q*p + size%q*p/q
}

// unread drops the splits read to the end.
func unread(splits []rangeSplit) []rangeSplit {
	var left []rangeSplit
	for _, s := range splits {
		if s.Next < s.End {
			left = append(left, s)
		}
	}
	return left
}

// rangeSplitCodec writes a split as Next and End, 8 bytes each, big
// endian, and a Skip byte.
type rangeSplitCodec struct{}

func (rangeSplitCodec) Append(dst []byte, s rangeSplit) ([]byte, error) {
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.Next))
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.End))
	if s.Skip {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

func (rangeSplitCodec) Decode(b []byte) (rangeSplit, error) {
	if len(b) != 17 || b[16] > 1 {
		return rangeSplit{}, fmt.Errorf("%w: range split of %d bytes", ErrDecode, len(b))
	}
	s := rangeSplit{Next: int64(binary.BigEndian.Uint64(b)), End: int64(binary.BigEndian.Uint64(b[8:])), Skip: b[16] == 1}
	if s.Next < 0 || s.End < s.Next {
		return rangeSplit{}, fmt.Errorf("%w: range split %v", ErrDecode, s)
	}
	return s, nil
}

// FromSlice is a bounded source of items, in order. It is a non-parallel
// source, as Flink's fromCollection: it runs as one subtask, so records
// for one key keep their order (a Parallelism option other than 1 is
// refused). For a parallel bounded source, use Generate.
func FromSlice[T any](env *Environment, name string, items []T, opts ...OperatorOption) Stream[T] {
	src := &generator[T]{count: int64(len(items)), fn: func(i int64) (T, error) { return items[i], nil }}
	return fromSource(env, name, Source[T, rangeSplit](src), nil, true, opts)
}

// Generate is a bounded source of count records: record i is fn(i). With
// parallelism p, subtask s generates the s-th of p contiguous ranges of
// [0, count), in order, as Flink's DataGeneratorSource splits its range.
// Checkpoints record the next index, so a restored job resumes exactly
// where the checkpoint was taken.
func Generate[T any](env *Environment, name string, count int64, fn func(i int64) (T, error), opts ...OperatorOption) Stream[T] {
	if env != nil && (fn == nil || count < 0) {
		env.addError(fmt.Errorf("%w: source %q needs a function and a count >= 0", ErrInvalidOperator, name))
	}
	return fromSource(env, name, Source[T, rangeSplit](&generator[T]{count: count, fn: fn}), nil, false, opts)
}

// generator is the source of Generate and FromSlice.
type generator[T any] struct {
	count int64
	fn    func(int64) (T, error)
}

func (g *generator[T]) Splits(parallelism int) ([]rangeSplit, error) {
	return rangeSplits(g.count, parallelism, false), nil
}

func (g *generator[T]) SplitCodec() Codec[rangeSplit] { return rangeSplitCodec{} }

func (g *generator[T]) NewReader(*ReaderContext) (SourceReader[T, rangeSplit], error) {
	return &generatorReader[T]{count: g.count, fn: g.fn}, nil
}

type generatorReader[T any] struct {
	count  int64
	fn     func(int64) (T, error)
	splits []rangeSplit
	noMore bool
}

// AddSplits refuses a split past count: a snapshot of a longer input
// (a FromSlice with more items, a Generate with a larger count).
func (r *generatorReader[T]) AddSplits(splits []rangeSplit) error {
	for _, s := range splits {
		if s.End > r.count {
			return fmt.Errorf("%w: split %v of a source of %d records", ErrIncompatibleState, s, r.count)
		}
	}
	r.splits = append(r.splits, splits...)
	return nil
}

func (r *generatorReader[T]) NotifyNoMoreSplits() { r.noMore = true }

func (r *generatorReader[T]) PollNext(out Collector[T]) (InputStatus, error) {
	for len(r.splits) > 0 && r.splits[0].Next >= r.splits[0].End {
		r.splits = r.splits[1:]
	}
	if len(r.splits) == 0 {
		if r.noMore {
			return EndOfInput, nil
		}
		return NothingAvailable, nil
	}
	sp := &r.splits[0]
	v, err := r.fn(sp.Next)
	if err != nil {
		return MoreAvailable, err
	}
	sp.Next++
	out.Collect(v)
	if r.noMore && len(r.splits) == 1 && sp.Next >= sp.End {
		r.splits = r.splits[:0]
		return EndOfInput, nil // that was the last record
	}
	return MoreAvailable, nil
}

func (r *generatorReader[T]) SnapshotState(int64) ([]rangeSplit, error) {
	return unread(r.splits), nil
}

func (r *generatorReader[T]) Close() error { return nil }
