package flinksim

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Sources keep their position as splits, ranges of their input still to
// read, in operator list state: a checkpoint records where every split
// stands, and a restore at any parallelism deals the splits out again.

// split is a range [Next, End) of a source's input: record indexes for
// generators, byte offsets for files. Skip says that Next may fall inside
// a line, which then belongs to the previous split.
type split struct {
	Next, End int64
	Skip      bool
}

func (s split) encode() []byte {
	b := binary.BigEndian.AppendUint64(nil, uint64(s.Next))
	b = binary.BigEndian.AppendUint64(b, uint64(s.End))
	if s.Skip {
		return append(b, 1)
	}
	return append(b, 0)
}

func decodeSplit(b []byte) (split, error) {
	if len(b) != 17 || b[16] > 1 {
		return split{}, fmt.Errorf("%w: source split of %d bytes", ErrIncompatibleState, len(b))
	}
	s := split{Next: int64(binary.BigEndian.Uint64(b)), End: int64(binary.BigEndian.Uint64(b[8:])), Skip: b[16] == 1}
	if s.Next < 0 || s.End < s.Next {
		return split{}, fmt.Errorf("%w: source split [%d, %d)", ErrIncompatibleState, s.Next, s.End)
	}
	return s, nil
}

// initialSplits returns this subtask's share of [0, size): the restored
// splits, or the ctx.Subtask-th of ctx.Parallelism contiguous ranges.
func initialSplits(ctx *engine.OperatorContext, size int64, skip bool) ([]split, error) {
	if ctx.Restored != nil {
		splits := make([]split, 0, len(ctx.Restored.List))
		for _, b := range ctx.Restored.List {
			s, err := decodeSplit(b)
			if err != nil {
				return nil, err
			}
			splits = append(splits, s)
		}
		return splits, nil
	}
	p, i := int64(ctx.Parallelism), int64(ctx.Subtask)
	start := size * i / p
	return []split{{Next: start, End: size * (i + 1) / p, Skip: skip && start > 0}}, nil
}

// splitState is the operator state of the splits not yet done.
func splitState(splits []split) engine.OperatorState {
	list := make([][]byte, 0, len(splits))
	for _, s := range splits {
		if s.Next < s.End {
			list = append(list, s.encode())
		}
	}
	return engine.OperatorState{List: list}
}

// sourceBase is what every source operator shares: sources have no input
// and checkpoints only record their splits.
type sourceBase struct {
	ctx    *engine.OperatorContext
	splits []split
}

func (s *sourceBase) ProcessBatch(any) {}
func (s *sourceBase) EndInput()        {}
func (s *sourceBase) SnapshotState(int64) (engine.OperatorState, error) {
	return splitState(s.splits), nil
}
func (s *sourceBase) NotifyCheckpointComplete(int64) error { return nil }

// Positions describes the splits still to read, for the restore trace:
// "[next, end)" each.
func (s *sourceBase) Positions() string {
	var b strings.Builder
	for i, sp := range s.splits {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "[%d, %d)", sp.Next, sp.End)
	}
	return b.String()
}
func (s *sourceBase) NotifyCheckpointAborted(int64) {}

// FromSlice is a bounded source of items. With parallelism p, subtask i
// emits the i-th of p contiguous parts of items, in order.
func FromSlice[T any](env *Environment, name string, items []T, opts ...OperatorOption) Stream[T] {
	return Generate(env, name, int64(len(items)), func(i int64) (T, error) { return items[i], nil }, opts...)
}

// Generate is a bounded source of count records: record i is fn(i). With
// parallelism p, subtask s generates the s-th of p contiguous ranges of
// [0, count), in order, as Flink's DataGeneratorSource splits its range.
// Checkpoints record the next index, so a restored job resumes exactly
// where the checkpoint was taken.
func Generate[T any](env *Environment, name string, count int64, fn func(i int64) (T, error), opts ...OperatorOption) Stream[T] {
	if env == nil {
		err := fmt.Errorf("%w: source %q on a nil Environment", ErrInvalidStream, name)
		strayError(err)
		return invalid[T](nil, err)
	}
	if fn == nil || count < 0 {
		env.addError(fmt.Errorf("%w: source %q needs a function and a count >= 0", ErrInvalidOperator, name))
	}
	return addVertex(env, vertexSpec[T]{name: name, source: true,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[T]) (engine.Operator, error) {
			splits, err := initialSplits(ctx, count, false)
			if err != nil {
				return nil, err
			}
			return &generatorSource[T]{sourceBase: sourceBase{ctx: ctx, splits: splits}, fn: fn, out: out}, nil
		}}, nil, opts)
}

