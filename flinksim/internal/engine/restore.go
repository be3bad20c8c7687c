package engine

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/flinksim/go-flinksim/flinksim/internal/state"
	"github.com/flinksim/go-flinksim/snapshot"
)

// A checkpoint holds one file per stateful operator subtask and a
// metadata file that maps operator UIDs to those files. Restoring maps
// state by UID, so it works after the graph changed shape or parallelism.

const (
	metadataFile    = "metadata"
	metadataVersion = 1
)

// Metadata describes the operators of a checkpoint or savepoint.
type Metadata struct {
	Version      int                `json:"version"`
	CheckpointID int64              `json:"checkpoint_id"`
	Operators    []OperatorMetadata `json:"operators"`
}

// OperatorMetadata is one operator of a snapshot.
type OperatorMetadata struct {
	UID            string            `json:"uid"`
	Parallelism    int               `json:"parallelism"`
	MaxParallelism int               `json:"max_parallelism"`
	Subtasks       []SubtaskMetadata `json:"subtasks,omitempty"`
}

// SubtaskMetadata names the state file of one operator subtask.
type SubtaskMetadata struct {
	Subtask int    `json:"subtask"`
	File    string `json:"file"`
}

// Restore errors.
var (
	// ErrNonRestoredState: the snapshot has state of an operator the job
	// no longer has, and AllowNonRestoredState is off.
	ErrNonRestoredState = errors.New("flinksim: snapshot has state for operators not in the job")
	// ErrIncompatibleState: the snapshot cannot be mapped onto the job
	// (max parallelism changed, malformed metadata or state files, state
	// the operators' codecs do not decode). An attempt that fails with it
	// is not restarted: the same restore would fail again.
	ErrIncompatibleState = state.ErrIncompatible
)

// DecodeMetadata decodes a metadata file.
func DecodeMetadata(data []byte) (Metadata, error) {
	var md Metadata
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&md); err != nil {
		return md, fmt.Errorf("%w: metadata: %v", ErrIncompatibleState, err)
	}
	if dec.More() {
		return md, fmt.Errorf("%w: metadata: trailing data", ErrIncompatibleState)
	}
	if md.Version != metadataVersion {
		return md, fmt.Errorf("%w: metadata version %d, want %d", ErrIncompatibleState, md.Version, metadataVersion)
	}
	seen := make(map[string]bool)
	for _, op := range md.Operators {
		if op.UID == "" || seen[op.UID] || op.Parallelism < 1 || op.MaxParallelism < 1 || op.Parallelism > op.MaxParallelism {
			return md, fmt.Errorf("%w: metadata: bad operator %q (parallelism %d, max %d)", ErrIncompatibleState, op.UID, op.Parallelism, op.MaxParallelism)
		}
		seen[op.UID] = true
		for _, st := range op.Subtasks {
			if st.Subtask < 0 || st.Subtask >= op.Parallelism {
				return md, fmt.Errorf("%w: metadata: operator %q subtask %d of %d", ErrIncompatibleState, op.UID, st.Subtask, op.Parallelism)
			}
		}
	}
	return md, nil
}

// AssignRestore reads the snapshot r and hands every task the state of
// its operators: all keyed-state blobs of an operator (each subtask keeps
// its key groups), and the operator's list state dealt round-robin. It
// returns the checkpoint ID the snapshot was taken as.
func AssignRestore(eg *ExecutionGraph, r *snapshot.Reader, allowNonRestored bool) (int64, error) {
	md, err := assignRestore(eg, r, allowNonRestored)
	return md.CheckpointID, err
}

// readMetadata reads and decodes the metadata file of r.
func readMetadata(r *snapshot.Reader) (Metadata, error) {
	data, err := r.ReadFile(metadataFile)
	if err != nil {
		return Metadata{}, err
	}
	return DecodeMetadata(data)
}

// AdoptMaxParallelism gives every operator of g that has state in the
// snapshot r, and whose max parallelism was not set explicitly, the max
// parallelism it had in the snapshot, as Flink does: its key groups stay
// the same, so its keyed state restores at any parallelism up to it. Call
// it before the graph is expanded.
func AdoptMaxParallelism(g *Graph, r *snapshot.Reader) error {
	md, err := readMetadata(r)
	if err != nil {
		return err
	}
	byUID := make(map[string]OperatorMetadata, len(md.Operators))
	for _, op := range md.Operators {
		byUID[op.UID] = op
	}
	for _, v := range g.Vertices {
		op, ok := byUID[v.UID]
		if !ok || v.MaxParallelismSet || len(op.Subtasks) == 0 {
			continue
		}
		if v.Parallelism > op.MaxParallelism {
			return fmt.Errorf("%w: operator %q has parallelism %d, above the max parallelism %d of its state in the snapshot",
				ErrIncompatibleState, v.Name, v.Parallelism, op.MaxParallelism)
		}
		v.MaxParallelism = op.MaxParallelism
	}
	return nil
}

