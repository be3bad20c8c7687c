package flinksim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// TextFile is a bounded source of the lines of the file at path, without
// their line endings ("\n" or "\r\n"). With parallelism p the file is cut
// into p byte ranges; each subtask reads the lines that start in its range,
// as Flink's file source reads splits. Checkpoints record the offset of the
// next line.
func TextFile(env *Environment, name, path string, opts ...OperatorOption) Stream[string] {
	return fromSource(env, name, Source[string, rangeSplit](textFile(path)), nil, false, opts)
}

// textFile is the source of TextFile: its splits are byte ranges.
type textFile string

func (f textFile) Splits(parallelism int) ([]rangeSplit, error) {
	info, err := os.Stat(string(f))
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, fmt.Errorf("%s is a directory", f)
	}
	return rangeSplits(info.Size(), parallelism, true), nil
}

func (f textFile) SplitCodec() Codec[rangeSplit] { return rangeSplitCodec{} }

func (f textFile) NewReader(*ReaderContext) (SourceReader[string, rangeSplit], error) {
	file, err := os.Open(string(f))
	if err != nil {
		return nil, err
	}
	return &textReader{f: file, r: bufio.NewReaderSize(file, 256<<10)}, nil
}

type textReader struct {
	f          *os.File
	r          *bufio.Reader
	splits     []rangeSplit
	noMore     bool
	positioned bool // r reads at splits[0].Next
	line       []byte
}

func (r *textReader) AddSplits(splits []rangeSplit) error {
	r.splits = append(r.splits, splits...)
	return nil
}

func (r *textReader) NotifyNoMoreSplits() { r.noMore = true }

func (r *textReader) PollNext(out Collector[string]) (InputStatus, error) {
	for {
		if len(r.splits) == 0 {
			if r.noMore {
				return EndOfInput, nil
			}
			return NothingAvailable, nil
		}
		if !r.positioned {
			if err := r.position(); err != nil {
				return MoreAvailable, fmt.Errorf("read %s: %w", r.f.Name(), err)
			}
		}
		sp := &r.splits[0]
		if sp.Next >= sp.End {
			r.splits, r.positioned = r.splits[1:], false
			continue
		}
		line, err := r.readLine()
		if err == io.EOF {
			sp.Next = sp.End // the file ended before the split: it is read
		} else if err != nil {
			return MoreAvailable, fmt.Errorf("read %s: %w", r.f.Name(), err)
		}
		if len(line) > 0 || err == nil {
			out.Collect(string(bytes.TrimSuffix(line, []byte{'\r'})))
			return MoreAvailable, nil
		}
	}
}

// position seeks to the current split. A split whose start may fall inside
// a line skips to after the first newline at or after its start-1.
func (r *textReader) position() error {
	sp := &r.splits[0]
	at := sp.Next
	if sp.Skip {
		at--
	}
	if _, err := r.f.Seek(at, io.SeekStart); err != nil {
		return err
	}
	r.r.Reset(r.f)
	r.positioned = true
	if !sp.Skip {
		return nil
	}
	sp.Skip = false
	sp.Next = at
	_, err := r.readLine()
	if err == io.EOF {
		return nil
	}
	return err
}

// readLine returns the next line without its "\n" and moves the split's
// offset past it.
func (r *textReader) readLine() ([]byte, error) {
	b, err := r.r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		r.line = append(r.line[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = r.r.ReadSlice('\n')
			r.line = append(r.line, b...)
		}
		b = r.line
	}
	r.splits[0].Next += int64(len(b))
	return bytes.TrimSuffix(b, []byte{'\n'}), err
}

func (r *textReader) SnapshotState(int64) ([]rangeSplit, error) {
	return unread(r.splits), nil
}

func (r *textReader) Close() error { return r.f.Close() }
