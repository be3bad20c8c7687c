package flinksimtest

import "github.com/flinksim/go-flinksim/flinksim/internal/engine"

// Snapshot is the state of the operator under test at a checkpoint, as
// Operator.Snapshot takes it: give it to WithRestore to start another
// harness from it. The zero Snapshot restores nothing and is refused.
type Snapshot struct {
	id             int64
	maxParallelism int
	state          engine.OperatorState
}

// ID returns the checkpoint ID the snapshot was taken as (the harness
// numbers its snapshots 1, 2, …); NotifyCheckpointComplete takes it.
func (s Snapshot) ID() int64 { return s.id }
