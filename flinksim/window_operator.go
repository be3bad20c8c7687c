package flinksim

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// The window operator, as Flink's WindowOperator. Each key's windows are
// one entry of keyed state — the key's open windows, each with its
// accumulator — so a record costs one state lookup and a scan of the few
// windows a key has open; timers are the operator's keyed timers, one per
// key and time, shared by the windows of a key that need that time.
//
// A window is created by its first record. Then its trigger's timer is
// registered at its max timestamp (unless the watermark is past it: the
// window fires at once) and its cleanup timer at max timestamp + allowed
// lateness (event time) or max timestamp (processing time). A timer that
// fires fires the key's windows whose max timestamp it is, then clears
// those whose cleanup time it is. A purging trigger empties a window but
// leaves it until then, as Flink's does. When session windows merge, their
// accumulators merge into the covering window and the old windows' timers
// are left to fire on nothing.

// windowContents is the name of the window operator's state of open
// windows.
const windowContents = "_window/contents"

// windowEntry is one open window of a key and what it holds.
type windowEntry[ACC any] struct {
	window Window
	acc    ACC
	filled bool  // a record was added: a reduce keeps the first as it is
	count  int64 // records since the last firing, for CountTrigger
}

// windowCore is the part of a window operator that does not depend on its
// record and accumulator types.
type windowCore[K comparable] struct {
	ctx     *engine.OperatorContext
	rt      *KeyedRuntimeContext[K]
	backend *state.Backend[K]
	timers  keyedTimers[K]
	wctx    WindowContext[K]
}

type windowOp[K comparable, T, ACC, OUT any] struct {
	windowCore[K]
	assigner  WindowAssigner
	trigger   Trigger
	eventTime bool
	lateness  int64
	late      engine.Collector[T] // nil: late records are dropped
	agg       windowAgg[T, ACC]
	emit      func(ctx *WindowContext[K], acc ACC, out Collector[OUT]) error
	contents  *state.Map[K, []windowEntry[ACC]]
	out       Collector[OUT]
	windows   []Window // reused by each record's assignment
}

// addWindowOperator adds the window operator of w, keeping windows'
// contents with agg and emitting their results with emit.
func addWindowOperator[K comparable, T, ACC, OUT any](w WindowedStream[K, T], name string, agg windowAgg[T, ACC],
	emit func(ctx *WindowContext[K], acc ACC, out Collector[OUT]) error, opts []OperatorOption) Stream[OUT] {
	ks := w.ks
	if ks.in.isZero() {
		return invalid[OUT](nil, zeroError(fmt.Sprintf("operator %q", name)))
	}
	if err := ks.Err(); err != nil {
		return invalid[OUT](ks.in.env, err)
	}
	env, err := consume(ks.in, name, false)
	if err != nil {
		return invalid[OUT](env, err)
	}
	if err := errors.Join(w.err, w.assigner.validate(), w.trigger.err); err != nil {
		err = fmt.Errorf("operator %q: %w", name, err)
		env.addError(err)
		return invalid[OUT](env, err)
	}
	trigger := w.trigger.resolve(w.assigner)
	lateness := w.lateness.Milliseconds()
	return addVertex(env, vertexSpec[OUT]{name: name, keyed: true, nonParallel: w.all,
		newOp: func(ctx *engine.OperatorContext, out engine.Collector[OUT]) (engine.Operator, error) {
			rt, err := newKeyedRuntime(ctx, ks)
			if err != nil {
				return nil, err
			}
			backend := rt.backend
			sc := newStateCodecs(windowContents, nil)
			codec := windowEntriesCodec[ACC]{acc: agg.codec(sc)}
			if err := sc.err(); err != nil {
				return nil, err
			}
			contents, err := state.Register(backend, windowContents, "window", func() *state.Map[K, []windowEntry[ACC]] {
				return state.NewMap[K, []windowEntry[ACC]](backend, windowContents, codec)
			})
			if err != nil {
				return nil, err
			}
			op := &windowOp[K, T, ACC, OUT]{assigner: w.assigner, trigger: trigger, eventTime: w.assigner.isEventTime(),
				lateness: lateness, agg: agg, emit: emit, contents: contents, out: out}
			op.ctx, op.backend = ctx, backend
			op.rt = rt
			op.wctx.op = &op.windowCore
			if w.lateTag != "" {
				if c, ok := ctx.SideOutputs[w.lateTag]; ok {
					if op.late, ok = c.(engine.Collector[T]); !ok {
						return nil, fmt.Errorf("%w: late side output %q is read as another type than the window's records", ErrInvalidOperator, w.lateTag)
					}
				}
			}
			op.timers = keyedTimers[K]{ctx: ctx, backend: backend, fire: op.onTimer}
			if err := op.timers.open(); err != nil {
				return nil, err
			}
			return op, nil
		}}, keyedEdges(ks), opts)
}

