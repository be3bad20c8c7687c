package flinksim

import (
	"fmt"
	"reflect"

	"github.com/flinksim/go-flinksim/flinksim/internal/engine"
)

// Redistribution is how an operator list state is dealt out to the
// subtasks when a job restores, maybe at another parallelism, as Flink's
// operator state modes.
type Redistribution uint8

// Redistribution modes.
const (
	// RedistributeSplit deals the elements of every subtask's list
	// round-robin over the new subtasks, each element to one of them, as
	// Flink's getListState: for work that can be divided (the splits of a
	// source are kept this way).
	RedistributeSplit = Redistribution(engine.RedistributeSplit)
	// RedistributeUnion gives every new subtask the elements of every old
	// subtask's list, as Flink's getUnionListState: each subtask picks
	// what it needs and keeps only that (a subtask that keeps it all
	// snapshots it all, and the next restore gives every subtask p
	// copies).
	RedistributeUnion = Redistribution(engine.RedistributeUnion)
	// RedistributeBroadcast is for a list every subtask holds the same
	// copy of, as Flink's broadcast state: each new subtask gets one old
	// subtask's copy (subtask i that of old subtask i mod the old
	// parallelism).
	RedistributeBroadcast = Redistribution(engine.RedistributeBroadcast)
)

func (r Redistribution) String() string { return engine.Redistribution(r).String() }

// OperatorListState is operator state: a list of values per subtask, not
// per key, as Flink's operator ListState. Checkpoints and savepoints
// record every subtask's list; a restore deals the lists out by the
// state's Redistribution. Like keyed state, it is used only by the
// subtask that declared it.
type OperatorListState[T any] interface {
	// Get returns the list. It is the state's own slice: do not change it,
	// nor keep it past the next Update, Add or Clear.
	Get() []T
	// Update replaces the list with vs.
	Update(vs []T)
	// Add appends v to the list.
	Add(v T)
	// Clear empties the list.
	Clear()
}

// NewOperatorListState declares an operator list state named name with
// redistribution mode mode. Its values are encoded in snapshots with
// CodecFor[T], or the codec of a WithCodec[T] option. Declare it in the
// function that opens the operator (a SinkTo or SinkTwoPhase open, a
// Process open): when the job restores, the list holds this subtask's
// share. A restored state declared with another mode or type, or whose
// values do not decode, fails the restore (ErrIncompatibleState).
func NewOperatorListState[T any](rt *RuntimeContext, name string, mode Redistribution, opts ...StateOption) OperatorListState[T] {
	sc := newStateCodecs(name, opts)
	s := &operatorList[T]{name: name, mode: mode, codec: codecOf[T](sc)}
	err := sc.err()
	switch {
	case name == "":
		err = fmt.Errorf("%w: operator list state without a name (state names are how snapshots find it)", ErrInvalidConfig)
	case mode > RedistributeBroadcast:
		err = fmt.Errorf("%w: operator list state %q with mode %v", ErrInvalidConfig, name, mode)
	case reserved[name]:
		err = fmt.Errorf("%w: operator list state name %q is the runtime's", ErrInvalidConfig, name)
	}
	if err == nil {
		err = rt.lists.declare(rt.op.Restored, s)
	}
	if err != nil {
		rt.declared(err)
	}
	return s
}

// operatorList is an OperatorListState.
type operatorList[T any] struct {
	name  string
	mode  Redistribution
	codec Codec[T]
	vs    []T
}

func (s *operatorList[T]) Get() []T      { return s.vs }
func (s *operatorList[T]) Update(vs []T) { s.vs = append(s.vs[:0], vs...) }
func (s *operatorList[T]) Add(v T)       { s.vs = append(s.vs, v) }
func (s *operatorList[T]) Clear()        { s.vs = s.vs[:0] }

func (s *operatorList[T]) listName() string         { return s.name }
func (s *operatorList[T]) listMode() Redistribution { return s.mode }
func (s *operatorList[T]) valueType() reflect.Type  { return reflect.TypeFor[T]() }
func (s *operatorList[T]) restore(entries [][]byte) error {
	s.vs = make([]T, 0, len(entries))
	for _, e := range entries {
		v, err := s.codec.Decode(e)
		if err != nil {
			return fmt.Errorf("%w: operator list state %q: %w", ErrIncompatibleState, s.name, err)
		}
		s.vs = append(s.vs, v)
	}
	return nil
}

func (s *operatorList[T]) snapshot() (engine.NamedList, error) {
	l := engine.NamedList{Name: s.name, Mode: engine.Redistribution(s.mode), Entries: make([][]byte, len(s.vs))}
	for i, v := range s.vs {
		b, err := s.codec.Append(nil, v)
		if err != nil {
			return l, fmt.Errorf("operator list state %q: %w", s.name, err)
		}
		l.Entries[i] = b
	}
	return l, nil
}

// list is what operatorLists needs of an operatorList of any type.
type list interface {
	listName() string
	listMode() Redistribution
	valueType() reflect.Type
	restore(entries [][]byte) error
	snapshot() (engine.NamedList, error)
}

// operatorLists holds an operator's list states; the zero value has none.
type operatorLists struct {
	declared []list
}

// declare adds l, filling it from the restored state if it has l's name.
func (o *operatorLists) declare(restored *engine.RestoredState, l list) error {
	for _, d := range o.declared {
		if d.listName() == l.listName() {
			return fmt.Errorf("%w: operator list state %q declared twice", ErrStateConflict, l.listName())
		}
	}
	if restored != nil {
		if entries, mode, ok := restored.List(l.listName()); ok {
			if Redistribution(mode) != l.listMode() {
				return fmt.Errorf("%w: operator list state %q was %v, is declared %v", ErrIncompatibleState, l.listName(), Redistribution(mode), l.listMode())
			}
			if err := l.restore(entries); err != nil {
				return err
			}
		}
	}
	o.declared = append(o.declared, l)
	return nil
}

// snapshot returns the declared lists, and the restored ones nobody
// declared, kept as they were so a restore that does not use a state does
// not lose it: a split or broadcast list by every subtask that has one, a
// union list — which every subtask got whole — by subtask 0 alone, so it
// does not multiply.
func (o *operatorLists) snapshot(restored *engine.RestoredState, subtask int) ([]engine.NamedList, error) {
	var out []engine.NamedList
	names := make(map[string]bool, len(o.declared))
	for _, d := range o.declared {
		names[d.listName()] = true
		if _, once := d.(interface{ snapshotBySubtask0() }); once && subtask != 0 {
			continue // broadcast state: subtask 0's copy is every subtask's
		}
		l, err := d.snapshot()
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	if restored != nil {
		for _, l := range restored.Lists {
			if !names[l.Name] && !reserved[l.Name] && (l.Mode != engine.RedistributeUnion || subtask == 0) {
				out = append(out, l)
			}
		}
	}
	return out, nil
}

// reserved are the names of list states the runtime's own operators keep
// (a source's splits, a sink's transactions), which they snapshot
// themselves.
var reserved = map[string]bool{splitsState: true, transactionsState: true}
