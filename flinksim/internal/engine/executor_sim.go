package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"time"
)

// SimExecutor runs every task on the calling goroutine. At each step it
// picks the next event among all that could happen — a source poll, the
// head of any non-empty channel, or a pending control event (checkpoint
// trigger, completion notice) — with a PRNG seeded by Seed, so the same
// seed replays the same run, event for event. Channels are FIFO queues of
// at most Capacity batches: a task whose output is full is not stepped
// (backpressure). Time is virtual: Clock moves Tick per step.
type SimExecutor struct {
	Seed uint64
	// Capacity is the queue bound per channel, in events (default 4).
	Capacity int
	// Trace, if set, receives one line per step.
	Trace io.Writer
	// Clock is the virtual clock the job's tasks and coordinator read.
	Clock *VirtualClock
	// Tick is how far the clock moves per step (default 1ms).
	Tick time.Duration

	rng *rand.Rand
}

// NewSimExecutor returns a simulation executor with its own virtual clock,
// starting at start.
func NewSimExecutor(seed uint64, trace io.Writer, start time.Time) *SimExecutor {
	return &SimExecutor{Seed: seed, Trace: trace, Clock: NewVirtualClock(start),
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// ErrStalled reports a simulation with unfinished tasks and nothing to do.
var ErrStalled = errors.New("flinksim: simulation stalled")

type simOutbox struct {
	queues [][]Event // per channel ID
}

func (o *simOutbox) Send(ch *Channel, ev Event) error {
	o.queues[ch.ID] = append(o.queues[ch.ID], ev)
	return nil
}

type simChoice struct {
	task *Task
	ch   *Channel // the channel to deliver from
	kind EventKind
}

// Sleep implements Executor: it moves the virtual clock.
func (x *SimExecutor) Sleep(ctx context.Context, d time.Duration) error {
	x.Clock.Advance(d)
	return ctx.Err()
}

// Run implements Executor.
func (x *SimExecutor) Run(ctx context.Context, eg *ExecutionGraph, coord *Coordinator) (err error) {
	capacity := x.Capacity
	if capacity <= 0 {
		capacity = 4
	}
	tick := x.Tick
	if tick <= 0 {
		tick = time.Millisecond
	}
	out := &simOutbox{queues: make([][]Event, len(eg.Channels))}
	controls := make([][]Event, len(eg.Tasks))
	var failed *Task
	defer func() {
		for _, t := range eg.Tasks {
			if cerr := t.Close(); cerr != nil && err == nil {
				err, failed = cerr, t
			}
		}
		finalStatus(eg, failed)
	}()
	if coord != nil {
		coord.Attach(eg.Tasks, func(t *Task, ev Event) { controls[t.ID] = append(controls[t.ID], ev) })
	}
	ack := acker(coord, nil)
	for _, t := range eg.Tasks {
		if err := t.Init(out, ack); err != nil {
			failed = t
			return err
		}
	}
	for _, t := range eg.Tasks {
		t.SetStatus(TaskRunning)
	}
	full := func(t *Task) bool {
		for _, ch := range t.channels {
			if len(out.queues[ch.ID]) >= capacity {
				return true
			}
		}
		return false
	}
	var choices []simChoice
	for step := 0; ; step++ {
		if ctx.Err() != nil {
			return fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
		}
		x.Clock.Advance(tick)
		if coord != nil {
			coord.Tick()
			if err := coord.Fatal(); err != nil {
				return err
			}
		}
		choices = choices[:0]
		running := 0
		for _, t := range eg.Tasks {
			if t.Status() == TaskFinished {
				continue
			}
			running++
			if len(controls[t.ID]) > 0 {
				choices = append(choices, simChoice{task: t, kind: controls[t.ID][0].Kind})
			}
			if full(t) {
				continue
			}
			if t.IsSource() {
				if !t.DataEnded() {
					choices = append(choices, simChoice{task: t, kind: EventPoll})
				}
				continue
			}
			for i, ch := range t.inputs {
				// An input blocked by alignment is not read: its events
				// wait in the channel, as in Flink.
				if len(out.queues[ch.ID]) > 0 && !t.Blocked(i) {
					choices = append(choices, simChoice{task: t, ch: ch, kind: out.queues[ch.ID][0].Kind})
				}
			}
		}
		if running == 0 {
			return nil
		}
		if len(choices) == 0 {
			if coord != nil && !coord.NextDue().IsZero() {
				x.Clock.AdvanceTo(coord.NextDue())
				continue
			}
			return fmt.Errorf("%w: %d tasks unfinished", ErrStalled, running)
		}
		c := choices[x.rng.IntN(len(choices))]
		var ev Event
		switch {
		case c.ch != nil:
			q := out.queues[c.ch.ID]
			ev = q[0]
			q[0] = Event{}
			out.queues[c.ch.ID] = q[1:]
		case c.kind == EventPoll:
			ev = Event{Kind: EventPoll}
		default:
			ev = controls[c.task.ID][0]
			controls[c.task.ID] = controls[c.task.ID][1:]
		}
		if x.Trace != nil && ev.Kind != EventPoll {
			x.trace(step, c.task, ev)
		}
		emitted := c.task.Emitted()
		done, err := c.task.Step(ev)
		if x.Trace != nil && ev.Kind == EventPoll {
			fmt.Fprintf(x.Trace, "%d %s poll -> %d records\n", step, c.task, c.task.Emitted()-emitted)
		}
		if err == nil && !done && x.inputDrained(c.task, out) {
			done, err = c.task.Step(Event{Kind: EventIdle})
		}
		for done && err == nil && len(controls[c.task.ID]) > 0 {
			// Notices sent before the inputs closed reach the operators.
			ev, controls[c.task.ID] = controls[c.task.ID][0], controls[c.task.ID][1:]
			_, err = c.task.Step(ev)
		}
		if err != nil {
			failed = c.task
			return err
		}
		if done {
			c.task.SetStatus(TaskFinished)
		}
	}
}

func (x *SimExecutor) trace(step int, t *Task, ev Event) {
	switch ev.Kind {
	case EventBatch:
		fmt.Fprintf(x.Trace, "%d %s <- in%d batch n=%d\n", step, t, ev.Input, ev.Records)
	case EventBarrier:
		blocked := ""
		if t.cfg.Mode == ExactlyOnce {
			blocked = " (blocks in" + fmt.Sprint(ev.Input) + ")"
		}
		fmt.Fprintf(x.Trace, "%d %s <- in%d barrier %d%s\n", step, t, ev.Input, ev.Checkpoint, blocked)
	case EventEndOfData, EventEndOfPartition:
		fmt.Fprintf(x.Trace, "%d %s <- in%d %s\n", step, t, ev.Input, ev.Kind)
	case EventTrigger, EventComplete, EventAbort:
		fmt.Fprintf(x.Trace, "%d %s %s %d\n", step, t, ev.Kind, ev.Checkpoint)
	default:
		fmt.Fprintf(x.Trace, "%d %s %s\n", step, t, ev.Kind)
	}
}

// inputDrained reports whether nothing waits on t's inputs (for a source:
// whether it reported idle).
func (x *SimExecutor) inputDrained(t *Task, out *simOutbox) bool {
	if t.IsSource() {
		return t.LastPoll == SourceIdle
	}
	for _, ch := range t.inputs {
		if len(out.queues[ch.ID]) > 0 {
			return false
		}
	}
	return true
}