func (o *windowOp[K, T, ACC, OUT]) ProcessBatch(b any, from, to int) {
	defer o.ctx.Recover()
	batch := b.(*engine.Batch[engine.Keyed[K, T]])
	for i := from; i < to; i++ {
		if o.ctx.Failed() {
			return
		}
		e := &batch.Values[i]
		o.ctx.RecordsIn++
		o.backend.SetCurrentKey(e.Key, int(e.KeyGroup))
		if err := o.processElement(e.Value, batch.Times[i]); err != nil {
			o.ctx.Fail(err)
			return
		}
	}
}

// processElement adds v, of timestamp ts, to its windows of the current
// key, and fires those its trigger says.
func (o *windowOp[K, T, ACC, OUT]) processElement(v T, ts int64) error {
	at := ts
	if !o.eventTime {
		at = o.ctx.Clock.Now().UnixMilli()
	}
	var err error
	if o.windows, err = o.assigner.appendWindows(o.windows[:0], at); err != nil {
		return err
	}
	entries, _ := o.contents.Get()
	wm := o.ctx.InputWatermark()
	dropped := true
	for _, w := range o.windows {
		i := -1
		if o.assigner.isMerging() {
			if entries, i, err = o.merge(entries, w, wm); err != nil {
				return err
			}
		} else if !o.isLate(w, wm) {
			i = o.find(entries, w)
			if i < 0 {
				entries = append(entries, windowEntry[ACC]{window: w, acc: o.agg.create()})
				i = len(entries) - 1
				o.registerTimers(w, wm)
			}
		}
		if i < 0 {
			continue // the window is late
		}
		dropped = false
		e := &entries[i]
		if e.acc, err = o.agg.add(e.acc, v, !e.filled); err != nil {
			return err
		}
		e.filled = true
		e.count++
		if err = o.onElement(e, wm); err != nil {
			return err
		}
	}
	o.store(entries)
	if dropped && o.isElementLate(ts, wm) {
		o.dropLate(v, ts)
	}
	return nil
}

// isElementLate reports whether a record of timestamp ts that went to no
// window is late, as Flink's isElementLate: ts + allowed lateness <= the
// watermark. A record of a sliding assigner that falls between windows
// and is not late goes nowhere.
func (o *windowOp[K, T, ACC, OUT]) isElementLate(ts, wm int64) bool {
	if !o.eventTime {
		return false
	}
	if ts > math.MaxInt64-o.lateness {
		return false
	}
	return ts+o.lateness <= wm
}

// find returns the index of window w among entries, or -1. It looks from
// the newest window, the one a record in event-time order belongs to.
func (o *windowOp[K, T, ACC, OUT]) find(entries []windowEntry[ACC], w Window) int {
	for i := len(entries) - 1; i >= 0; i-- {
		if entries[i].window == w {
			return i
		}
	}
	return -1
}

// merge adds session window w to the key's windows: the windows that
// intersect it merge with it into the window covering them all, their
// contents and trigger counts merged (a purged, empty window adds none).
// It returns the index of the window w's record goes to, or -1 if w is
// late and merges with nothing.
func (o *windowOp[K, T, ACC, OUT]) merge(entries []windowEntry[ACC], w Window, wm int64) ([]windowEntry[ACC], int, error) {
	into := -1
	cover := w
	for i := 0; i < len(entries); {
		if !entries[i].window.Intersects(w) {
			i++
			continue
		}
		cover = cover.Cover(entries[i].window)
		if into < 0 {
			into = i
			i++
			continue
		}
		dst, src := &entries[into], &entries[i]
		switch {
		case !src.filled:
		case !dst.filled:
			dst.acc, dst.filled = src.acc, true
		default:
			acc, err := o.agg.merge(dst.acc, src.acc)
			if err != nil {
				return entries, -1, fmt.Errorf("merge windows %v and %v: %w", dst.window, src.window, err)
			}
			dst.acc = acc
		}
		dst.count += src.count
		entries = append(entries[:i], entries[i+1:]...)
	}
	if into < 0 {
		if o.isLate(w, wm) {
			return entries, -1, nil
		}
		entries = append(entries, windowEntry[ACC]{window: w, acc: o.agg.create()})
		o.registerTimers(w, wm)
		return entries, len(entries) - 1, nil
	}
	if entries[into].window != cover {
		entries[into].window = cover
		o.registerTimers(cover, wm)
	}
	return entries, into, nil
}

