package nexmark

import (
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim"
)

// ErrSplit reports a split the source cannot read: one of a source of
// other events (another Config, or fewer events), or malformed bytes.
var ErrSplit = errors.New("nexmark: bad source split")

// SourceConfig configures a Source.
type SourceConfig struct {
	// Events is the number of events the source generates: events
	// [0, Events).
	Events int64
	// Splits is how many splits events are cut into; zero means one per
	// subtask. More splits than subtasks lets a job restored at a higher
	// parallelism spread them over more subtasks.
	Splits int
}

// Source is a flinksim source of the generator's events [0, Events). Its
// splits are contiguous ranges of event numbers; a reader generates each
// split's events in order, so a checkpoint records per split the number
// of the next event, and a restored job — at any parallelism — resumes
// exactly there. Whatever the parallelism, the job reads exactly the
// events of Generator.Events(0, Events).
//
// A reader emits its events with their event timestamps
// (ReaderOutput.CollectAt) and reads its splits in event-number order, so
// each subtask's timestamps never decrease and
// flinksim.ForMonotonousTimestamps[Event]() is the watermark strategy
// to give FromSourceWithWatermarks.
type Source struct {
	gen    *Generator
	events int64
	splits int
}

var _ flinksim.Source[Event, Split] = (*Source)(nil)

// NewSource returns the source of cfg.Events events of g, or an error
// wrapping ErrInvalidConfig.
func NewSource(g *Generator, cfg SourceConfig) (*Source, error) {
	switch {
	case g == nil:
		return nil, fmt.Errorf("%w: source without a generator", ErrInvalidConfig)
	case cfg.Events < 0 || cfg.Events > MaxEventNumber:
		return nil, fmt.Errorf("%w: source of %d events, outside [0, %d]", ErrInvalidConfig, cfg.Events, MaxEventNumber)
	case cfg.Splits < 0:
		return nil, fmt.Errorf("%w: source of %d splits", ErrInvalidConfig, cfg.Splits)
	}
	return &Source{gen: g, events: cfg.Events, splits: cfg.Splits}, nil
}

// Split is a range [Start, End) of event numbers, read up to Next: the
// events [Next, End) are still to come.
type Split struct {
	// Start and End bound the split's events, Start <= Next <= End.
	Start, End int64
	// Next is the number of the next event to read.
	Next int64
}

func (s Split) String() string { return fmt.Sprintf("events [%d, %d) at %d", s.Start, s.End, s.Next) }

// Splits cuts [0, Events) into SourceConfig.Splits contiguous splits (or
// parallelism, if that is zero) of sizes differing by at most one.
func (s *Source) Splits(parallelism int) ([]Split, error) {
	n := s.splits
	if n == 0 {
		n = parallelism
	}
	if n < 1 {
		return nil, fmt.Errorf("%w: %d splits", ErrInvalidConfig, n)
	}
	splits := make([]Split, n)
	for i := range splits {
		start, end := cut(s.events, i, n), cut(s.events, i+1, n)
		splits[i] = Split{Start: start, End: end, Next: start}
	}
	return splits, nil
}

// cut returns size*i/n without overflowing.
func cut(size int64, i, n int) int64 {
	p, q := int64(i), int64(n)
	return size/q*p + size%q*p/q
}

// SplitCodec returns the codec of the source's splits: a version byte,
// the generator config's fingerprint, and Start, End and Next, 8 bytes
// each, big endian. Decode refuses, with ErrSplit, a split of another
// config or past Events.
func (s *Source) SplitCodec() flinksim.Codec[Split] {
	return splitCodec{fingerprint: s.gen.fingerprint, events: s.events}
}

// NewReader returns a reader of the source's splits.
func (s *Source) NewReader(*flinksim.ReaderContext) (flinksim.SourceReader[Event, Split], error) {
	return &reader{gen: s.gen}, nil
}

const (
	splitVersion = 1
	splitSize    = 1 + 8 + 3*8
)

type splitCodec struct {
	fingerprint uint64
	events      int64
}

func (c splitCodec) Append(dst []byte, s Split) ([]byte, error) {
	if err := c.check(s); err != nil {
		return dst, fmt.Errorf("%w: %w", flinksim.ErrEncode, err)
	}
	dst = append(dst, splitVersion)
	dst = binary.BigEndian.AppendUint64(dst, c.fingerprint)
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.Start))
	dst = binary.BigEndian.AppendUint64(dst, uint64(s.End))
	return binary.BigEndian.AppendUint64(dst, uint64(s.Next)), nil
}

func (c splitCodec) Decode(b []byte) (Split, error) {
	if len(b) != splitSize {
		return Split{}, fmt.Errorf("%w: %d bytes, not %d", ErrSplit, len(b), splitSize)
	}
	if b[0] != splitVersion {
		return Split{}, fmt.Errorf("%w: version %d, not %d", ErrSplit, b[0], splitVersion)
	}
	if fp := binary.BigEndian.Uint64(b[1:]); fp != c.fingerprint {
		return Split{}, fmt.Errorf("%w: a split of another generator config (fingerprint %#x, this one's %#x)", ErrSplit, fp, c.fingerprint)
	}
	s := Split{
		Start: int64(binary.BigEndian.Uint64(b[9:])),
		End:   int64(binary.BigEndian.Uint64(b[17:])),
		Next:  int64(binary.BigEndian.Uint64(b[25:])),
	}
	return s, c.check(s)
}

// check refuses a split that is not a range within [0, events).
func (c splitCodec) check(s Split) error {
	if s.Start < 0 || s.Start > s.Next || s.Next > s.End || s.End > c.events {
		return fmt.Errorf("%w: %v of a source of %d events", ErrSplit, s, c.events)
	}
	return nil
}

// readerBatch is how many events PollNext emits at most.
const readerBatch = 64

// reader reads its splits in event-number order: always the split with
// the lowest Next (splits never overlap, so that is one split to its end,
// then the next).
type reader struct {
	gen    *Generator
	splits []Split // unread splits, by Next
	noMore bool
}

func (r *reader) AddSplits(splits []Split) error {
	r.splits = append(r.splits, splits...)
	slices.SortFunc(r.splits, func(a, b Split) int { return compareInt(a.Next, b.Next) })
	return nil
}

func compareInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (r *reader) NotifyNoMoreSplits() { r.noMore = true }

func (r *reader) PollNext(out flinksim.Collector[Event]) (flinksim.InputStatus, error) {
	for len(r.splits) > 0 && r.splits[0].Next >= r.splits[0].End {
		r.splits = r.splits[1:]
	}
	if len(r.splits) == 0 {
		if r.noMore {
			return flinksim.EndOfInput, nil
		}
		return flinksim.NothingAvailable, nil
	}
	ro, ok := out.(flinksim.ReaderOutput[Event])
	if !ok {
		return flinksim.MoreAvailable, fmt.Errorf("nexmark: the source's output %T is not a ReaderOutput", out)
	}
	sp := &r.splits[0]
	end := min(sp.End, sp.Next+readerBatch)
	for ; sp.Next < end; sp.Next++ {
		e := r.gen.event(sp.Next)
		ro.CollectAt(e, e.Timestamp())
	}
	return flinksim.MoreAvailable, nil
}

func (r *reader) SnapshotState(int64) ([]Split, error) {
	var left []Split
	for _, s := range r.splits {
		if s.Next < s.End {
			left = append(left, s)
		}
	}
	return left, nil
}

func (r *reader) Close() error { return nil }
