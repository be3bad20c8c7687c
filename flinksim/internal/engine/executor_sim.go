package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// SimExecutor runs every task on the calling goroutine. At each step it
// asks every task what it can do now (Task.Ready: a control event, a
// source poll, the head of a readable input) and picks one of all those
// steps with a PRNG seeded by Seed, so the same seed replays the same run,
// event for event. The tasks, their gates and their backpressure are the
// ones the concurrent executor runs; only the choice of the next step is
// the simulation's. Time is virtual: Clock moves Tick per step, and jumps
// to the next timed work (a checkpoint, a task's processing-time work)
// when nothing else can run; a working step counts Tick of its task's
// busy time (Task.TickPerStep). A source fed from
// outside the job (records pushed from another goroutine) makes a run
// depend on when they come: the simulation then waits for them, and
// replays exactly only what the job's own sources decide.
type SimExecutor struct {
	Seed uint64
	// Clock is the virtual clock the job's tasks and coordinator read.
	Clock *VirtualClock
	// Tick is how far the clock moves per step (default 1ms).
	Tick time.Duration

	rng *rand.Rand
}

// NewSimExecutor returns a simulation executor with its own virtual clock,
// starting at start.
func NewSimExecutor(seed uint64, start time.Time) *SimExecutor {
	return &SimExecutor{Seed: seed, Clock: NewVirtualClock(start),
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// ErrStalled reports a simulation with unfinished tasks and nothing to do.
var ErrStalled = errors.New("flinksim: simulation stalled")

type simChoice struct {
	task *Task
	work Work
}

// Sleep implements Executor: it moves the virtual clock.
func (x *SimExecutor) Sleep(ctx context.Context, d time.Duration) error {
	x.Clock.Advance(d)
	return ctx.Err()
}

// Run implements Executor. The steps run on a goroutine of their own, so
// that a user function ending it with runtime.Goexit fails the task it ran
// in, as on the concurrent executor, instead of ending the caller.
func (x *SimExecutor) Run(ctx context.Context, eg *ExecutionGraph, coord *Coordinator) error {
	result := make(chan error, 1)
	var current *Task // the task being stepped
	go func() {
		result <- guardGoexit(func() error { return x.run(ctx, eg, coord, &current) },
			func() { result <- goexitFailure(current) })
	}()
	return <-result
}

func (x *SimExecutor) run(ctx context.Context, eg *ExecutionGraph, coord *Coordinator, current **Task) (err error) {
	tick := x.Tick
	if tick <= 0 {
		tick = time.Millisecond
	}
	var failed *Task
	defer func() {
		if failed == nil && err == nil && *current != nil {
			failed = *current // unwinding from runtime.Goexit in its step
		}
		for _, t := range eg.Tasks {
			if cerr := t.Close(); cerr != nil && err == nil {
				err, failed = cerr, t
			}
		}
		finalStatus(eg, failed)
	}()
	var ack Acker
	if coord != nil {
		coord.Attach(ctx, eg.Tasks)
		ack = coord
	}
	external := make(chan struct{}, 1)
	for _, t := range eg.Tasks {
		t.NotifyExternal(external)
		t.TickPerStep(tick)
	}
	for _, t := range eg.Tasks {
		*current = t
		if err := eg.initTask(t, ack); err != nil {
			failed = t
			return err
		}
	}
	for _, t := range eg.Tasks {
		*current = t
		if err := t.Start(); err != nil {
			failed = t
			return err
		}
	}
	var (
		choices []simChoice
		works   []Work
		inputs  []int
	)
	for {
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
		running, awaiting := 0, 0
		for _, t := range eg.Tasks {
			if t.Status() == TaskFinished {
				continue
			}
			running++
			works, inputs = t.Ready(works[:0], inputs)
			for _, w := range works {
				choices = append(choices, simChoice{task: t, work: w})
			}
			if t.AwaitsSource() {
				awaiting++
			}
		}
		if running == 0 {
			*current = nil
			return nil
		}
		if len(choices) == 0 {
			var due time.Time
			var requests <-chan struct{}
			if coord != nil {
				due, requests = coord.NextDue(), coord.Wake()
			}
			for _, t := range eg.Tasks {
				if at, ok := t.TimerDue(); ok && t.Status() != TaskFinished && (due.IsZero() || at.Before(due)) {
					due = at
				}
			}
			switch {
			case awaiting > 0:
				if err := x.awaitSource(ctx, external, requests, due); err != nil {
					return err
				}
			case !due.IsZero():
				x.Clock.AdvanceTo(due)
			default:
				return fmt.Errorf("%w: %d tasks unfinished", ErrStalled, running)
			}
			continue
		}
		c := choices[x.rng.IntN(len(choices))]
		*current = c.task
		done, err := c.task.Do(c.work)
		if err != nil {
			failed = c.task
			return err
		}
		if done {
			c.task.SetStatus(TaskFinished)
		}
	}
}

// awaitSource waits, when nothing else can run, for a source that waits on
// records from outside the job to signal that it has some, or for a
// checkpoint or savepoint request (requests). The virtual clock stands
// still meanwhile, unless timed work is due: then the wait lasts as much
// real time as lies before it in virtual time, and the clock moves there
// (so an idle job checkpoints at its interval, not in a loop).
func (x *SimExecutor) awaitSource(ctx context.Context, external, requests <-chan struct{}, due time.Time) error {
	var timer <-chan time.Time
	if !due.IsZero() {
		t := time.NewTimer(due.Sub(x.Clock.Now()))
		defer t.Stop()
		timer = t.C
	}
	select {
	case <-external:
	case <-requests: // the coordinator's next Tick takes it
	case <-timer:
		x.Clock.AdvanceTo(due)
	case <-ctx.Done():
		return fmt.Errorf("%w: %w", ErrCanceled, context.Cause(ctx))
	}
	return nil
}