// onElement runs the trigger after a record was added to e.
func (o *windowOp[K, T, ACC, OUT]) onElement(e *windowEntry[ACC], wm int64) error {
	switch o.trigger.kind {
	case eventTimeTrigger:
		if e.window.MaxTimestamp() <= wm {
			return o.fire(e) // a late firing, within allowed lateness
		}
		// As Flink's EventTimeTrigger, on every record: a window restored
		// after its timer fired, under a watermark that restarted low,
		// fires again when the watermark comes back.
		o.timers.register(EventTime, e.window.MaxTimestamp())
	case countTrigger:
		if e.count >= o.trigger.count {
			return o.fire(e)
		}
	}
	return nil
}

// fire emits the result of e, and empties it if the trigger purges. The
// window itself stays until its cleanup time, as in Flink: a purged
// session still merges with the records that reach it.
func (o *windowOp[K, T, ACC, OUT]) fire(e *windowEntry[ACC]) error {
	if o.trigger.kind == countTrigger {
		e.count = 0
	}
	o.ctx.SetTimestamp(e.window.MaxTimestamp())
	o.wctx.window = e.window
	if err := o.emit(&o.wctx, e.acc, o.out); err != nil {
		return fmt.Errorf("window %v: %w", e.window, err)
	}
	if o.trigger.purge {
		e.acc, e.filled = o.agg.create(), false
	}
	return nil
}

// onTimer fires the current key's windows due at time t of domain d, and
// clears those whose cleanup time it is.
func (o *windowOp[K, T, ACC, OUT]) onTimer(d TimeDomain, t int64) {
	entries, ok := o.contents.Get()
	if !ok {
		return
	}
	fires := o.trigger.kind == eventTimeTrigger && d == EventTime || o.trigger.kind == processingTimeTrigger && d == ProcessingTime
	cleans := o.eventTime == (d == EventTime)
	var err error
	for i := 0; i < len(entries) && err == nil; {
		w := entries[i].window
		if fires && w.MaxTimestamp() == t {
			err = o.fire(&entries[i])
		}
		if cleans && o.cleanupTime(w) == t {
			entries = removeEntry(entries, i)
			continue
		}
		i++
	}
	o.store(entries)
	if err != nil {
		o.ctx.Fail(err)
	}
}

// removeEntry removes entries[i]. The oldest window, the first, is the
// one the watermark clears: it goes without moving the others.
func removeEntry[ACC any](entries []windowEntry[ACC], i int) []windowEntry[ACC] {
	if i == 0 {
		entries[0] = windowEntry[ACC]{} // drop its accumulator's references
		return entries[1:]
	}
	return append(entries[:i], entries[i+1:]...)
}

// store writes the key's windows back, deleting the entry when none is
// left.
func (o *windowOp[K, T, ACC, OUT]) store(entries []windowEntry[ACC]) {
	if len(entries) == 0 {
		o.contents.Delete()
		return
	}
	o.contents.Put(entries)
}

// registerTimers registers the timers of new window w: its trigger's and
// its cleanup.
func (o *windowOp[K, T, ACC, OUT]) registerTimers(w Window, wm int64) {
	domain, triggerTimer := ProcessingTime, false
	if o.eventTime {
		domain = EventTime
	}
	switch o.trigger.kind {
	case eventTimeTrigger:
		if w.MaxTimestamp() > wm {
			o.timers.register(EventTime, w.MaxTimestamp())
			triggerTimer = domain == EventTime
		}
	case processingTimeTrigger:
		o.timers.register(ProcessingTime, w.MaxTimestamp())
		triggerTimer = domain == ProcessingTime
	}
	// The cleanup timer, unless the window is kept to the end (as Flink's)
	// or the trigger's timer is at the cleanup time already.
	if c := o.cleanupTime(w); c != math.MaxInt64 && !(triggerTimer && c == w.MaxTimestamp()) {
		o.timers.register(domain, c)
	}
}

// cleanupTime is when window w's state is cleared: its max timestamp plus
// the allowed lateness for event time, its max timestamp for processing
// time (math.MaxInt64 if that overflows).
func (o *windowOp[K, T, ACC, OUT]) cleanupTime(w Window) int64 {
	if !o.eventTime {
		return w.MaxTimestamp()
	}
	return addSat(w.MaxTimestamp(), o.lateness)
}

