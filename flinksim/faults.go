package flinksim

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// FaultPoint is where an injected fault strikes.
type FaultPoint uint8

// Fault points.
const (
	// FaultRecord strikes once the operator has processed After records
	// (checked after each batch, so it strikes at the end of the batch
	// that reaches After).
	FaultRecord = FaultPoint(engine.FaultRecord)
	// FaultSnapshot strikes when the operator snapshots its state for a
	// checkpoint with ID >= After.
	FaultSnapshot = FaultPoint(engine.FaultSnapshot)
	// FaultRestore strikes when the operator is restored from a snapshot.
	FaultRestore = FaultPoint(engine.FaultRestore)
	// FaultCommit strikes when the operator is told that a checkpoint with
	// ID >= After completed (before a two-phase-commit sink commits).
	FaultCommit = FaultPoint(engine.FaultCommit)
)

func (p FaultPoint) String() string { return engine.FaultPoint(p).String() }

// ErrInjected marks the errors of injected faults.
var ErrInjected = engine.ErrInjected

// Faults decides whether an injected fault strikes; see FaultInjector. It
// is called from the job's goroutines and must be safe for concurrent use.
type Faults interface {
	// Strike returns the error to fail with, or nil. n counts records for
	// FaultRecord and is the checkpoint ID for FaultSnapshot and
	// FaultCommit.
	Strike(operator string, subtask int, point FaultPoint, n int64) error
}

// engineFaults adapts f to the runtime's interface; nil stays nil.
func engineFaults(f Faults) engine.Faults {
	if f == nil {
		return nil
	}
	return faultsAdapter{f}
}

type faultsAdapter struct{ f Faults }

func (a faultsAdapter) Strike(op string, subtask int, point engine.FaultPoint, n int64) error {
	return a.f.Strike(op, subtask, FaultPoint(point), n)
}

// Fault is one failure to inject: it fails subtask Subtask of operator
// Operator at Point, once.
type Fault struct {
	// Operator is the name of the operator to fail.
	Operator string
	// Subtask is the index of its subtask to fail.
	Subtask int
	// Point is where the fault strikes.
	Point FaultPoint
	// After is the count the point must reach (see the fault points):
	// records processed (emitted, for a source), or a checkpoint ID.
	After int64
}

func (f Fault) String() string {
	return fmt.Sprintf("%s subtask %d at %s after %d", f.Operator, f.Subtask, f.Point, f.After)
}

// FaultInjector injects each of its faults once, for tests: pass it with
// WithFaults. It is safe for concurrent use.
type FaultInjector struct {
	mu     sync.Mutex
	faults []Fault
	struck []bool
}

// NewFaultInjector returns an injector of faults.
func NewFaultInjector(faults ...Fault) *FaultInjector {
	return &FaultInjector{faults: faults, struck: make([]bool, len(faults))}
}

// Strike implements Faults.
func (f *FaultInjector) Strike(operator string, subtask int, point FaultPoint, n int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		if f.struck[i] || ft.Operator != operator || ft.Subtask != subtask || ft.Point != point || n < ft.After {
			continue
		}
		f.struck[i] = true
		return fmt.Errorf("%w: %v", ErrInjected, ft)
	}
	return nil
}

// Unstruck returns the faults that have not struck (yet): at the end of a
// run, those whose operator, subtask or point the run never reached — a
// recovery test that expected them tested less than it meant to.
func (f *FaultInjector) Unstruck() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Fault
	for i, ft := range f.faults {
		if !f.struck[i] {
			out = append(out, ft)
		}
	}
	return out
}

// Planned returns the injector's faults, struck or not.
func (f *FaultInjector) Planned() []Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.faults)
}

// ErrUnknownFaultTarget: a fault names an operator the job does not have,
// a subtask beyond the operator's parallelism, or no fault point; it could
// never strike, so a recovery test would pass while testing nothing.
var ErrUnknownFaultTarget = errors.New("flinksim: fault target not in the job")

// checkFaultTargets checks, for an injector that says what it plans (as
// FaultInjector does), that every fault can strike somewhere in the job.
func checkFaultTargets(faults Faults, vertices []*engine.Vertex) error {
	p, ok := faults.(interface{ Planned() []Fault })
	if !ok {
		return nil
	}
	par := make(map[string]int, len(vertices))
	for _, v := range vertices {
		par[v.Name] = v.Parallelism
	}
	var errs []error
	for _, f := range p.Planned() {
		n, known := par[f.Operator]
		switch {
		case !known:
			errs = append(errs, fmt.Errorf("%w: fault %v: no operator %q", ErrUnknownFaultTarget, f, f.Operator))
		case f.Subtask < 0 || f.Subtask >= n:
			errs = append(errs, fmt.Errorf("%w: fault %v: operator %q has subtasks 0 to %d", ErrUnknownFaultTarget, f, f.Operator, n-1))
		case f.Point < FaultRecord || f.Point > FaultCommit:
			errs = append(errs, fmt.Errorf("%w: fault %v: no such fault point", ErrUnknownFaultTarget, f))
		}
	}
	return errors.Join(errs...)
}

// Struck returns how many faults have struck.
func (f *FaultInjector) Struck() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, s := range f.struck {
		if s {
			n++
		}
	}
	return n
}
