package main

import (
	"fmt"
	"math"
)

// reference computes the output of the windows example with a plain loop
// over the events and a map of windows per key, on one goroutine: the
// oracle the job is tested against, and the baseline of its benchmarks.
// It does not use flinksim; its window arithmetic is its own, so that it
// checks the library's rather than repeating it.
//
// The semantics are Flink's WindowOperator with an EventTimeTrigger, a
// count per key and window, and a bounded-out-of-orderness watermark
// emitted after every record. All times are int64 milliseconds;
// D = spec.OutOfOrderness, L = spec.AllowedLateness.
//
// Windows of a record at timestamp t: tumbling, the window [s, s+size)
// with s = t − ((t mod size)), the modulus in [0, size) so negative
// timestamps align too (s is a multiple of size); sliding, every window
// [s, s+size) with s a multiple of slide and s <= t < s+size (size/slide
// windows when slide divides size; none when slide > size and t falls
// between windows); session, [t, t+gap). A window's max timestamp is its
// end − 1; its cleanup time is max timestamp + L (math.MaxInt64 if that
// overflows). A window is late when its cleanup time <= the watermark.
//
// The watermark starts at math.MinInt64. Each event, in input order:
//
//  1. is taken with the watermark W left by the events before it. For each
//     of its windows (tumbling, sliding): a late window is skipped;
//     otherwise the event is counted in it, and if the window's max
//     timestamp <= W the window fires at once with its new count (a late
//     firing). For sessions, the event's window [t, t+gap) is merged with
//     every live window of its key that intersects it — start <= other end
//     and end >= other start, so windows that touch merge — into their
//     cover, which holds the sum of their counts; an event that joins two
//     sessions bridges them into one. (Live windows of a key never
//     intersect one another, so the windows intersecting the new one are
//     exactly the group Flink's sort-and-sweep merge would find.) If the
//     event's window merged with nothing and is late it is skipped;
//     otherwise the event is counted in the (merged) window, which fires at
//     once if its max timestamp <= W.
//  2. is late — written to the late output, in input order — if it was
//     counted in no window and t + L <= W (saturating). An event of a
//     sliding assigner that falls between windows and is not late is
//     counted nowhere and output nowhere, as in Flink. Whenever every
//     window of an event is late the event is late too, since its windows
//     hold t.
//  3. then moves the watermark to max(W, largest timestamp so far − D − 1)
//     (math.MinInt64 if that underflows). When the watermark moves to W',
//     every live window whose max timestamp <= W' and that has not fired
//     on the watermark fires with its count, and every live window whose
//     cleanup time <= W' is dropped (after firing, if both), as Flink's
//     event-time timers do. A window that fires on the watermark once
//     fires so again only if a merge makes it a new, larger window.
//
// At the end of the input the watermark moves to math.MaxInt64: every
// remaining window fires (those not yet fired on the watermark) and is
// dropped.
//
// Each firing is one output line; their order in the result is the order
// of firing, but the example prints them sorted (see writeFirings), since
// a parallel job fires windows of different keys in no fixed order.
//
// An event whose windows do not fit in int64 milliseconds, or whose
// timestamp is math.MinInt64 (Flink's "no timestamp"), is an error.
func reference(events []event, spec windowSpec) (firings []firing, late []event, err error) {
	r := &referenceRun{
		spec:      spec,
		size:      spec.Size.Milliseconds(),
		slide:     spec.Slide.Milliseconds(),
		gap:       spec.Gap.Milliseconds(),
		lateness:  spec.AllowedLateness.Milliseconds(),
		watermark: math.MinInt64,
		maxTs:     math.MinInt64,
		keys:      map[string]map[refWindow]*refLive{},
	}
	ooo := spec.OutOfOrderness.Milliseconds()
	for _, e := range events {
		if err := r.add(e); err != nil {
			return nil, nil, err
		}
		r.maxTs = max(r.maxTs, e.TimestampMs)
		if wm := saturatingSub(r.maxTs, ooo+1); wm > r.watermark {
			r.advance(wm)
		}
	}
	r.advance(math.MaxInt64)
	return r.firings, r.late, nil
}

// refWindow is a window [start, end).
type refWindow struct{ start, end int64 }

func (w refWindow) maxTimestamp() int64 { return w.end - 1 }

// refLive is a window that holds records and is not yet dropped.
type refLive struct {
	count int64
}

type referenceRun struct {
	spec                       windowSpec
	size, slide, gap, lateness int64
	watermark, maxTs           int64
	keys                       map[string]map[refWindow]*refLive
	timers                     refTimers
	firings                    []firing
	late                       []event
	windowsBuf                 []refWindow
}

// add takes one event with the current watermark: steps 1 and 2.
func (r *referenceRun) add(e event) error {
	windows, err := r.windowsOf(e.TimestampMs)
	if err != nil {
		return err
	}
	live := r.keys[e.Key]
	if live == nil {
		live = map[refWindow]*refLive{}
		r.keys[e.Key] = live
	}
	counted := false
	for _, w := range windows {
		if r.spec.Kind == session {
			w = r.mergeSession(e.Key, live, w)
		}
		lw := live[w]
		if lw == nil {
			if r.cleanupTime(w) <= r.watermark {
				continue // late: its window was dropped, or is as if it had been
			}
			lw = r.create(e.Key, live, w, 0)
		}
		counted = true
		lw.count++
		if w.maxTimestamp() <= r.watermark {
			r.fire(e.Key, w, lw)
		}
	}
	if len(live) == 0 {
		delete(r.keys, e.Key)
	}
	if !counted && saturatingAdd(e.TimestampMs, r.lateness) <= r.watermark {
		r.late = append(r.late, e)
	}
	return nil
}