// isLate reports whether event-time window w was cleared already: the
// watermark passed its cleanup time.
func (o *windowOp[K, T, ACC, OUT]) isLate(w Window, wm int64) bool {
	return o.eventTime && o.cleanupTime(w) <= wm
}

// dropLate sends a record every window of which was late to the late side
// output, if there is one.
func (o *windowOp[K, T, ACC, OUT]) dropLate(v T, ts int64) {
	if o.late != nil {
		o.ctx.SetTimestamp(ts)
		o.late.Collect(v)
	}
}

// ProcessWatermark fires the event-time timers the watermark reached, then
// forwards it.
func (o *windowOp[K, T, ACC, OUT]) ProcessWatermark(wm int64) {
	defer o.ctx.Recover()
	o.timers.advance(EventTime, wm)
	if !o.ctx.Failed() {
		o.ctx.EmitWatermark(wm)
	}
}

// OnProcessingTime fires the processing-time timers that are due.
func (o *windowOp[K, T, ACC, OUT]) OnProcessingTime(now time.Time) {
	defer o.ctx.Recover()
	o.timers.advance(ProcessingTime, now.UnixMilli())
}

func (o *windowOp[K, T, ACC, OUT]) SnapshotState(int64) (engine.OperatorState, error) {
	blob, err := o.backend.Snapshot()
	if err != nil {
		return engine.OperatorState{}, fmt.Errorf("window state: %w", err)
	}
	return engine.OperatorState{Keyed: blob}, nil
}

func (o *windowOp[K, T, ACC, OUT]) NotifyCheckpointComplete(int64) error { return nil }
func (o *windowOp[K, T, ACC, OUT]) NotifyCheckpointAborted(int64)        {}
func (o *windowOp[K, T, ACC, OUT]) EndInput()                            {}
func (o *windowOp[K, T, ACC, OUT]) Close() error                         { return nil }

// windowEntriesCodec encodes a key's open windows: a count, then per
// window its start, end, flags (global, filled), count and accumulator.
type windowEntriesCodec[ACC any] struct{ acc Codec[ACC] }

func (c windowEntriesCodec[ACC]) Append(dst []byte, es []windowEntry[ACC]) ([]byte, error) {
	dst = binary.AppendUvarint(dst, uint64(len(es)))
	var err error
	for _, e := range es {
		dst = binary.AppendVarint(dst, e.window.Start)
		dst = binary.AppendVarint(dst, e.window.End)
		var flags byte
		if e.window.IsGlobal() {
			flags |= 1
		}
		if e.filled {
			flags |= 2
		}
		dst = append(dst, flags)
		dst = binary.AppendVarint(dst, e.count)
		if dst, err = appendPrefixed(dst, c.acc, e.acc); err != nil {
			return nil, fmt.Errorf("window %v: %w", e.window, err)
		}
	}
	return dst, nil
}

func (c windowEntriesCodec[ACC]) Decode(src []byte) ([]windowEntry[ACC], error) {
	n, src, err := readCount(src)
	if err != nil {
		return nil, err
	}
	es := make([]windowEntry[ACC], 0, n)
	for range n {
		var e windowEntry[ACC]
		var fields [3]int64
		for k := range 2 {
			v, w := binary.Varint(src)
			if w <= 0 {
				return nil, fmt.Errorf("%w: bad window bound", ErrDecode)
			}
			fields[k], src = v, src[w:]
		}
		if len(src) == 0 || src[0] > 3 {
			return nil, fmt.Errorf("%w: bad window flags", ErrDecode)
		}
		global, filled := src[0]&1 != 0, src[0]&2 != 0
		src = src[1:]
		v, w := binary.Varint(src)
		if w <= 0 || v < 0 {
			return nil, fmt.Errorf("%w: bad window count", ErrDecode)
		}
		fields[2], src = v, src[w:]
		switch {
		case global:
			e.window = GlobalWindow()
		case fields[0] >= fields[1]:
			return nil, fmt.Errorf("%w: window [%d, %d) is empty", ErrDecode, fields[0], fields[1])
		default:
			e.window = Window{Start: fields[0], End: fields[1]}
		}
		e.count, e.filled = fields[2], filled
		if e.acc, src, err = readPrefixed(src, c.acc); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	if len(src) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes after the windows", ErrDecode, len(src))
	}
	return es, nil
}
