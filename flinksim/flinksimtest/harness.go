package flinksimtest

import (
	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Harness runs one process function of a stream that is not keyed —
// flinksim.ProcessStream's operator, built by flinksim.ProcessStream
// itself — without a job, as Flink's OneInputStreamOperatorTestHarness.
// Such functions have no timers. Its embedded Operator drives time, reads
// output and takes snapshots (of operator list state). Not safe for
// concurrent use.
type Harness[I, O any] struct {
	*Operator[O]
	input engine.Collector[I]
}

// NewHarness opens a harness of the process function that open returns
// (the open of flinksim.ProcessStream). An error of open, or of the
// restore of WithRestore, is returned.
func NewHarness[I, O any](open func(rt *flinksim.RuntimeContext) (flinksim.ProcessFunction[I, O], error), opts ...Option) (*Harness[I, O], error) {
	cfg, err := newConfig(opts)
	if err != nil {
		return nil, err
	}
	env := flinksim.NewEnvironment()
	in := flinksim.FromSlice[I](env, "input", nil)
	op, err := newOperator(flinksim.ProcessStream(in, cfg.name, open), cfg)
	if err != nil {
		return nil, err
	}
	return &Harness[I, O]{Operator: op, input: op.sa.Input().(engine.Collector[I])}, nil
}

// ProcessElement hands the operator v with event timestamp ts
// (flinksim.NoTimestamp for none), and returns the function's error.
func (h *Harness[I, O]) ProcessElement(v I, ts int64) error {
	return h.element(ts, func() { h.input.Collect(v) })
}
