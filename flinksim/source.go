package flinksim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// FromSlice is a bounded source of items. With parallelism p, subtask i
// emits the i-th of p contiguous parts of items, in order.
func FromSlice[T any](env *Environment, name string, items []T, opts ...OperatorOption) Stream[T] {
	return Generate(env, name, int64(len(items)), func(i int64) (T, error) { return items[i], nil }, opts...)
}

// Generate is a bounded source of count records: record i is fn(i). With
// parallelism p, subtask s generates the s-th of p contiguous ranges of
// [0, count), in order, as Flink's DataGeneratorSource splits its range.
func Generate[T any](env *Environment, name string, count int64, fn func(i int64) (T, error), opts ...OperatorOption) Stream[T] {
	if fn == nil || count < 0 {
		env.addError(fmt.Errorf("%w: source %q needs a function and a count >= 0", ErrInvalidOperator, name))
	}
	return addVertex(env, vertexSpec[T]{name: name, source: true,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[T]) (engine.Operator, error) {
			p, s := int64(ctx.Parallelism), int64(ctx.Subtask)
			return &generatorSource[T]{ctx: ctx, fn: fn, out: out, next: count * s / p, end: count * (s + 1) / p}, nil
		}}, nil, opts)
}

type generatorSource[T any] struct {
	noLifecycle
	ctx       *engine.OperatorContext
	fn        func(int64) (T, error)
	out       engine.Collector[T]
	next, end int64
}

func (s *generatorSource[T]) Poll(max int) engine.SourceStatus {
	defer s.ctx.Recover()
	for n := 0; n < max && s.next < s.end && !s.ctx.Failed(); n++ {
		v, err := s.fn(s.next)
		if err != nil {
			s.ctx.Fail(err)
			return engine.SourceMore
		}
		s.next++
		s.out.Collect(v)
	}
	if s.next >= s.end {
		return engine.SourceDone
	}
	return engine.SourceMore
}

func (s *generatorSource[T]) ProcessBatch(any) {}

// TextFile is a bounded source of the lines of the file at path, without
// their line endings ("\n" or "\r\n"). With parallelism p the file is cut
// into p byte ranges; each subtask reads the lines that start in its range,
// as Flink's file source reads splits.
func TextFile(env *Environment, name, path string, opts ...OperatorOption) Stream[string] {
	return addVertex(env, vertexSpec[string]{name: name, source: true,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[string]) (engine.Operator, error) {
			return openTextSplit(ctx, path, out)
		}}, nil, opts)
}

type textSource struct {
	ctx    *engine.OperatorContext
	f      *os.File
	r      *bufio.Reader
	out    engine.Collector[string]
	offset int64 // of the next line's first byte
	end    int64
	line   []byte
}

func openTextSplit(ctx *engine.OperatorContext, path string, out engine.Collector[string]) (*textSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size, p, i := info.Size(), int64(ctx.Parallelism), int64(ctx.Subtask)
	s := &textSource{ctx: ctx, f: f, out: out, offset: size * i / p, end: size * (i + 1) / p}
	if s.offset > 0 {
		// A line that starts before our range belongs to the previous
		// subtask: start after the first newline at or after offset-1.
		if _, err := f.Seek(s.offset-1, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
		s.offset--
	}
	s.r = bufio.NewReaderSize(f, 256<<10)
	if s.offset > 0 {
		skipped, err := s.r.ReadSlice('\n')
		for errors.Is(err, bufio.ErrBufferFull) {
			s.offset += int64(len(skipped))
			skipped, err = s.r.ReadSlice('\n')
		}
		s.offset += int64(len(skipped))
		if err != nil && err != io.EOF {
			f.Close()
			return nil, err
		}
	}
	return s, nil
}

func (s *textSource) Poll(max int) engine.SourceStatus {
	defer s.ctx.Recover()
	for n := 0; n < max; n++ {
		if s.offset >= s.end {
			return engine.SourceDone
		}
		line, err := s.readLine()
		if len(line) > 0 || err == nil {
			s.out.Collect(string(bytes.TrimSuffix(line, []byte{'\r'})))
		}
		if err == io.EOF {
			return engine.SourceDone
		}
		if err != nil {
			s.ctx.Fail(fmt.Errorf("read %s: %w", s.f.Name(), err))
			return engine.SourceMore
		}
	}
	return engine.SourceMore
}

// readLine returns the next line without its "\n" and advances offset.
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
	s.offset += int64(len(b))
	return bytes.TrimSuffix(b, []byte{'\n'}), err
}

func (s *textSource) ProcessBatch(any) {}
func (s *textSource) EndInput()        {}
func (s *textSource) Close() error     { return s.f.Close() }
