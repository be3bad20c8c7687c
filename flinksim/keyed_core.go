package flinksim

import (
	"fmt"
	"time"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// keyedFunctionCore is what the keyed operators that run a user function
// with timers share: the keyed state, the timers and the contexts.
type keyedFunctionCore[K comparable, O any] struct {
	ctx     *engine.OperatorContext
	rt      *KeyedRuntimeContext[K]
	kctx    KeyedContext[K]
	tctx    OnTimerContext[K]
	onTimer TimerFunction[K, O] // nil: the function uses no timers
	timers  keyedTimers[K]
	out     Collector[O]
	fn      any // the user's function, for its optional interfaces
}

// init sets the core up for function fn, checking its optional
// interfaces, and opens its timers.
func (c *keyedFunctionCore[K, O]) init(ctx *engine.OperatorContext, rt *KeyedRuntimeContext[K], fn any, out Collector[O]) error {
	onTimer, err := timerFunctionOf[K, O](fn)
	if err != nil {
		return err
	}
	c.ctx, c.rt, c.fn, c.onTimer, c.out = ctx, rt, fn, onTimer, out
	c.timers = keyedTimers[K]{ctx: ctx, backend: rt.backend, fire: c.fire}
	c.kctx = KeyedContext[K]{rt: rt, timers: &TimerService[K]{t: &c.timers}}
	c.tctx = OnTimerContext[K]{KeyedContext: c.kctx}
	return c.timers.open()
}

// ProcessWatermark fires the event-time timers the watermark reached,
// then forwards it.
func (c *keyedFunctionCore[K, O]) ProcessWatermark(wm int64) {
	defer c.ctx.Recover()
	c.timers.advance(EventTime, wm)
	if !c.ctx.Failed() {
		c.ctx.EmitWatermark(wm)
	}
}

// OnProcessingTime fires the processing-time timers that are due.
func (c *keyedFunctionCore[K, O]) OnProcessingTime(now time.Time) {
	defer c.ctx.Recover()
	c.timers.advance(ProcessingTime, now.UnixMilli())
}

// fire calls OnTimer for a timer of the current key.
func (c *keyedFunctionCore[K, O]) fire(d TimeDomain, t int64) {
	if c.onTimer == nil {
		return
	}
	c.tctx.domain = d
	if err := c.onTimer.OnTimer(&c.tctx, t, c.out); err != nil {
		c.ctx.Fail(fmt.Errorf("on timer %d (%v): %w", t, d, err))
	}
}

func (c *keyedFunctionCore[K, O]) SnapshotState(int64) (engine.OperatorState, error) {
	blob, err := c.rt.backend.Snapshot()
	if err != nil {
		return engine.OperatorState{}, fmt.Errorf("keyed state: %w", err)
	}
	lists, err := c.rt.lists.snapshot(c.ctx.Restored, c.ctx.Subtask)
	if err != nil {
		return engine.OperatorState{}, err
	}
	return engine.OperatorState{Keyed: blob, Lists: lists}, nil
}

func (c *keyedFunctionCore[K, O]) NotifyCheckpointComplete(id int64) error {
	if l, ok := c.fn.(CheckpointListener); ok {
		return l.NotifyCheckpointComplete(id)
	}
	return nil
}

func (c *keyedFunctionCore[K, O]) NotifyCheckpointAborted(id int64) {
	if l, ok := c.fn.(CheckpointListener); ok {
		l.NotifyCheckpointAborted(id)
	}
}

func (c *keyedFunctionCore[K, O]) EndInput() {}

func (c *keyedFunctionCore[K, O]) Close() error {
	if cl, ok := c.fn.(interface{ Close() error }); ok {
		return cl.Close()
	}
	return nil
}

// forKeyed calls fn for records from to to of a keyed batch, each with its
// key and timestamp current, counting them; an error fails the operator.
func forKeyed[K comparable, T any](ctx *engine.OperatorContext, backend *state.Backend[K], batch *engine.Batch[engine.Keyed[K, T]], from, to int, fn func(T) error) {
	for i := from; i < to; i++ {
		if ctx.Failed() {
			return
		}
		e := &batch.Values[i]
		ctx.RecordsIn++
		ctx.SetTimestamp(batch.Times[i])
		backend.SetCurrentKey(e.Key, int(e.KeyGroup))
		if err := fn(e.Value); err != nil {
			ctx.Fail(err)
			return
		}
	}
}

// newKeyedRuntime returns the runtime context of a keyed operator subtask
// reading ks: a state backend for the subtask's key groups, restored from
// its snapshot if it has one.
func newKeyedRuntime[K comparable, T any](ctx *engine.OperatorContext, ks KeyedStream[K, T]) (*KeyedRuntimeContext[K], error) {
	backend := state.NewBackend(ctx.KeyGroups, ks.keyCodec)
	if ks.customKeys {
		backend.TrustKeyCodec()
	}
	if ctx.Restored != nil {
		if err := backend.Restore(ctx.Restored.Keyed); err != nil {
			return nil, err
		}
	}
	return &KeyedRuntimeContext[K]{RuntimeContext: RuntimeContext{op: ctx}, backend: backend}, nil
}

// openKeyed opens a keyed function on rt: open declares its state and
// returns it, which must not be nil.
func openKeyed[K comparable, F any](rt *KeyedRuntimeContext[K], open func(rt *KeyedRuntimeContext[K]) (F, error)) (F, error) {
	fn, err := open(rt)
	if err := rt.open(err); err != nil {
		return fn, err
	}
	if any(fn) == nil {
		return fn, fmt.Errorf("%w: open returned a nil function", ErrInvalidOperator)
	}
	return fn, nil
}