type generatorSource[T any] struct {
	sourceBase
	fn  func(int64) (T, error)
	out engine.Collector[T]
}

func (s *generatorSource[T]) Poll(max int) engine.SourceStatus {
	defer s.ctx.Recover()
	for n := 0; n < max && !s.ctx.Failed(); {
		if len(s.splits) == 0 {
			return engine.SourceDone
		}
		sp := &s.splits[0]
		if sp.Next >= sp.End {
			s.splits = s.splits[1:]
			continue
		}
		v, err := s.fn(sp.Next)
		if err != nil {
			s.ctx.Fail(err)
			return engine.SourceMore
		}
		sp.Next++
		n++
		s.out.Collect(v)
	}
	if len(s.splits) == 0 || (len(s.splits) == 1 && s.splits[0].Next >= s.splits[0].End) {
		return engine.SourceDone
	}
	return engine.SourceMore
}

func (s *generatorSource[T]) Close() error { return nil }

// TextFile is a bounded source of the lines of the file at path, without
// their line endings ("\n" or "\r\n"). With parallelism p the file is cut
// into p byte ranges; each subtask reads the lines that start in its range,
// as Flink's file source reads splits. Checkpoints record the offset of the
// next line.
func TextFile(env *Environment, name, path string, opts ...OperatorOption) Stream[string] {
	if env == nil {
		err := fmt.Errorf("%w: source %q on a nil Environment", ErrInvalidStream, name)
		strayError(err)
		return invalid[string](nil, err)
	}
	return addVertex(env, vertexSpec[string]{name: name, source: true,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[string]) (engine.Operator, error) {
			return openTextSource(ctx, path, out)
		}}, nil, opts)
}

type textSource struct {
	sourceBase
	f          *os.File
	r          *bufio.Reader
	out        engine.Collector[string]
	positioned bool // r reads at splits[0].Next
	line       []byte
}

func openTextSource(ctx *engine.OperatorContext, path string, out engine.Collector[string]) (*textSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	splits, err := initialSplits(ctx, info.Size(), true)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &textSource{sourceBase: sourceBase{ctx: ctx, splits: splits}, f: f, out: out,
		r: bufio.NewReaderSize(f, 256<<10)}, nil
}

// position seeks to the current split. A split whose start may fall inside
// a line skips to after the first newline at or after its start-1.
func (s *textSource) position() error {
	sp := &s.splits[0]
	at := sp.Next
	if sp.Skip {
		at--
	}
	if _, err := s.f.Seek(at, io.SeekStart); err != nil {
		return err
	}
	s.r.Reset(s.f)
	s.positioned = true
	if !sp.Skip {
		return nil
	}
	sp.Skip = false
	sp.Next = at
	_, err := s.readLine()
	if err == io.EOF {
		return nil
	}
	return err
}

func (s *textSource) Poll(max int) engine.SourceStatus {
	defer s.ctx.Recover()
	for n := 0; n < max; {
		if len(s.splits) == 0 {
			return engine.SourceDone
		}
		if !s.positioned {
			if err := s.position(); err != nil {
				s.ctx.Fail(fmt.Errorf("read %s: %w", s.f.Name(), err))
				return engine.SourceMore
			}
		}
		sp := &s.splits[0]
		if sp.Next >= sp.End {
			s.splits, s.positioned = s.splits[1:], false
			continue
		}
		line, err := s.readLine()
		if len(line) > 0 || err == nil {
			s.out.Collect(string(bytes.TrimSuffix(line, []byte{'\r'})))
			n++
		}
		if err == io.EOF {
			sp.Next = sp.End
			continue
		}
		if err != nil {
			s.ctx.Fail(fmt.Errorf("read %s: %w", s.f.Name(), err))
			return engine.SourceMore
		}
	}
	return engine.SourceMore
}

// readLine returns the next line without its "\n" and moves the split's
// offset past it.
func (s *textSource) readLine() ([]byte, error) {
	b, err := s.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		s.line = append(s.line[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = s.r.ReadSlice('\n')
			s.line = append(s.line, b...)
		}
		b = s.line
	}
	s.splits[0].Next += int64(len(b))
	return bytes.TrimSuffix(b, []byte{'\n'}), err
}

func (s *textSource) Close() error { return s.f.Close() }
