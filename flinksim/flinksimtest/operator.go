package flinksimtest

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/flinksim/go-flinksim/flinksim"
	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/flinksim/internal/harnessapi"
)

// Record is a record the operator emitted, with its event timestamp
// (flinksim.NoTimestamp if it has none).
type Record[T any] struct {
	Value     T
	Timestamp int64
}

// ErrKeyNotInSubtask marks a record whose key belongs to a key group that
// the harness's subtask does not own (see WithSubtask).
var ErrKeyNotInSubtask = engine.ErrOtherSubtask

// ErrInputEnded marks input given to a harness after its EndInput.
var ErrInputEnded = engine.ErrInputEnded

// ErrClosed marks a call on a harness after Close.
var ErrClosed = errors.New("flinksimtest: harness closed")

// Operator is the part of a harness that does not depend on the input
// type: time, output, snapshots and closing. KeyedHarness and Harness
// embed it. After the operator fails — its function returns an error or
// panics — every method that drives it returns that failure, an
// *flinksim.OperatorError.
type Operator[O any] struct {
	sa         *engine.Standalone
	name       string
	maxP       int
	output     []Record[O]
	side       map[string][]Record[any]
	watermarks []int64
	snapshots  int64
	closed     bool
}

// newOperator builds the harness of the vertex that makes stream s.
func newOperator[O any](s flinksim.Stream[O], cfg config) (*Operator[O], error) {
	v, err := harnessapi.StreamVertex(s)
	if err != nil {
		return nil, err
	}
	v.Parallelism, v.ParallelismSet = cfg.parallelism, true
	v.MaxParallelism, v.MaxParallelismSet = cfg.maxParallelism, true
	if v.UID == "" {
		v.UID = v.Name
	}
	op := &Operator[O]{name: cfg.name, maxP: cfg.maxParallelism, side: make(map[string][]Record[any])}
	var restored *engine.RestoredState
	if len(cfg.restore) > 0 {
		old := make([]engine.OperatorState, len(cfg.restore))
		for i, snap := range cfg.restore {
			old[i] = snap.state
			op.snapshots = max(op.snapshots, snap.id)
		}
		if restored, err = engine.DealState(old, cfg.subtask, cfg.parallelism); err != nil {
			return nil, err
		}
	}
	main := &engine.Edge{From: v, NewWriter: func(out *engine.ChannelOutput) (any, engine.Writer) {
		return capture[O]{out: out, records: &op.output}, watermarkWriter{&op.watermarks}
	}}
	op.sa, err = engine.NewStandalone(v, []*engine.Edge{main}, engine.StandaloneConfig{
		Subtask: cfg.subtask, Restored: restored, Start: cfg.startTime(),
		SideOutput: func(tag string, x any) {
			op.side[tag] = append(op.side[tag], Record[any]{Value: x, Timestamp: op.sa.Context().Timestamp()})
		},
	})
	if err != nil {
		return nil, err
	}
	return op, nil
}

// capture is the collector of the main output.
type capture[T any] struct {
	out     *engine.ChannelOutput
	records *[]Record[T]
}

func (c capture[T]) Collect(v T) {
	*c.records = append(*c.records, Record[T]{Value: v, Timestamp: c.out.Timestamp()})
}

// watermarkWriter keeps the watermarks the operator emits.
type watermarkWriter struct{ wms *[]int64 }

func (watermarkWriter) Flush()               {}
func (w watermarkWriter) Watermark(wm int64) { *w.wms = append(*w.wms, wm) }

// usable returns ErrClosed after Close.
func (o *Operator[O]) usable() error {
	if o.closed {
		return fmt.Errorf("%w: operator %q", ErrClosed, o.name)
	}
	return nil
}

// element hands the operator what collect emits, with timestamp ts.
func (o *Operator[O]) element(ts int64, collect func()) error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.Element(ts, collect)
}

