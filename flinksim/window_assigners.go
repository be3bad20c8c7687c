package flinksim

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// ErrWindowTimestamp reports a timestamp that no window of an assigner can
// hold: math.MinInt64, which marks a record without a timestamp, in an
// event-time assigner, or a timestamp so near either end of int64 that its
// window's bounds do not fit in int64 milliseconds.
var ErrWindowTimestamp = errors.New("flinksim: timestamp has no window")

// WindowAssigner decides which windows a record belongs to, Flink's
// WindowAssigner. It is a value made by one of the constructors —
// [TumblingEventTimeWindows], [SlidingEventTimeWindows],
// [EventTimeSessionWindows], their processing-time twins
// [TumblingProcessingTimeWindows], [SlidingProcessingTimeWindows],
// [ProcessingTimeSessionWindows], and [GlobalWindows] — and cannot be
// built otherwise.
//
// Time windows are aligned to the epoch (shifted by an offset, see
// [WindowAssigner.WithOffset]): a tumbling window of size s holds the
// timestamps t with start <= t < start+s, start being the largest
// offset+k·s <= t for an integer k, negative timestamps included.
// Event-time assigners use a record's timestamp, processing-time assigners
// the processing time at which the record arrives. Session assigners give
// each record the window [t, t+gap) and merge windows of a key that
// intersect (see [Window.Intersects]: windows that touch merge).
//
// Sizes, slides, gaps and offsets are whole numbers of milliseconds. A
// constructor given a value that is not (or a size, slide or gap that is
// not positive) returns an assigner that carries an error wrapping
// [ErrInvalidConfig]; the window operator using it reports that error when
// the graph is built. The zero WindowAssigner is invalid in the same way.
type WindowAssigner struct {
	kind      assignerKind
	eventTime bool
	size      time.Duration // tumbling, sliding
	slide     time.Duration // sliding
	gap       time.Duration // session
	offset    time.Duration // tumbling, sliding
	err       error
}

type assignerKind uint8

const (
	noAssigner assignerKind = iota
	tumblingAssigner
	slidingAssigner
	sessionAssigner
	globalAssigner
)

// TumblingEventTimeWindows assigns each record to the one window of length
// size, aligned to the epoch, that holds its timestamp.
func TumblingEventTimeWindows(size time.Duration) WindowAssigner {
	return newTumbling(true, size)
}

// TumblingProcessingTimeWindows is TumblingEventTimeWindows over the
// processing time at which each record arrives.
func TumblingProcessingTimeWindows(size time.Duration) WindowAssigner {
	return newTumbling(false, size)
}

// SlidingEventTimeWindows assigns each record to every window of length
// size that holds its timestamp, a window starting every slide (aligned to
// the epoch): size/slide windows when slide divides size. A slide larger
// than size leaves gaps between windows; a record in a gap belongs to no
// window.
func SlidingEventTimeWindows(size, slide time.Duration) WindowAssigner {
	return newSliding(true, size, slide)
}

// SlidingProcessingTimeWindows is SlidingEventTimeWindows over the
// processing time at which each record arrives.
func SlidingProcessingTimeWindows(size, slide time.Duration) WindowAssigner {
	return newSliding(false, size, slide)
}

// EventTimeSessionWindows assigns a record with timestamp t to the window
// [t, t+gap) and merges the windows of a key that intersect: a session
// ends after gap without records of its key.
func EventTimeSessionWindows(gap time.Duration) WindowAssigner {
	a := WindowAssigner{kind: sessionAssigner, eventTime: true, gap: gap}
	a.err = checkWindowDuration(a, "gap", gap)
	return a
}

// ProcessingTimeSessionWindows is EventTimeSessionWindows over the
// processing time at which each record arrives.
func ProcessingTimeSessionWindows(gap time.Duration) WindowAssigner {
	a := WindowAssigner{kind: sessionAssigner, gap: gap}
	a.err = checkWindowDuration(a, "gap", gap)
	return a
}

// GlobalWindows assigns every record to the [GlobalWindow]. It never fires
// by itself: it is used with a trigger, such as a count trigger.
func GlobalWindows() WindowAssigner {
	return WindowAssigner{kind: globalAssigner}
}

func newTumbling(eventTime bool, size time.Duration) WindowAssigner {
	a := WindowAssigner{kind: tumblingAssigner, eventTime: eventTime, size: size}
	a.err = checkWindowDuration(a, "size", size)
	return a
}

func newSliding(eventTime bool, size, slide time.Duration) WindowAssigner {
	a := WindowAssigner{kind: slidingAssigner, eventTime: eventTime, size: size, slide: slide}
	a.err = errors.Join(checkWindowDuration(a, "size", size), checkWindowDuration(a, "slide", slide))
	return a
}

// checkWindowDuration checks that d is a positive whole number of
// milliseconds.
func checkWindowDuration(a WindowAssigner, what string, d time.Duration) error {
	if d <= 0 || d%time.Millisecond != 0 {
		return fmt.Errorf("%w: %v: %s %v is not a positive whole number of milliseconds", ErrInvalidConfig, a, what, d)
	}
	return nil
}

