package engine

import (
	"errors"
	"fmt"
	"time"
)

// CheckpointMode is the guarantee checkpoints give.
type CheckpointMode uint8

// Checkpoint modes, as Flink's CheckpointingMode.
const (
	// ExactlyOnce aligns barriers: an input that delivered barrier n is
	// blocked until every input delivered it.
	ExactlyOnce CheckpointMode = iota
	// AtLeastOnce does not block inputs: records after barrier n on one
	// input may be in the snapshot of n, and are replayed after a restore.
	AtLeastOnce
)

func (m CheckpointMode) String() string {
	if m == AtLeastOnce {
		return "AT_LEAST_ONCE"
	}
	return "EXACTLY_ONCE"
}

// Redistribution is how the entries of an operator list state are dealt
// out when a job restores, as Flink's operator state modes.
type Redistribution uint8

// Redistribution modes.
const (
	// RedistributeSplit deals the entries of every old subtask round-robin
	// over the new subtasks (Flink's getListState): each entry goes to one.
	RedistributeSplit Redistribution = iota
	// RedistributeUnion gives every new subtask the entries of every old
	// subtask (getUnionListState).
	RedistributeUnion
	// RedistributeBroadcast is state every subtask holds the same copy of
	// (broadcast state): new subtask i gets old subtask i mod p's copy.
	RedistributeBroadcast
)

func (r Redistribution) String() string {
	switch r {
	case RedistributeSplit:
		return "split"
	case RedistributeUnion:
		return "union"
	case RedistributeBroadcast:
		return "broadcast"
	}
	return fmt.Sprintf("Redistribution(%d)", uint8(r))
}

// NamedList is one named operator list state of a subtask.
type NamedList struct {
	Name    string
	Mode    Redistribution
	Entries [][]byte
}

// OperatorState is what one operator subtask puts in a checkpoint.
type OperatorState struct {
	// Keyed is the keyed-state blob (state.Backend.Snapshot), nil if none.
	Keyed []byte
	// Lists are the operator list states, each with its name (unique) and
	// redistribution mode.
	Lists []NamedList
}

// List returns the entries of list state name, or nil.
func (s OperatorState) List(name string) [][]byte {
	for _, l := range s.Lists {
		if l.Name == name {
			return l.Entries
		}
	}
	return nil
}

// size is the bytes of the state.
func (s OperatorState) size() int64 {
	n := int64(len(s.Keyed))
	for _, l := range s.Lists {
		for _, e := range l.Entries {
			n += int64(len(e))
		}
	}
	return n
}

// RestoredState is what one operator subtask gets back on restore.
type RestoredState struct {
	// Keyed holds the keyed-state blobs of every old subtask; each backend
	// picks the key groups it owns.
	Keyed [][]byte
	// Lists holds this subtask's share of each operator list state, in the
	// order of the snapshot, with its mode.
	Lists []NamedList
}

// List returns this subtask's entries of list state name, and its mode;
// ok is false when the snapshot has no such state.
func (r *RestoredState) List(name string) (entries [][]byte, mode Redistribution, ok bool) {
	for _, l := range r.Lists {
		if l.Name == name {
			return l.Entries, l.Mode, true
		}
	}
	return nil, 0, false
}

// Checkpointed is implemented by operators that hold state or take part
// in checkpoints. Operators without it are stateless.
type Checkpointed interface {
	// SnapshotState returns the operator's state at checkpoint id.
	SnapshotState(id int64) (OperatorState, error)
	// NotifyCheckpointComplete tells that checkpoint id is durable.
	NotifyCheckpointComplete(id int64) error
	// NotifyCheckpointAborted tells that checkpoint id will not complete.
	NotifyCheckpointAborted(id int64)
}

// SubtaskCheckpointStats are one task's timings for one checkpoint.
type SubtaskCheckpointStats struct {
	Task      string
	Subtask   int
	Alignment time.Duration // first barrier to last barrier
	Sync      time.Duration // taking the operators' snapshots
	Async     time.Duration // writing them to the store
	Size      int64
}

// FaultPoint is where an injected fault strikes.
type FaultPoint uint8

// Fault points.
const (
	// FaultRecord strikes when the operator is handed a record.
	FaultRecord FaultPoint = iota + 1
	// FaultSnapshot strikes when the operator snapshots its state.
	FaultSnapshot
	// FaultRestore strikes when the operator is restored.
	FaultRestore
	// FaultCommit strikes when the operator is told a checkpoint completed.
	FaultCommit
)

func (p FaultPoint) String() string {
	if p < FaultRecord || p > FaultCommit {
		return fmt.Sprintf("FaultPoint(%d)", uint8(p))
	}
	return [...]string{"?", "record", "snapshot", "restore", "commit"}[p]
}

// Faults decides whether an injected fault strikes. It is called from
// task goroutines and must be safe for concurrent use.
type Faults interface {
	// Strike returns the error to fail with, or nil. n counts records for
	// FaultRecord and is the checkpoint ID for snapshot and commit.
	Strike(operator string, subtask int, point FaultPoint, n int64) error
}

// ErrInjected marks errors from injected faults.
var ErrInjected = errors.New("flinksim: injected fault")
