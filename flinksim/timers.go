package flinksim

import (
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// TimeDomain says whether a timer fired on event time or processing time,
// as Flink's TimeDomain.
type TimeDomain uint8

// Time domains.
const (
	// EventTime timers fire when the watermark reaches their time.
	EventTime TimeDomain = iota + 1
	// ProcessingTime timers fire when the job's clock reaches their time.
	ProcessingTime
)

func (d TimeDomain) String() string {
	switch d {
	case EventTime:
		return "EVENT_TIME"
	case ProcessingTime:
		return "PROCESSING_TIME"
	}
	return fmt.Sprintf("TimeDomain(%d)", uint8(d))
}

// TimerFunction is implemented by keyed functions that use timers, as the
// onTimer of Flink's KeyedProcessFunction: OnTimer is called when a timer
// the function registered fires, with the timer's key current (state
// handles read that key's state), its time in milliseconds, and the
// domain in ctx. What it emits carries the timer's time as its timestamp
// (event time) or none (processing time). A function with a method named
// OnTimer of another signature is refused when the operator opens.
type TimerFunction[K comparable, O any] interface {
	OnTimer(ctx *OnTimerContext[K], timestamp int64, out Collector[O]) error
}

// OnTimerContext is handed to OnTimer: the keyed context of the timer's
// key, and the time domain of the timer.
type OnTimerContext[K comparable] struct {
	KeyedContext[K]
	domain TimeDomain
}

// TimeDomain returns the domain of the timer that fired.
func (c *OnTimerContext[K]) TimeDomain() TimeDomain { return c.domain }

// TimerService registers and deletes the timers of the current key, and
// tells the time, as Flink's TimerService. Timers are keyed state: they
// are in checkpoints and savepoints, by key group, and restored at any
// parallelism. A key has at most one timer per time and domain:
// registering it again changes nothing.
type TimerService[K comparable] struct {
	t *keyedTimers[K]
}

// CurrentWatermark returns the operator's current input watermark.
func (s *TimerService[K]) CurrentWatermark() int64 { return s.t.ctx.InputWatermark() }

// CurrentProcessingTime returns the job's clock, in milliseconds.
func (s *TimerService[K]) CurrentProcessingTime() int64 { return s.t.ctx.Clock.Now().UnixMilli() }

// RegisterEventTimeTimer has OnTimer called for the current key once the
// watermark reaches t (at once, at the next watermark, if it is past t).
func (s *TimerService[K]) RegisterEventTimeTimer(t int64) { s.t.register(EventTime, t) }

// RegisterProcessingTimeTimer has OnTimer called for the current key once
// the job's clock reaches t, in milliseconds.
func (s *TimerService[K]) RegisterProcessingTimeTimer(t int64) { s.t.register(ProcessingTime, t) }

// DeleteEventTimeTimer removes the current key's event-time timer at t,
// if there is one.
func (s *TimerService[K]) DeleteEventTimeTimer(t int64) { s.t.delete(EventTime, t) }

// DeleteProcessingTimeTimer removes the current key's processing-time
// timer at t, if there is one.
func (s *TimerService[K]) DeleteProcessingTimeTimer(t int64) { s.t.delete(ProcessingTime, t) }

// Names of the timer tables in a keyed operator's state.
const (
	eventTimers      = "_timer/event"
	processingTimers = "_timer/processing"
)

// reservedStatePrefixes begin the names of the state the operators keep
// for themselves (timers, window contents); user state may not take them.
var reservedStatePrefixes = []string{"_timer/", "_window/"}

// reservedStateName returns the reserved prefix name begins with, if any.
func reservedStateName(name string) (string, bool) {
	for _, p := range reservedStatePrefixes {
		if strings.HasPrefix(name, p) {
			return p, true
		}
	}
	return "", false
}

// keyedTimers are the timers of a keyed operator subtask. The tables are
// registered on first use, or at open when the restored state has them,
// so that an operator without timers has none in its snapshots.
type keyedTimers[K comparable] struct {
	ctx     *engine.OperatorContext
	backend *state.Backend[K]
	tables  [3]*state.Timers[K] // by TimeDomain
	// fire is called for each timer that fires, its key current.
	fire func(domain TimeDomain, t int64)
}

// open registers the timer tables the restored state holds and schedules
// the earliest processing-time timer.
func (k *keyedTimers[K]) open() error {
	for d, name := range map[TimeDomain]string{EventTime: eventTimers, ProcessingTime: processingTimers} {
		if k.backend.HasRestored(name) {
			if _, err := k.table(d); err != nil {
				return err
			}
		}
	}
	k.schedule()
	return nil
}

func (k *keyedTimers[K]) table(d TimeDomain) (*state.Timers[K], error) {
	if q := k.tables[d]; q != nil {
		return q, nil
	}
	name := eventTimers
	if d == ProcessingTime {
		name = processingTimers
	}
	q, err := state.NewTimers(k.backend, name)
	if err != nil {
		return nil, err
	}
	k.tables[d] = q
	return q, nil
}

func (k *keyedTimers[K]) register(d TimeDomain, t int64) {
	q, err := k.table(d)
	if err != nil {
		panic(err) // the operator's recover fails the subtask with it
	}
	kg := k.currentKeyGroup()
	q.Register(k.backend.CurrentKey(), kg, t)
	if d == ProcessingTime {
		k.schedule()
	}
}

func (k *keyedTimers[K]) delete(d TimeDomain, t int64) {
	if q := k.tables[d]; q != nil {
		q.Delete(k.backend.CurrentKey(), k.currentKeyGroup(), t)
	}
}

// currentKeyGroup returns the key group of the current key; without one,
// timers cannot be used.
func (k *keyedTimers[K]) currentKeyGroup() int {
	kg, ok := k.backend.CurrentKeyGroup()
	if !ok {
		panic(fmt.Errorf("%w: a timer used outside a keyed context", ErrNoKey))
	}
	return kg
}

// schedule asks for the task's processing-time call at the earliest
// processing-time timer.
func (k *keyedTimers[K]) schedule() {
	q := k.tables[ProcessingTime]
	if q == nil {
		return
	}
	if t, ok := q.Next(); ok {
		k.ctx.WakeAt(time.UnixMilli(t))
		return
	}
	k.ctx.WakeAt(time.Time{})
}

// advance fires the timers of domain d due at or before upTo, in order, as
// long as the operator has not failed.
func (k *keyedTimers[K]) advance(d TimeDomain, upTo int64) {
	q := k.tables[d]
	if q == nil {
		return
	}
	for !k.ctx.Failed() {
		key, kg, t, ok := q.Pop(upTo)
		if !ok {
			break
		}
		k.backend.SetCurrentKey(key, kg)
		if d == EventTime {
			k.ctx.SetTimestamp(t)
		} else {
			k.ctx.SetTimestamp(NoTimestamp)
		}
		k.fire(d, t)
	}
	if d == ProcessingTime {
		k.schedule()
	}
}

// timerFunctionOf returns fn as a TimerFunction, nil if it is none, or an
// error if it has an OnTimer method of another signature: a near miss
// would otherwise never be called.
func timerFunctionOf[K comparable, O any](fn any) (TimerFunction[K, O], error) {
	if tf, ok := fn.(TimerFunction[K, O]); ok {
		return tf, nil
	}
	if m, ok := reflect.TypeOf(fn).MethodByName("OnTimer"); ok {
		want := reflect.TypeFor[TimerFunction[K, O]]().Method(0).Type
		return nil, fmt.Errorf("%w: %T has OnTimer%s, which is not TimerFunction's OnTimer%s",
			ErrInvalidOperator, fn, signature(m.Type, 1), signature(want, 0))
	}
	return nil, nil
}

// signature formats a method type's parameters and results, skipping the
// first skip parameters (the receiver).
func signature(t reflect.Type, skip int) string {
	s := "("
	for i := skip; i < t.NumIn(); i++ {
		if i > skip {
			s += ", "
		}
		s += t.In(i).String()
	}
	s += ")"
	switch t.NumOut() {
	case 0:
	case 1:
		s += " " + t.Out(0).String()
	default:
		s += " ("
		for i := 0; i < t.NumOut(); i++ {
			if i > 0 {
				s += ", "
			}
			s += t.Out(i).String()
		}
		s += ")"
	}
	return s
}
