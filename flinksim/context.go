package flinksim

import (
	"errors"
	"fmt"
	"time"

	"go.uber.org/zap"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// RuntimeContext tells an operator subtask where it runs, as Flink's
// RuntimeContext.
type RuntimeContext struct {
	op     *engine.OperatorContext
	lists  operatorLists // declared with NewOperatorListState
	errs   []error       // state declaration errors while opening
	opened bool          // opened: a declaration error fails the subtask
	// broadcastWritable: a broadcast record is being processed, the only
	// time broadcast state may change.
	broadcastWritable bool
}

// declared records a state declaration error: reported when the operator
// has opened, or failing the subtask at once after.
func (r *RuntimeContext) declared(err error) {
	if r.opened {
		r.op.Fail(err)
		return
	}
	r.errs = append(r.errs, err)
}

// open ends the operator's opening: err, joined with the declaration
// errors, is its outcome.
func (r *RuntimeContext) open(err error) error {
	r.opened = true
	if err = errors.Join(append(r.errs, err)...); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	return nil
}

// OperatorName returns the operator's name.
func (r *RuntimeContext) OperatorName() string { return r.op.Name }

// Subtask returns this subtask's index, from 0.
func (r *RuntimeContext) Subtask() int { return r.op.Subtask }

// Parallelism returns the operator's parallelism.
func (r *RuntimeContext) Parallelism() int { return r.op.Parallelism }

// MaxParallelism returns the operator's number of key groups.
func (r *RuntimeContext) MaxParallelism() int { return r.op.MaxParallelism }

// Logger returns the job's logger, named for this subtask.
func (r *RuntimeContext) Logger() *zap.Logger {
	return r.op.Logger.With(zap.String("operator", r.op.Name), zap.Int("subtask", r.op.Subtask))
}

// Now returns the current processing time, from the environment's clock.
func (r *RuntimeContext) Now() time.Time { return r.op.Clock.Now() }

// KeyedRuntimeContext is the RuntimeContext of a keyed operator: keyed
// state is declared through it (NewValueState and friends), usually in the
// function that opens the operator.
type KeyedRuntimeContext[K comparable] struct {
	RuntimeContext
	backend *state.Backend[K]
}

// KeyedContext is handed to a keyed function with each record.
type KeyedContext[K comparable] struct {
	rt     *KeyedRuntimeContext[K]
	timers *TimerService[K]
}

// Key returns the key of the record being processed.
func (c *KeyedContext[K]) Key() K { return c.rt.backend.CurrentKey() }

// Timestamp returns the event timestamp of the record being processed (of
// the timer, in OnTimer), or NoTimestamp.
func (c *KeyedContext[K]) Timestamp() int64 { return c.rt.op.Timestamp() }

// TimerService returns the operator's timers and clocks.
func (c *KeyedContext[K]) TimerService() *TimerService[K] { return c.timers }

func (c *KeyedContext[K]) operator() *engine.OperatorContext { return c.rt.op }

// Runtime returns the operator's runtime context.
func (c *KeyedContext[K]) Runtime() *KeyedRuntimeContext[K] { return c.rt }
