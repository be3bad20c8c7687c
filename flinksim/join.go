package flinksim

import (
	"fmt"
	"math"
	"time"
)

// JoinContext tells a join function the timestamps of the pair it joins.
type JoinContext struct {
	left, right int64
}

// LeftTimestamp returns the timestamp of the first stream's record.
func (c *JoinContext) LeftTimestamp() int64 { return c.left }

// RightTimestamp returns the timestamp of the second stream's record.
func (c *JoinContext) RightTimestamp() int64 { return c.right }

// Timestamp returns the timestamp of what the join emits: the later of
// the two.
func (c *JoinContext) Timestamp() int64 { return max(c.left, c.right) }

// ProcessJoinFunc joins one pair of records, as Flink's
// ProcessJoinFunction: it may emit any number of results, which carry the
// later timestamp of the two.
type ProcessJoinFunc[A, B, O any] func(a A, b B, ctx *JoinContext, out Collector[O]) error

// IntervalJoin joins every record a of first with every record b of second
// of the same key whose timestamps satisfy
// a.ts + lower <= b.ts <= a.ts + upper, as Flink's
// first.intervalJoin(second).between(lower, upper).process(fn), in event
// time. Each side keeps its records until the watermark shows that no
// record of the other side can match them; a record that arrives behind
// the watermark is late and dropped, as in Flink. lower and upper are
// whole milliseconds, lower <= upper.
func IntervalJoin[K comparable, A, B, O any](first KeyedStream[K, A], second KeyedStream[K, B], lower, upper time.Duration,
	name string, fn ProcessJoinFunc[A, B, O], opts ...OperatorOption) Stream[O] {
	lo, err1 := wholeMillisAny("interval join lower bound", lower)
	hi, err2 := wholeMillisAny("interval join upper bound", upper)
	err := firstError(err1, err2)
	if err == nil && lo > hi {
		err = fmt.Errorf("%w: interval join lower bound %v above its upper bound %v", ErrInvalidConfig, lower, upper)
	}
	if err != nil {
		if env := first.in.env; env != nil {
			err = fmt.Errorf("operator %q: %w", name, err)
			env.addError(err)
			return invalid[O](env, err)
		}
	}
	var open func(rt *KeyedRuntimeContext[K]) (KeyedCoProcessFunction[K, A, B, O], error)
	if fn != nil {
		open = func(rt *KeyedRuntimeContext[K]) (KeyedCoProcessFunction[K, A, B, O], error) {
			return &intervalJoin[K, A, B, O]{lower: lo, upper: hi, fn: fn,
				left:  NewMapState[int64, []A](rt, "left"),
				right: NewMapState[int64, []B](rt, "right"),
			}, nil
		}
	}
	return KeyedCoProcess(ConnectKeyed(first, second), name, open, opts...)
}

// wholeMillisAny converts d, of any sign, to whole milliseconds.
func wholeMillisAny(what string, d time.Duration) (int64, error) {
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("%w: %s %v is not a whole number of milliseconds", ErrInvalidConfig, what, d)
	}
	return d.Milliseconds(), nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// intervalJoin is Flink's IntervalJoinOperator: per key, the records of
// each side by timestamp.
type intervalJoin[K comparable, A, B, O any] struct {
	lower, upper int64
	fn           ProcessJoinFunc[A, B, O]
	left         MapState[int64, []A]
	right        MapState[int64, []B]
	jctx         JoinContext
}

func (j *intervalJoin[K, A, B, O]) ProcessElement1(ctx *KeyedContext[K], a A, out Collector[O]) error {
	ts, late, err := joinTimestamp(ctx)
	if late || err != nil {
		return err
	}
	as, _ := j.left.Get(ts)
	j.left.Put(ts, append(as, a))
	for tb, bs := range j.right.All() {
		if tb < addSat(ts, j.lower) || tb > addSat(ts, j.upper) {
			continue
		}
		for _, b := range bs {
			if err := j.emit(ctx, a, b, ts, tb, out); err != nil {
				return err
			}
		}
	}
	ctx.TimerService().RegisterEventTimeTimer(addSat(ts, max(j.upper, 0)))
	return nil
}

func (j *intervalJoin[K, A, B, O]) ProcessElement2(ctx *KeyedContext[K], b B, out Collector[O]) error {
	ts, late, err := joinTimestamp(ctx)
	if late || err != nil {
		return err
	}
	bs, _ := j.right.Get(ts)
	j.right.Put(ts, append(bs, b))
	for ta, as := range j.left.All() {
		if ts < addSat(ta, j.lower) || ts > addSat(ta, j.upper) {
			continue
		}
		for _, a := range as {
			if err := j.emit(ctx, a, b, ta, ts, out); err != nil {
				return err
			}
		}
	}
	ctx.TimerService().RegisterEventTimeTimer(addSat(ts, max(-j.lower, 0)))
	return nil
}

// joinTimestamp returns the timestamp of the record being joined, and
// whether it is late: behind the watermark, as Flink's isLate. A record
// without a timestamp cannot be joined.
func joinTimestamp[K comparable](ctx *KeyedContext[K]) (ts int64, late bool, err error) {
	ts = ctx.Timestamp()
	if ts == NoTimestamp {
		return ts, false, fmt.Errorf("%w: a record without a timestamp in an interval join", ErrWindowTimestamp)
	}
	return ts, ts < ctx.TimerService().CurrentWatermark(), nil
}

// emit joins a pair, its output stamped with the later timestamp.
func (j *intervalJoin[K, A, B, O]) emit(ctx *KeyedContext[K], a A, b B, ta, tb int64, out Collector[O]) error {
	j.jctx = JoinContext{left: ta, right: tb}
	prev := ctx.rt.op.Timestamp()
	ctx.rt.op.SetTimestamp(max(ta, tb))
	err := j.fn(a, b, &j.jctx, out)
	ctx.rt.op.SetTimestamp(prev)
	return err
}

// OnTimer drops the records of the key that can match nothing any more:
// a left record at ta once the watermark passed ta + upper, a right one at
// tb once it passed tb − lower.
func (j *intervalJoin[K, A, B, O]) OnTimer(ctx *OnTimerContext[K], t int64, _ Collector[O]) error {
	for ta := range j.left.All() {
		if addSat(ta, max(j.upper, 0)) <= t {
			j.left.Remove(ta)
		}
	}
	for tb := range j.right.All() {
		if addSat(tb, max(-j.lower, 0)) <= t {
			j.right.Remove(tb)
		}
	}
	return nil
}

// addSat returns a + b, saturated to the int64 range.
func addSat(a, b int64) int64 {
	switch {
	case b > 0 && a > math.MaxInt64-b:
		return math.MaxInt64
	case b < 0 && a < math.MinInt64-b:
		return math.MinInt64
	}
	return a + b
}