// ProcessWatermark hands the operator watermark wm, as the combined
// watermark of its inputs: a keyed operator fires the event-time timers it
// reached, then forwards it (see Watermarks). A watermark not above the
// last one changes nothing.
func (o *Operator[O]) ProcessWatermark(wm int64) error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.Watermark(wm)
}

// SetProcessingTime moves processing time to ms (milliseconds since the
// epoch), firing the processing-time timers due by then, in order. Time
// does not go back: an earlier ms changes nothing.
func (o *Operator[O]) SetProcessingTime(ms int64) error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.AdvanceTo(time.UnixMilli(ms))
}

// ProcessingTime returns the harness's processing time, in milliseconds.
func (o *Operator[O]) ProcessingTime() int64 { return o.sa.Now().UnixMilli() }

// EndInput ends the operator's input, as the end of a bounded job: the
// final watermark fires every event-time timer, then the operator emits
// what it buffers. No input is accepted after it.
func (o *Operator[O]) EndInput() error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.EndInput()
}

// Output returns what the operator emitted to its main output so far, in
// order, with timestamps.
func (o *Operator[O]) Output() []Record[O] { return slices.Clone(o.output) }

// Values returns the values of Output.
func (o *Operator[O]) Values() []O {
	vs := make([]O, len(o.output))
	for i, r := range o.output {
		vs[i] = r.Value
	}
	return vs
}

// Watermarks returns the watermarks the operator emitted so far, in order.
// The final watermark of EndInput is not among them: in a job, the end of
// data that follows it says the same.
func (o *Operator[O]) Watermarks() []int64 { return slices.Clone(o.watermarks) }

// ClearOutput forgets the output, side outputs and watermarks gathered so
// far.
func (o *Operator[O]) ClearOutput() {
	o.output, o.watermarks = o.output[:0], o.watermarks[:0]
	clear(o.side)
}

// sideOutput returns what was emitted to side output id.
func (o *Operator[O]) sideOutput(id string) []Record[any] { return o.side[id] }

// Snapshot takes the operator's state, as a checkpoint does: keyed state,
// timers and operator list state. The operator keeps running.
func (o *Operator[O]) Snapshot() (Snapshot, error) {
	if err := o.usable(); err != nil {
		return Snapshot{}, err
	}
	id := o.snapshots + 1
	st, err := o.sa.Snapshot(id)
	if err != nil {
		return Snapshot{}, err
	}
	o.snapshots = id
	return Snapshot{id: id, maxParallelism: o.maxP, state: st}, nil
}

// NotifyCheckpointComplete tells the operator that the checkpoint of
// snapshot id completed (see flinksim.CheckpointListener).
func (o *Operator[O]) NotifyCheckpointComplete(id int64) error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.NotifyCheckpointComplete(id)
}

// NotifyCheckpointAborted tells the operator that the checkpoint of
// snapshot id aborted.
func (o *Operator[O]) NotifyCheckpointAborted(id int64) error {
	if err := o.usable(); err != nil {
		return err
	}
	return o.sa.NotifyCheckpointAborted(id)
}

// Close closes the operator (its function's Close runs) and returns its
// error. Later calls return ErrClosed.
func (o *Operator[O]) Close() error {
	if err := o.usable(); err != nil {
		return err
	}
	o.closed = true
	return o.sa.Close()
}

// Outputs is what SideOutput reads: a KeyedHarness or a Harness (their
// embedded Operator).
type Outputs interface {
	sideOutput(id string) []Record[any]
}

// SideOutput returns what the operator under h emitted to side output tag
// so far, in order, with timestamps. Every side output is captured; values
// emitted under tag's ID with another type than T are left out.
func SideOutput[T any](h Outputs, tag flinksim.OutputTag[T]) []Record[T] {
	var out []Record[T]
	for _, r := range h.sideOutput(tag.ID()) {
		if v, ok := r.Value.(T); ok {
			out = append(out, Record[T]{Value: v, Timestamp: r.Timestamp})
		}
	}
	return out
}
