package engine

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"go.uber.org/zap"
)

// Channel is a one-way, ordered connection from a producer task to a
// consumer task.
type Channel struct {
	ID   int
	From *Task
	To   *Task
	// Input is the channel's index among To's inputs.
	Input int
	// Logical is the logical input of To the channel feeds (Edge.Input).
	Logical int
}

// Placement is where a task runs: a slot of a task manager.
type Placement struct {
	TaskManager int
	Slot        int
}

// Config is what expansion needs besides the graph.
type Config struct {
	BatchSize           int
	TaskManagers        int // 0: as many as the slots need
	SlotsPerTaskManager int
	Logger              *zap.Logger
	Clock               Clock
	Mode                CheckpointMode
	Faults              Faults // nil: none
	// Records, if set, hears after each step how many records each
	// operator of the task has processed (a source: emitted); the job's
	// savepoint triggers use it. It runs on the task's goroutine.
	Records func(operator string, subtask int, n int64)
	// BufferTimeout bounds how long a busy task may hold a partly filled
	// batch (default 100ms, as Flink's execution.buffer-timeout).
	BufferTimeout time.Duration
	// GateCapacity is the number of batches an input channel holds before
	// its producer waits (default 8; see InputGate).
	GateCapacity int
	// Tracer, if set, receives the job's trace events.
	Tracer Tracer

	tracer *tracer // set by the Job from Tracer
}

// Limits of Config values: larger ones cannot work and are refused.
const (
	MaxBatchSize    = 1 << 16
	MaxGateCapacity = 1 << 10
)

// withDefaults fills in the zero values of c.
func (c Config) withDefaults() Config {
	if c.BatchSize <= 0 {
		c.BatchSize = 256
	}
	if c.BufferTimeout <= 0 {
		c.BufferTimeout = 100 * time.Millisecond
	}
	if c.GateCapacity <= 0 {
		c.GateCapacity = 8
	}
	return c
}

// ExecutionGraph is the parallel form of a graph: tasks (chains of
// operators, one per subtask) connected by channels.
type ExecutionGraph struct {
	Graph        *Graph
	Tasks        []*Task
	Channels     []*Channel
	TaskManagers int
	Slots        int // per task manager

	initialized initOutcome
}

// Initialized is closed once every task of the attempt has initialised its
// operators (restoring their state), or one of them failed to; InitErr
// then tells which. An attempt that never starts its tasks (a job
// cancelled first) leaves it open.
func (eg *ExecutionGraph) Initialized() <-chan struct{} { return eg.initialized.done }

// InitErr returns the error the first task that failed to initialise
// reported, once Initialized is closed.
func (eg *ExecutionGraph) InitErr() error {
	eg.initialized.mu.Lock()
	defer eg.initialized.mu.Unlock()
	return eg.initialized.err
}

// initOutcome collects the outcome of the tasks' Init calls.
type initOutcome struct {
	done chan struct{} // closed when left reaches 0
	mu   sync.Mutex
	left int // tasks still to initialise; 0 once one failed
	err  error
}

// initTask initialises t and records the outcome for Initialized.
func (eg *ExecutionGraph) initTask(t *Task, ack Acker) error {
	err := t.Init(ack)
	o := &eg.initialized
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.left > 0 {
		o.left--
		if err != nil {
			o.err, o.left = err, 0
		}
		if o.left == 0 {
			close(o.done)
		}
	}
	return err
}

// ErrNotEnoughSlots reports a job that needs more slots than the task
// managers offer.
var ErrNotEnoughSlots = errors.New("flinksim: not enough task slots")

// chained reports whether e joins its target into its source's task.
func chained(e *Edge) bool {
	return e.Strategy == StrategyForward && e.From.Parallelism == e.To.Parallelism &&
		len(e.To.Inputs) == 1 && !e.To.IsSource && e.Tag == ""
}

// Expand turns a resolved graph into an execution graph. Vertices must be
// in topological order (every edge points from a lower to a higher ID), as
// the public builder guarantees.
func Expand(g *Graph, cfg Config) (*ExecutionGraph, error) {
	cfg = cfg.withDefaults()
	head := make([]*Vertex, len(g.Vertices))
	members := make(map[*Vertex][]*Vertex)
	consumers := make(map[*Vertex][]*Edge)
	slotsNeeded := 0
	for _, v := range g.Vertices {
		head[v.ID] = v
		if len(v.Inputs) == 1 && chained(v.Inputs[0]) {
			head[v.ID] = head[v.Inputs[0].From.ID]
		}
		members[head[v.ID]] = append(members[head[v.ID]], v)
		for _, e := range v.Inputs {
			consumers[e.From] = append(consumers[e.From], e)
		}
		slotsNeeded = max(slotsNeeded, v.Parallelism)
	}
	slots := max(cfg.SlotsPerTaskManager, 1)
	tms := cfg.TaskManagers
	if tms == 0 {
		tms = (slotsNeeded + slots - 1) / slots
	}
	if tms*slots < slotsNeeded {
		return nil, fmt.Errorf("%w: the job needs %d slots, %d task managers with %d slots each offer %d",
			ErrNotEnoughSlots, slotsNeeded, tms, slots, tms*slots)
	}
	eg := &ExecutionGraph{Graph: g, TaskManagers: tms, Slots: slots}
	tasksOf := make(map[*Vertex][]*Task)
	for _, v := range g.Vertices {
		if head[v.ID] != v {
			continue
		}
		names := make([]string, len(members[v]))
		for i, m := range members[v] {
			names[i] = m.Name
		}
		for i := 0; i < v.Parallelism; i++ {
			t := &Task{
				ID: len(eg.Tasks), Name: strings.Join(names, " -> "), Subtask: i,
				Members: members[v], consumers: consumers, cfg: cfg,
				Placement: Placement{TaskManager: i / slots, Slot: i % slots},
				metrics:   make([]OperatorMetrics, len(members[v])),
				wake:      make(chan struct{}, 1),
			}
			t.gate = newInputGate(t, cfg.GateCapacity)
			for j, m := range members[v] {
				t.metrics[j].Operator, t.metrics[j].Subtask = m.Name, i
			}
			eg.Tasks = append(eg.Tasks, t)
			tasksOf[v] = append(tasksOf[v], t)
		}
	}
	// Channels, in a stable order: by consumer vertex, input edge,
	// producer subtask, consumer subtask.
	for _, v := range g.Vertices {
		for _, e := range v.Inputs {
			if chained(e) {
				continue
			}
			producers, targets := tasksOf[head[e.From.ID]], tasksOf[v]
			for i, p := range producers {
				out := &ChannelOutput{Subtask: i, Strategy: e.Strategy, TargetParallelism: v.Parallelism,
					TargetMaxParallelism: v.MaxParallelism, BatchSize: cfg.BatchSize, task: p}
				for j, c := range targets {
					if e.Strategy == StrategyForward && i != j {
						continue
					}
					ch := &Channel{ID: len(eg.Channels), From: p, To: c, Input: len(c.inputs), Logical: e.Input}
					eg.Channels = append(eg.Channels, ch)
					c.inputs = append(c.inputs, ch)
					c.gate.addInput(ch)
					out.Channels = append(out.Channels, ch)
				}
				if p.outputs == nil {
					p.outputs = make(map[*Edge]*ChannelOutput)
				}
				p.outputs[e] = out
			}
		}
	}
	eg.initialized.done, eg.initialized.left = make(chan struct{}), len(eg.Tasks)
	return eg, nil
}
