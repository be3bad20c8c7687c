package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
)

// SimExecutor runs every task on the calling goroutine. At each step it
// picks the next event among all that could happen — a source poll, or the
// head of any non-empty channel — with a PRNG seeded by Seed, so the same
// seed replays the same run, event for event. Channels are FIFO queues of
// at most Capacity batches: a task whose output is full is not stepped
// (backpressure).
type SimExecutor struct {
	Seed uint64
	// Capacity is the queue bound per channel, in events (default 4).
	Capacity int
	// Trace, if set, receives one line per step.
	Trace io.Writer
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
	ch   *Channel // nil: poll the source
}

// Run implements Executor.
func (x SimExecutor) Run(ctx context.Context, eg *ExecutionGraph) (err error) {
	capacity := x.Capacity
	if capacity <= 0 {
		capacity = 4
	}
	rng := rand.New(rand.NewPCG(x.Seed, x.Seed^0x9e3779b97f4a7c15))
	out := &simOutbox{queues: make([][]Event, len(eg.Channels))}
	var failed *Task
	defer func() {
		for _, t := range eg.Tasks {
			if cerr := t.Close(); cerr != nil && err == nil {
				err, failed = cerr, t
			}
		}
		finalStatus(eg, failed)
	}()
	for _, t := range eg.Tasks {
		if err := t.Init(out); err != nil {
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
		choices = choices[:0]
		running := 0
		for _, t := range eg.Tasks {
			if t.Status() == TaskFinished {
				continue
			}
			running++
			if full(t) {
				continue
			}
			if t.IsSource() {
				choices = append(choices, simChoice{task: t})
				continue
			}
			for _, ch := range t.inputs {
				if len(out.queues[ch.ID]) > 0 {
					choices = append(choices, simChoice{task: t, ch: ch})
				}
			}
		}
		if running == 0 {
			return nil
		}
		if len(choices) == 0 {
			return fmt.Errorf("%w: %d tasks unfinished", ErrStalled, running)
		}
		c := choices[rng.IntN(len(choices))]
		ev := Event{Kind: EventPoll}
		if c.ch != nil {
			q := out.queues[c.ch.ID]
			ev = q[0]
			q[0] = Event{}
			out.queues[c.ch.ID] = q[1:]
		}
		if x.Trace != nil {
			fmt.Fprintf(x.Trace, "%d %s %s in=%d n=%d\n", step, c.task, ev.Kind, ev.Input, ev.Records)
		}
		done, err := c.task.Step(ev)
		if err == nil && !done && x.inputDrained(c.task, out) {
			done, err = c.task.Step(Event{Kind: EventIdle})
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

// inputDrained reports whether nothing waits on t's inputs (for a source:
// whether it reported idle).
func (x SimExecutor) inputDrained(t *Task, out *simOutbox) bool {
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
