package flinksimtest

import (
	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/state"
)

// KeyedHarness runs one keyed process function — flinksim.Process's
// operator, built by flinksim.Process itself — without a job, as Flink's
// KeyedOneInputStreamOperatorTestHarness: records go in with their keys
// computed and their key groups assigned as a job's KeyBy does, and
// timers, keyed state and snapshots are the operator's own. Its embedded
// Operator drives time, reads output and takes snapshots. Not safe for
// concurrent use.
type KeyedHarness[K comparable, I, O any] struct {
	*Operator[O]
	input engine.Collector[I]
}

// Timer is a registered timer: the key it is registered for, and when it
// fires, in milliseconds.
type Timer[K comparable] struct {
	Key  K
	Time int64
}

// NewKeyedHarness opens a harness of the keyed process function that open
// returns (the open of flinksim.Process), on records keyed by key (as
// flinksim.KeyBy; a key type without a stable codec is refused with
// flinksim.ErrUnstableKey). An error of open, or of the restore of
// WithRestore, is returned.
func NewKeyedHarness[K comparable, I, O any](key func(I) K,
	open func(rt *flinksim.KeyedRuntimeContext[K]) (flinksim.KeyedProcessFunction[K, I, O], error), opts ...Option) (*KeyedHarness[K, I, O], error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	env := flinksim.NewEnvironment()
	in := flinksim.FromSlice[I](env, "input", nil)
	op, err := newOperator(flinksim.Process(flinksim.KeyBy(in, key), cfg.name, open), cfg)
	if err != nil {
		return nil, err
	}
	return &KeyedHarness[K, I, O]{Operator: op, input: op.sa.Input().(engine.Collector[I])}, nil
}

// ProcessElement hands the operator v with event timestamp ts
// (flinksim.NoTimestamp for none), and returns the function's error.
func (h *KeyedHarness[K, I, O]) ProcessElement(v I, ts int64) error {
	return h.element(ts, func() { h.input.Collect(v) })
}

// EventTimeTimers returns the registered event-time timers, in firing
// order.
func (h *KeyedHarness[K, I, O]) EventTimeTimers() []Timer[K] { return h.timers(flinksim.EventTime) }

// ProcessingTimeTimers returns the registered processing-time timers, in
// firing order.
func (h *KeyedHarness[K, I, O]) ProcessingTimeTimers() []Timer[K] {
	return h.timers(flinksim.ProcessingTime)
}

func (h *KeyedHarness[K, I, O]) timers(d flinksim.TimeDomain) []Timer[K] {
	lister := h.sa.Operator().(interface {
		RegisteredTimers(d flinksim.TimeDomain) []state.Timer[K]
	})
	var out []Timer[K]
	for _, t := range lister.RegisteredTimers(d) {
		out = append(out, Timer[K]{Key: t.Key, Time: t.Time})
	}
	return out
}
