package engine

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"go.uber.org/zap"
)

// Standalone runs one operator subtask outside a job, for the operator test
// harness: the operator is the only member of a real Task, fed by one
// channel from a producer that the caller drives, with outputs the caller
// provides (output edges whose NewWriter captures what it gets). Records,
// watermarks, end of input, processing-time work, checkpoints and their
// notices take the task's own paths (Do), so the operator behaves as it
// does in a job. A Standalone is not safe for concurrent use.
type Standalone struct {
	task *Task
	// feeder is the producer of the task's input: its writer stamps
	// records with feeder.timestamp, as a task's writers do.
	feeder *Task
	// elsewhere receives the records the input's writer routes to another
	// subtask (hash edges of a key group the subtask does not own).
	elsewhere *Task
	input     any // Collector[In] (as any) of the input edge's writer
	writer    Writer
	channel   *Channel
	clock     *VirtualClock
	acker     *standaloneAcker
}

// StandaloneConfig places a Standalone's subtask.
type StandaloneConfig struct {
	// Subtask is the subtask's index, below the vertex's parallelism.
	Subtask int
	// Restored is the subtask's state, nil to start empty.
	Restored *RestoredState
	// Start is the processing time the clock starts at.
	Start  time.Time
	Logger *zap.Logger
	// SideOutput receives what the operator emits to each side output
	// (see OperatorContext.UnreadSideOutput).
	SideOutput func(tag string, v any)
}

// ErrOtherSubtask marks a record that the input's partitioning sends to
// another subtask than the Standalone's (its key belongs to a key group the
// subtask does not own).
var ErrOtherSubtask = errors.New("flinksim: record's key belongs to a key group of another subtask")

// NewStandalone builds and opens (Init, Start) subtask cfg.Subtask of v,
// whose Parallelism and MaxParallelism must be set and whose one input edge
// (v.Inputs[0]) says how records reach it. outputs are v's consumer edges:
// Tag "" for the main output, a tag for a side output; each NewWriter gets
// a ChannelOutput without channels, whose Timestamp is that of the record
// being emitted.
func NewStandalone(v *Vertex, outputs []*Edge, cfg StandaloneConfig) (*Standalone, error) {
	if len(v.Inputs) != 1 {
		return nil, fmt.Errorf("flinksim: standalone operator %q has %d inputs, want 1", v.Name, len(v.Inputs))
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	s := &Standalone{clock: NewVirtualClock(cfg.Start), acker: &standaloneAcker{}}
	ecfg := Config{Logger: cfg.Logger, Clock: s.clock, BatchSize: 1}.withDefaults()
	s.feeder = &Task{Name: "input", cfg: ecfg, timestamp: NoTimestamp}
	s.elsewhere = &Task{Name: "other subtasks", cfg: ecfg, wake: make(chan struct{}, 1)}
	s.elsewhere.gate = newInputGate(s.elsewhere, ecfg.GateCapacity)
	t := &Task{
		Name: v.Name, Subtask: cfg.Subtask, Members: []*Vertex{v}, cfg: ecfg,
		consumers: map[*Vertex][]*Edge{v: outputs}, outputs: make(map[*Edge]*ChannelOutput, len(outputs)),
		metrics: make([]OperatorMetrics, 1), wake: make(chan struct{}, 1),
	}
	t.metrics[0].Operator, t.metrics[0].Subtask = v.Name, cfg.Subtask
	t.gate = newInputGate(t, ecfg.GateCapacity)
	for _, e := range outputs {
		t.outputs[e] = &ChannelOutput{Subtask: cfg.Subtask, BatchSize: ecfg.BatchSize, task: t}
	}
	if cfg.Restored != nil {
		t.restored = []*RestoredState{cfg.Restored}
	}
	s.task = t
	in := v.Inputs[0]
	strategy := in.Strategy
	if strategy == StrategyDefault {
		strategy = StrategyForward
	}
	out := &ChannelOutput{Strategy: strategy, TargetParallelism: v.Parallelism,
		TargetMaxParallelism: v.MaxParallelism, BatchSize: ecfg.BatchSize, task: s.feeder}
	targets := v.Parallelism
	if strategy != StrategyHash {
		targets = 1 // the feeder stands for the upstream subtask that feeds this one
	}
	for j := range targets {
		ch := &Channel{ID: j, From: s.feeder, To: s.elsewhere, Input: 0}
		if j == cfg.Subtask || targets == 1 {
			ch.To = t
			s.channel = ch
			t.inputs = append(t.inputs, ch)
			t.gate.addInput(ch)
		} else if len(s.elsewhere.inputs) == 0 {
			s.elsewhere.inputs = append(s.elsewhere.inputs, ch)
			s.elsewhere.gate.addInput(ch)
		}
		out.Channels = append(out.Channels, ch)
	}
	s.input, s.writer = in.NewWriter(out)
	if err := t.Init(s.acker); err != nil {
		return nil, err
	}
	t.ctxs[0].UnreadSideOutput = cfg.SideOutput
	if err := t.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// Input returns the Collector[In] (as any) of the input: what is collected
// reaches the operator at the next Element, Watermark or EndInput call.
func (s *Standalone) Input() any { return s.input }

// Operator returns the operator under test.
func (s *Standalone) Operator() Operator { return s.task.ops[0] }

// Context returns the operator's context.
func (s *Standalone) Context() *OperatorContext { return s.task.ctxs[0] }

// Now returns the Standalone's processing time.
func (s *Standalone) Now() time.Time { return s.clock.Now() }

// Element has collect emit records to Input with timestamp ts, and the
// operator process them. A panic in collect (in a key selector) fails the
// operator, as it fails the upstream operator in a job.
func (s *Standalone) Element(ts int64, collect func()) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.emit(ts, collect); err != nil {
		return err
	}
	return s.deliver()
}

// ErrInputEnded marks input given to a Standalone after its EndInput.
var ErrInputEnded = errors.New("flinksim: input after the end of input")

// usable returns the task's failure, or ErrInputEnded once the input
// ended, or nil.
func (s *Standalone) usable() error {
	if s.task.failure != nil {
		return s.task.failure
	}
	if s.task.dataEnded {
		return fmt.Errorf("%w of operator %q", ErrInputEnded, s.task.Name)
	}
	return nil
}

// emit runs collect with the feeder's timestamp ts.
func (s *Standalone) emit(ts int64, collect func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = &OperatorError{Operator: s.task.Name, Subtask: s.task.Subtask, Err: panicError(r), Stack: debug.Stack()}
			s.task.fail(err)
		}
	}()
	s.feeder.timestamp = ts
	collect()
	return nil
}

