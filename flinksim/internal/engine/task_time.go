package engine

import "time"

// This file is the task's part of event and processing time: records'
// timestamps, watermarks and their idleness, and processing-time work.

// processBatch hands the records from to to of a batch event to the head
// operator.
func (t *Task) processBatch(ev Event, from, to int) {
	if t.multi != nil {
		t.multi.ProcessBatchOf(t.inputs[ev.Input].Logical, ev.Batch, from, to)
		return
	}
	t.ops[0].ProcessBatch(ev.Batch, from, to)
}

// processBatchEvent hands a batch's records to the head operator, and its
// watermarks, between them, to the input's watermark.
func (t *Task) processBatchEvent(ev Event) {
	from := 0
	for _, m := range ev.Marks {
		if m.At > from {
			t.processBatch(ev, from, m.At)
			from = m.At
		}
		if t.failure != nil {
			return
		}
		t.inputWatermarkOf(ev.Input, m.Watermark)
	}
	if from < ev.Records && t.failure == nil {
		t.processBatch(ev, from, ev.Records)
	}
}

// inputWatermarkOf records watermark wm of input i.
func (t *Task) inputWatermarkOf(i int, wm int64) {
	s := &t.in[i]
	if wm <= s.watermark || s.dataEnded {
		return
	}
	s.watermark = wm
	t.combineWatermarks()
}

// combineWatermarks computes the task's input watermark, as Flink's
// StatusWatermarkValve: the minimum over the inputs whose data has not
// ended, that are active and aligned. An input that comes back from idle
// behind the task's watermark is unaligned — left out, so it does not hold
// the others back — until its watermark catches up. When every such input
// is idle, the task is idle: it takes the maximum of their watermarks and
// says so downstream.
func (t *Task) combineWatermarks() {
	low, high := MaxWatermark, MinWatermark
	open, active, aligned := 0, 0, 0
	for i := range t.in {
		s := &t.in[i]
		if s.dataEnded {
			continue
		}
		open++
		high = max(high, s.watermark)
		if s.idle {
			continue
		}
		active++
		if s.unaligned && s.watermark >= t.inputWatermark {
			s.unaligned = false
		}
		if !s.unaligned {
			aligned++
			low = min(low, s.watermark)
		}
	}
	switch {
	case open == 0: // endData takes it from here
	case active == 0:
		t.advanceInputWatermark(high)
		t.setIdle(true)
	default:
		t.setIdle(false)
		if aligned > 0 {
			t.advanceInputWatermark(low)
		}
	}
}

// advanceInputWatermark hands wm to the head operator if it is newer.
func (t *Task) advanceInputWatermark(wm int64) {
	if wm <= t.inputWatermark {
		return
	}
	t.inputWatermark = wm
	t.deliverWatermark(0, wm)
}

// deliverWatermark hands wm to chain member i: to its ProcessWatermark,
// or straight on to its consumers.
func (t *Task) deliverWatermark(i int, wm int64) {
	ctx := t.ctxs[i]
	ctx.inputWatermark = wm
	t.metrics[i].InputWatermark.Store(wm)
	if h, ok := t.ops[i].(WatermarkHandler); ok {
		defer ctx.Recover()
		h.ProcessWatermark(wm)
		return
	}
	ctx.EmitWatermark(wm)
}

// emitWatermark sends watermark wm of chain member i to its consumers: the
// members chained to it and every channel of its writers. The final
// watermark of the end of data stays in the task: the end of data that
// follows it on every channel means the same to the consumer.
func (t *Task) emitWatermark(i int, wm int64) {
	t.metrics[i].OutputWatermark.Store(wm)
	for _, j := range t.chained[i] {
		t.deliverWatermark(j, wm)
	}
	if wm == MaxWatermark && t.dataEnded {
		return
	}
	for _, w := range t.memberWriters[i] {
		w.Watermark(wm)
	}
}

// setIdle sends the task's watermark status downstream when it changes,
// after what the task emitted so far.
func (t *Task) setIdle(idle bool) {
	if t.idle == idle || t.closed {
		return
	}
	t.idle = idle
	t.flush()
	for _, ch := range t.channels {
		t.send(ch, Event{Kind: EventStatus, Idle: idle})
	}
}

// logicalInputEnded tells a multi-input head operator that every channel
// of logical input l has ended its data.
func (t *Task) logicalInputEnded(l int) {
	for i, ch := range t.inputs {
		if ch.Logical == l && !t.in[i].dataEnded {
			return
		}
	}
	defer t.ctxs[0].Recover()
	t.multi.EndInputOf(l)
}

// updateWakeAt recomputes when the chain's processing-time work is due.
func (t *Task) updateWakeAt() {
	var at time.Time
	for _, c := range t.ctxs {
		if c != nil && !c.wakeAt.IsZero() && (at.IsZero() || c.wakeAt.Before(at)) {
			at = c.wakeAt
		}
	}
	t.wakeAt = at
}

// timersRunnable reports whether processing-time work may run now, if it
// is due: not once the data ended or the task closed (Flink quiesces its
// timers at the end of input), not while a source is suspended by a stop,
// and only while the outputs have room.
func (t *Task) timersRunnable() bool {
	return !t.wakeAt.IsZero() && !t.dataEnded && !t.closed && t.suspended == 0 && t.room()
}

// timerDueNow reports whether a timer step can be taken now.
func (t *Task) timerDueNow() bool {
	return t.timersRunnable() && !t.cfg.Clock.Now().Before(t.wakeAt)
}

// TimerDue returns when the task's processing-time work is due, if it could
// run then: an executor with nothing else to do for the task waits until
// then (the concurrent executor on the job's clock, the simulation by
// moving its virtual clock there).
func (t *Task) TimerDue() (time.Time, bool) {
	if !t.timersRunnable() {
		return time.Time{}, false
	}
	return t.wakeAt, true
}

// fireTimers runs the processing-time work of every chain member whose
// time has come.
func (t *Task) fireTimers() {
	now := t.cfg.Clock.Now()
	for i, op := range t.ops {
		c := t.ctxs[i]
		if c.wakeAt.IsZero() || now.Before(c.wakeAt) {
			continue
		}
		c.wakeAt = time.Time{}
		if p, ok := op.(ProcessingTimer); ok {
			p.OnProcessingTime(now)
		}
		if t.failure != nil {
			return
		}
	}
}