// WithOffset returns the tumbling or sliding assigner a with its windows
// shifted by offset from the epoch: TumblingEventTimeWindows(time.Hour)
// .WithOffset(15*time.Minute) has windows from a quarter past each hour.
// The offset is a whole number of milliseconds, negative or not, shorter
// than the size of a tumbling assigner and than the slide of a sliding
// one; an offset on another assigner, or one that breaks these rules, makes
// the assigner invalid (see [WindowAssigner]).
func (a WindowAssigner) WithOffset(offset time.Duration) WindowAssigner {
	if a.err != nil {
		return a
	}
	a.offset = offset
	var period time.Duration
	switch a.kind {
	case tumblingAssigner:
		period = a.size
	case slidingAssigner:
		period = a.slide
	default:
		a.err = fmt.Errorf("%w: %v: only tumbling and sliding windows take an offset", ErrInvalidConfig, a)
		return a
	}
	switch {
	case offset%time.Millisecond != 0:
		a.err = fmt.Errorf("%w: %v: offset %v is not a whole number of milliseconds", ErrInvalidConfig, a, offset)
	case offset <= -period || offset >= period:
		a.err = fmt.Errorf("%w: %v: offset %v is not shorter than %v", ErrInvalidConfig, a, offset, period)
	}
	return a
}

// String describes the assigner as the call that makes it, such as
// "SlidingEventTimeWindows(10s, 5s).WithOffset(1s)".
func (a WindowAssigner) String() string {
	domain := "ProcessingTime"
	if a.eventTime {
		domain = "EventTime"
	}
	var s string
	switch a.kind {
	case tumblingAssigner:
		s = fmt.Sprintf("Tumbling%sWindows(%v)", domain, a.size)
	case slidingAssigner:
		s = fmt.Sprintf("Sliding%sWindows(%v, %v)", domain, a.size, a.slide)
	case sessionAssigner:
		return fmt.Sprintf("%sSessionWindows(%v)", domain, a.gap)
	case globalAssigner:
		return "GlobalWindows()"
	default:
		return "WindowAssigner(zero value)"
	}
	if a.offset != 0 {
		s += fmt.Sprintf(".WithOffset(%v)", a.offset)
	}
	return s
}

// validate returns the assigner's configuration error, wrapping
// ErrInvalidConfig, or nil.
func (a WindowAssigner) validate() error {
	if a.kind == noAssigner {
		return fmt.Errorf("%w: zero WindowAssigner; make one with a constructor such as TumblingEventTimeWindows", ErrInvalidConfig)
	}
	return a.err
}

// isEventTime reports whether the assigner assigns by a record's timestamp
// (and its windows fire by watermark) rather than by processing time.
func (a WindowAssigner) isEventTime() bool { return a.eventTime }

// isMerging reports whether the assigner's windows merge (sessions): the
// window operator merges a key's windows that intersect a new one.
func (a WindowAssigner) isMerging() bool { return a.kind == sessionAssigner }

// appendWindows appends to dst the windows of a record at timestamp (the
// record's timestamp for an event-time assigner, the current processing
// time otherwise) and returns the extended slice (dst unchanged on an
// error); pass dst[:0] to reuse a slice. Sliding windows are appended latest start first, as Flink does. A
// sliding assigner whose slide exceeds its size appends nothing for a
// timestamp between windows. Errors wrap ErrWindowTimestamp, or are the
// assigner's configuration error.
func (a WindowAssigner) appendWindows(dst []Window, timestamp int64) ([]Window, error) {
	if err := a.validate(); err != nil {
		return dst, err
	}
	if a.eventTime && timestamp == math.MinInt64 {
		return dst, fmt.Errorf("%w: record has no timestamp (math.MinInt64); %v needs one", ErrWindowTimestamp, a)
	}
	switch a.kind {
	case tumblingAssigner:
		size := a.size.Milliseconds()
		start, ok := windowStart(timestamp, a.offset.Milliseconds(), size)
		if !ok || start > math.MaxInt64-size {
			return dst, a.outOfRange(timestamp)
		}
		return append(dst, Window{Start: start, End: start + size}), nil
	case slidingAssigner:
		size, slide := a.size.Milliseconds(), a.slide.Milliseconds()
		last, ok := windowStart(timestamp, a.offset.Milliseconds(), slide)
		if !ok || last > math.MaxInt64-size {
			return dst, a.outOfRange(timestamp)
		}
		// The windows holding timestamp start at last, last−slide, … while
		// timestamp−start < size; timestamp−last is in [0, slide).
		n := len(dst)
		for behind := timestamp - last; behind < size; behind += slide {
			if timestamp < math.MinInt64+behind {
				return dst[:n], a.outOfRange(timestamp)
			}
			start := timestamp - behind
			dst = append(dst, Window{Start: start, End: start + size})
		}
		return dst, nil
	case sessionAssigner:
		gap := a.gap.Milliseconds()
		if timestamp > math.MaxInt64-gap {
			return dst, a.outOfRange(timestamp)
		}
		return append(dst, Window{Start: timestamp, End: timestamp + gap}), nil
	default: // globalAssigner
		return append(dst, GlobalWindow()), nil
	}
}

func (a WindowAssigner) outOfRange(timestamp int64) error {
	return fmt.Errorf("%w: %v: a window of timestamp %d does not fit in int64 milliseconds", ErrWindowTimestamp, a, timestamp)
}

// windowStart returns the start of the window of length period, aligned to
// the epoch shifted by offset (|offset| < period), that holds timestamp:
// timestamp minus (timestamp−offset) mod period, the modulus taken in
// [0, period) so that negative timestamps are aligned too. ok is false if
// the start is below math.MinInt64.
func windowStart(timestamp, offset, period int64) (start int64, ok bool) {
	// (timestamp%period − offset) is in (−2·period, 2·period): no overflow.
	rem := (timestamp%period - offset) % period
	if rem < 0 {
		rem += period
	}
	if timestamp < math.MinInt64+rem {
		return 0, false
	}
	return timestamp - rem, true
}