// Watermark delivers watermark wm on the input.
func (s *Standalone) Watermark(wm int64) error {
	if err := s.usable(); err != nil {
		return err
	}
	s.writer.Watermark(wm)
	return s.deliver()
}

// EndInput ends the input's data: the final watermark fires every
// event-time timer, then the operator's EndInput runs.
func (s *Standalone) EndInput() error {
	if err := s.usable(); err != nil {
		return err
	}
	s.writer.Flush()
	s.feeder.send(s.channel, Event{Kind: EventEndOfData})
	return s.deliver()
}

// deliver sends what the input's writer holds and has the task handle
// every event on its input.
func (s *Standalone) deliver() error {
	s.writer.Flush()
	misrouted := false
	for !s.elsewhere.gate.empty() {
		ev, _ := s.elsewhere.gate.pop(0)
		misrouted = misrouted || ev.Records > 0
		if ev.Recycler != nil {
			ev.Recycler.Recycle(ev.Batch)
		}
	}
	if misrouted {
		return fmt.Errorf("%w: subtask %d of %d owns key groups %v", ErrOtherSubtask,
			s.task.Subtask, s.task.Members[0].Parallelism, s.task.ctxs[0].KeyGroups)
	}
	for !s.task.gate.empty() {
		if _, err := s.task.Do(Work{Kind: WorkInput, Input: 0}); err != nil {
			return err
		}
	}
	return s.task.failure
}

// AdvanceTo moves processing time to t, if it is later, and runs the
// processing-time work that is due, until none is.
func (s *Standalone) AdvanceTo(t time.Time) error {
	if err := s.task.failure; err != nil {
		return err
	}
	s.clock.AdvanceTo(t)
	for s.task.timerDueNow() {
		if _, err := s.task.Do(Work{Kind: WorkTimer}); err != nil {
			return err
		}
	}
	return nil
}

// Snapshot takes the operator's state for checkpoint id, as a checkpoint
// barrier does.
func (s *Standalone) Snapshot(id int64) (OperatorState, error) {
	if err := s.control(Event{Kind: EventTrigger, Checkpoint: id}); err != nil {
		return OperatorState{}, err
	}
	states, ok := s.acker.acks[id]
	if !ok || len(states) != 1 {
		return OperatorState{}, fmt.Errorf("flinksim: checkpoint %d of operator %q took no snapshot", id, s.task.Name)
	}
	delete(s.acker.acks, id)
	return states[0], nil
}

// NotifyCheckpointComplete tells the operator that checkpoint id completed.
func (s *Standalone) NotifyCheckpointComplete(id int64) error {
	return s.control(Event{Kind: EventComplete, Checkpoint: id})
}

// NotifyCheckpointAborted tells the operator that checkpoint id aborted.
func (s *Standalone) NotifyCheckpointAborted(id int64) error {
	return s.control(Event{Kind: EventAbort, Checkpoint: id})
}

// control has the task handle ev, as the coordinator's event.
func (s *Standalone) control(ev Event) error {
	if err := s.task.failure; err != nil {
		return err
	}
	s.task.Deliver(ev)
	_, err := s.task.Do(Work{Kind: WorkControl})
	return err
}

// Close closes the operator.
func (s *Standalone) Close() error { return s.task.Close() }

// standaloneAcker keeps the states a Standalone's task acknowledges.
type standaloneAcker struct {
	acks map[int64][]OperatorState
}

func (a *standaloneAcker) Ack(_ *Task, id int64, states []OperatorState, _ SubtaskCheckpointStats) {
	if a.acks == nil {
		a.acks = make(map[int64][]OperatorState)
	}
	a.acks[id] = states
}

func (a *standaloneAcker) DataEnded(*Task) {}

// Timestamp returns the timestamp of the record being emitted on o.
func (o *ChannelOutput) Timestamp() int64 { return o.task.timestamp }

// DealState returns what subtask (of parallelism) restores from the states
// of an operator's old subtasks, as a job's restore deals them.
func DealState(old []OperatorState, subtask, parallelism int) (*RestoredState, error) {
	return dealState(old, subtask, parallelism)
}
