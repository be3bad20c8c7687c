package flinksim

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
	"github.com/flinksim/go-flinksim/snapshot"
)

// SavepointAt asks the job for a savepoint at a fixed point of its run:
// after the step in which subtask Subtask of operator Operator has
// processed its After-th record (a source: emitted it) — a step handles a
// batch, so the count may pass After by up to a batch. The request is
// taken at the coordinator's next turn, so in the simulation the
// savepoint is taken at the same point of every run with the same seed: a
// test needs no sleeps to stop a job half-way. Each SavepointAt fires once per job, in its first attempt
// to reach the point.
type SavepointAt struct {
	// Operator and Subtask name the operator subtask whose record count
	// triggers the savepoint.
	Operator string
	Subtask  int
	// After is the record count that triggers it.
	After int64
	// Name is the savepoint's name.
	Name string
	// Stop makes it a stop with savepoint (see JobClient.StopWithSavepoint),
	// draining if Drain is set; the job then ends FINISHED.
	Stop, Drain bool
}

// WithSavepointAt asks for savepoints at the points given (see
// SavepointAt); the job must checkpoint.
func WithSavepointAt(points ...SavepointAt) Option {
	return func(c *Config) { c.SavepointsAt = append(c.SavepointsAt, points...) }
}

// savepointTriggers requests the savepoints of SavepointAt points as the
// record counts reach them. It is safe for concurrent use: the tasks of
// the concurrent executor report from their goroutines.
type savepointTriggers struct {
	coord *engine.Coordinator
	mu    sync.Mutex
	todo  []SavepointAt
}

// newSavepointTriggers checks points against the graph and returns their
// triggers, nil if there are none.
func newSavepointTriggers(points []SavepointAt, vertices []*engine.Vertex, checkpointing bool) (*savepointTriggers, error) {
	if len(points) == 0 {
		return nil, nil
	}
	if !checkpointing {
		return nil, fmt.Errorf("%w: savepoints at %v need checkpointing", ErrInvalidConfig, points)
	}
	par := make(map[string]int, len(vertices))
	for _, v := range vertices {
		par[v.Name] = v.Parallelism
	}
	var errs []error
	for _, p := range points {
		n, known := par[p.Operator]
		switch {
		case !known:
			errs = append(errs, fmt.Errorf("%w: savepoint %q: no operator %q", ErrUnknownFaultTarget, p.Name, p.Operator))
		case p.Subtask < 0 || p.Subtask >= n:
			errs = append(errs, fmt.Errorf("%w: savepoint %q: operator %q has subtasks 0 to %d", ErrUnknownFaultTarget, p.Name, p.Operator, n-1))
		case p.Drain && !p.Stop:
			errs = append(errs, fmt.Errorf("%w: savepoint %q: Drain without Stop", ErrInvalidConfig, p.Name))
		}
		if p.Name == "" {
			errs = append(errs, fmt.Errorf("%w: a savepoint at %q needs a name", snapshot.ErrInvalidName, p.Operator))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &savepointTriggers{todo: slices.Clone(points)}, nil
}

// records is the engine's Records hook.
func (s *savepointTriggers) records(operator string, subtask int, n int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := 0; i < len(s.todo); i++ {
		p := s.todo[i]
		if p.Operator != operator || p.Subtask != subtask || n < p.After {
			continue
		}
		s.todo = slices.Delete(s.todo, i, i+1)
		i--
		done := func(engine.CheckpointRecord, error) {} // the outcome is in the job's history
		if p.Stop {
			s.coord.RequestStop(p.Name, p.Drain, done)
		} else {
			s.coord.Request(p.Name, done)
		}
	}
}