// windowsOf returns the windows of timestamp ts, in a buffer reused by the
// next call.
func (r *referenceRun) windowsOf(ts int64) ([]refWindow, error) {
	outOfRange := func() error {
		return fmt.Errorf("timestamp %d: its %s windows do not fit in int64 milliseconds", ts, r.spec.Kind)
	}
	if ts == math.MinInt64 {
		return nil, fmt.Errorf("timestamp %d is Flink's \"no timestamp\"", ts)
	}
	ws := r.windowsBuf[:0]
	switch r.spec.Kind {
	case tumbling, sliding:
		period := r.size
		if r.spec.Kind == sliding {
			period = r.slide
		}
		rem := ts % period
		if rem < 0 {
			rem += period
		}
		// Starts ts−rem, ts−rem−period, … while ts − start < size.
		for behind := rem; behind < r.size; behind += period {
			if ts < math.MinInt64+behind || ts-behind > math.MaxInt64-r.size {
				return nil, outOfRange()
			}
			ws = append(ws, refWindow{ts - behind, ts - behind + r.size})
		}
	case session:
		if ts > math.MaxInt64-r.gap {
			return nil, outOfRange()
		}
		ws = append(ws, refWindow{ts, ts + r.gap})
	}
	r.windowsBuf = ws
	return ws, nil
}

// mergeSession merges w with the live windows of key that intersect it and
// returns the window the event belongs to: w itself if nothing intersects
// it (not yet live), else their cover, live with the sum of their counts.
func (r *referenceRun) mergeSession(key string, live map[refWindow]*refLive, w refWindow) refWindow {
	cover := w
	var sum int64
	var members []refWindow
	for o, lw := range live {
		if w.start <= o.end && w.end >= o.start {
			cover = refWindow{min(cover.start, o.start), max(cover.end, o.end)}
			sum += lw.count
			members = append(members, o)
		}
	}
	if len(members) == 0 || len(members) == 1 && members[0] == cover {
		return cover // a new window, or the event falls inside a live one
	}
	for _, o := range members {
		delete(live, o)
	}
	r.create(key, live, cover, sum)
	return cover
}

// create makes w live for key with count records, and sets its timers: a
// firing at its max timestamp, if the watermark is before it, and its
// cleanup.
func (r *referenceRun) create(key string, live map[refWindow]*refLive, w refWindow, count int64) *refLive {
	lw := &refLive{count: count}
	live[w] = lw
	if w.maxTimestamp() > r.watermark {
		r.timers.push(refTimer{at: w.maxTimestamp(), key: key, window: w})
	}
	r.timers.push(refTimer{at: r.cleanupTime(w), cleanup: true, key: key, window: w})
	return lw
}

func (r *referenceRun) cleanupTime(w refWindow) int64 {
	return saturatingAdd(w.maxTimestamp(), r.lateness)
}

func (r *referenceRun) fire(key string, w refWindow, lw *refLive) {
	r.firings = append(r.firings, firing{StartMs: w.start, EndMs: w.end, Key: key, Count: lw.count})
}

// advance moves the watermark to wm and runs the timers it passes, in time
// order, firings before cleanups at the same time.
func (r *referenceRun) advance(wm int64) {
	r.watermark = wm
	for len(r.timers) > 0 && r.timers[0].at <= wm {
		t := r.timers.pop()
		live := r.keys[t.key]
		lw := live[t.window]
		if lw == nil {
			// Merged away. A window of the same bounds is never live again:
			// the cover that took it lives at least as long as its timers,
			// and after the cover it would be late.
			continue
		}
		if !t.cleanup {
			r.fire(t.key, t.window, lw)
			continue
		}
		delete(live, t.window)
		if len(live) == 0 {
			delete(r.keys, t.key)
		}
	}
}

// refTimer is a firing (cleanup false) or a cleanup of a live window, at a
// watermark.
type refTimer struct {
	at      int64
	cleanup bool
	key     string
	window  refWindow
}

// refTimers is a binary min-heap of timers by time, firings before
// cleanups at one time; typed, so that a push does not allocate.
type refTimers []refTimer

func (h refTimers) less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return !h[i].cleanup && h[j].cleanup
}

func (h *refTimers) push(t refTimer) {
	*h = append(*h, t)
	for i := len(*h) - 1; i > 0; {
		parent := (i - 1) / 2
		if !h.less(i, parent) {
			break
		}
		(*h)[i], (*h)[parent] = (*h)[parent], (*h)[i]
		i = parent
	}
}

func (h *refTimers) pop() refTimer {
	old := *h
	t := old[0]
	last := len(old) - 1
	old[0] = old[last]
	old[last] = refTimer{} // drop the key's reference
	*h = old[:last]
	for i := 0; ; {
		least, l, r := i, 2*i+1, 2*i+2
		if l < last && h.less(l, least) {
			least = l
		}
		if r < last && h.less(r, least) {
			least = r
		}
		if least == i {
			break
		}
		(*h)[i], (*h)[least] = (*h)[least], (*h)[i]
		i = least
	}
	return t
}

func saturatingAdd(a, b int64) int64 { // b >= 0
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func saturatingSub(a, b int64) int64 { // b >= 0
	if a < math.MinInt64+b {
		return math.MinInt64
	}
	return a - b
}