func assignRestore(eg *ExecutionGraph, r *snapshot.Reader, allowNonRestored bool) (Metadata, error) {
	md, err := readMetadata(r)
	if err != nil {
		return md, err
	}
	byUID := make(map[string]*Vertex, len(eg.Graph.Vertices))
	for _, v := range eg.Graph.Vertices {
		byUID[v.UID] = v
	}
	var missing []string
	states := make(map[*Vertex][]OperatorState)
	for _, op := range md.Operators {
		v, ok := byUID[op.UID]
		if !ok {
			if len(op.Subtasks) > 0 {
				missing = append(missing, op.UID)
			}
			continue
		}
		if v.MaxParallelism != op.MaxParallelism && len(op.Subtasks) > 0 && v.Keyed {
			return md, fmt.Errorf("%w: operator %q had max parallelism %d, now set to %d (key groups cannot change)",
				ErrIncompatibleState, op.UID, op.MaxParallelism, v.MaxParallelism)
		}
		list := make([]OperatorState, 0, len(op.Subtasks))
		for _, st := range op.Subtasks {
			b, err := r.ReadFile(st.File)
			if err != nil {
				return md, err
			}
			s, err := decodeOperatorState(b)
			if err != nil {
				return md, fmt.Errorf("operator %q subtask %d: %w", op.UID, st.Subtask, err)
			}
			list = append(list, s)
		}
		states[v] = list
	}
	if len(missing) > 0 && !allowNonRestored {
		slices.Sort(missing)
		return md, fmt.Errorf("%w: %q (allow non-restored state to skip them)", ErrNonRestoredState, missing)
	}
	for _, t := range eg.Tasks {
		t.restored = make([]*RestoredState, len(t.Members))
		t.restoredFrom = md.CheckpointID
		for i, v := range t.Members {
			if _, ok := states[v]; !ok {
				continue // new operator: starts empty
			}
			rs := &RestoredState{}
			var j int
			for _, s := range states[v] {
				if s.Keyed != nil {
					rs.Keyed = append(rs.Keyed, s.Keyed)
				}
				for _, e := range s.List {
					if j%v.Parallelism == t.Subtask {
						rs.List = append(rs.List, e)
					}
					j++
				}
			}
			t.restored[i] = rs
		}
	}
	return md, nil
}

// encodeOperatorState: uvarint length + keyed blob (length 0: none), then
// uvarint count + length-prefixed list entries.
func encodeOperatorState(s OperatorState) []byte {
	n := len(s.Keyed) + 2*binary.MaxVarintLen64
	for _, e := range s.List {
		n += len(e) + binary.MaxVarintLen64
	}
	buf := make([]byte, 0, n)
	buf = binary.AppendUvarint(buf, uint64(len(s.Keyed)))
	buf = append(buf, s.Keyed...)
	buf = binary.AppendUvarint(buf, uint64(len(s.List)))
	for _, e := range s.List {
		buf = binary.AppendUvarint(buf, uint64(len(e)))
		buf = append(buf, e...)
	}
	return buf
}

func decodeOperatorState(b []byte) (OperatorState, error) {
	var s OperatorState
	next := func(what string) ([]byte, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, fmt.Errorf("%w: bad %s length", ErrIncompatibleState, what)
		}
		v := b[w : w+int(n) : w+int(n)]
		b = b[w+int(n):]
		return v, nil
	}
	keyed, err := next("keyed state")
	if err != nil {
		return s, err
	}
	if len(keyed) > 0 {
		s.Keyed = keyed
	}
	count, w := binary.Uvarint(b)
	if w <= 0 || count > uint64(len(b)-w) {
		return s, fmt.Errorf("%w: bad list state count", ErrIncompatibleState)
	}
	b = b[w:]
	s.List = make([][]byte, 0, count)
	for range count {
		e, err := next("list entry")
		if err != nil {
			return s, err
		}
		s.List = append(s.List, e)
	}
	if len(b) != 0 {
		return s, fmt.Errorf("%w: %d trailing bytes", ErrIncompatibleState, len(b))
	}
	return s, nil
}
