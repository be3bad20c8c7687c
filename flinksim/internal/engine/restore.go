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
	metadataFile = "metadata"
	// metadataVersion is the snapshot format: 2 has named operator list
	// states with their redistribution modes. Format 1 (one anonymous
	// list per operator) is refused with a clear error.
	metadataVersion = 2
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
	if md.Version == 1 {
		return md, fmt.Errorf("%w: snapshot format 1, written by an earlier version of flinksim, whose operator state this version cannot map (it reads format %d); start the job without state", ErrIncompatibleState, metadataVersion)
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
			rs, err := dealState(states[v], t.Subtask, v.Parallelism)
			if err != nil {
				return md, fmt.Errorf("operator %q: %w", v.UID, err)
			}
			t.restored[i] = rs
		}
	}
	return md, nil
}

// dealState gives subtask (of parallelism) its share of the states of an
// operator's old subtasks: every keyed blob (the backend picks its key
// groups), and of each list state what its mode deals it.
func dealState(old []OperatorState, subtask, parallelism int) (*RestoredState, error) {
	rs := &RestoredState{}
	index := make(map[string]int) // name -> position in rs.Lists
	seen := make(map[string]int)  // name -> split entries dealt so far
	for k, s := range old {
		if s.Keyed != nil {
			rs.Keyed = append(rs.Keyed, s.Keyed)
		}
		for _, l := range s.Lists {
			i, ok := index[l.Name]
			if !ok {
				i = len(rs.Lists)
				index[l.Name] = i
				rs.Lists = append(rs.Lists, NamedList{Name: l.Name, Mode: l.Mode})
			}
			into := &rs.Lists[i]
			if into.Mode != l.Mode {
				return nil, fmt.Errorf("%w: list state %q is %v in one subtask, %v in another", ErrIncompatibleState, l.Name, into.Mode, l.Mode)
			}
			switch l.Mode {
			case RedistributeSplit:
				for _, e := range l.Entries {
					if seen[l.Name]%parallelism == subtask {
						into.Entries = append(into.Entries, e)
					}
					seen[l.Name]++
				}
			case RedistributeUnion:
				into.Entries = append(into.Entries, l.Entries...)
			case RedistributeBroadcast:
				if k == broadcastSource(old, l.Name, subtask) {
					into.Entries = append(into.Entries, l.Entries...)
				}
			default:
				return nil, fmt.Errorf("%w: list state %q has mode %v", ErrIncompatibleState, l.Name, l.Mode)
			}
		}
	}
	return rs, nil
}

// broadcastSource returns the old subtask whose copy of broadcast list
// name a new subtask gets: old subtask subtask mod the old parallelism, if
// it recorded the list, else the first that did — a broadcast state that
// only one subtask snapshots (its copies being equal) reaches every new
// subtask.
func broadcastSource(old []OperatorState, name string, subtask int) int {
	has := func(s OperatorState) bool {
		for _, l := range s.Lists {
			if l.Name == name {
				return true
			}
		}
		return false
	}
	if k := subtask % len(old); has(old[k]) {
		return k
	}
	for k, s := range old {
		if has(s) {
			return k
		}
	}
	return -1
}

// encodeOperatorState writes a subtask's state file (format 2):
//
//	keyed   uvarint length, then the keyed-state blob (length 0: none)
//	lists   uvarint count, then per list state: uvarint name length, name,
//	        mode byte (0 split, 1 union, 2 broadcast), uvarint entry
//	        count, then each entry as uvarint length and bytes
func encodeOperatorState(s OperatorState) []byte {
	n := len(s.Keyed) + 2*binary.MaxVarintLen64
	for _, l := range s.Lists {
		n += len(l.Name) + 1 + 2*binary.MaxVarintLen64
		for _, e := range l.Entries {
			n += len(e) + binary.MaxVarintLen64
		}
	}
	buf := make([]byte, 0, n)
	buf = binary.AppendUvarint(buf, uint64(len(s.Keyed)))
	buf = append(buf, s.Keyed...)
	buf = binary.AppendUvarint(buf, uint64(len(s.Lists)))
	for _, l := range s.Lists {
		buf = binary.AppendUvarint(buf, uint64(len(l.Name)))
		buf = append(buf, l.Name...)
		buf = append(buf, byte(l.Mode))
		buf = binary.AppendUvarint(buf, uint64(len(l.Entries)))
		for _, e := range l.Entries {
			buf = binary.AppendUvarint(buf, uint64(len(e)))
			buf = append(buf, e...)
		}
	}
	return buf
}

// decodeOperatorState reads a state file; every count and length is
// bounded by the bytes left, so it allocates no more than b justifies.
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
	count := func(what string) (int, error) {
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) { // each item takes a byte at least
			return 0, fmt.Errorf("%w: bad %s count", ErrIncompatibleState, what)
		}
		b = b[w:]
		return int(n), nil
	}
	keyed, err := next("keyed state")
	if err != nil {
		return s, err
	}
	if len(keyed) > 0 {
		s.Keyed = keyed
	}
	nl, err := count("list state")
	if err != nil {
		return s, err
	}
	names := make(map[string]bool, nl)
	for range nl {
		name, err := next("list state name")
		if err != nil {
			return s, err
		}
		if names[string(name)] {
			return s, fmt.Errorf("%w: list state %q twice", ErrIncompatibleState, name)
		}
		names[string(name)] = true
		if len(b) == 0 || b[0] > byte(RedistributeBroadcast) {
			return s, fmt.Errorf("%w: list state %q has no valid mode", ErrIncompatibleState, name)
		}
		l := NamedList{Name: string(name), Mode: Redistribution(b[0])}
		b = b[1:]
		ne, err := count("list entry")
		if err != nil {
			return s, err
		}
		l.Entries = make([][]byte, 0, ne)
		for range ne {
			e, err := next("list entry")
			if err != nil {
				return s, err
			}
			l.Entries = append(l.Entries, e)
		}
		s.Lists = append(s.Lists, l)
	}
	if len(b) != 0 {
		return s, fmt.Errorf("%w: %d trailing bytes", ErrIncompatibleState, len(b))
	}
	return s, nil
}
