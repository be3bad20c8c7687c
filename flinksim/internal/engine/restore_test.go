package engine

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestOperatorStateRoundTrip(t *testing.T) {
	for _, s := range []OperatorState{
		{},
		{Keyed: []byte("keyed")},
		{Lists: []NamedList{{Name: "splits", Entries: [][]byte{[]byte("a"), {}, []byte("ccc")}}}},
		{Keyed: []byte{1, 2, 3}, Lists: []NamedList{
			{Name: "u", Mode: RedistributeUnion, Entries: [][]byte{{4}}},
			{Name: "b", Mode: RedistributeBroadcast, Entries: [][]byte{}},
		}},
	} {
		got, err := decodeOperatorState(encodeOperatorState(s))
		require.NoError(t, err)
		assert.Equal(t, s.Keyed, got.Keyed)
		require.Equal(t, len(s.Lists), len(got.Lists))
		for i, l := range s.Lists {
			assert.Equal(t, l.Name, got.Lists[i].Name)
			assert.Equal(t, l.Mode, got.Lists[i].Mode)
			require.Equal(t, len(l.Entries), len(got.Lists[i].Entries))
			for j := range l.Entries {
				assert.Equal(t, string(l.Entries[j]), string(got.Lists[i].Entries[j]))
			}
		}
	}
}

func TestDecodeOperatorStateRejectsMalformedInput(t *testing.T) {
	good := encodeOperatorState(OperatorState{Keyed: []byte("k"), Lists: []NamedList{{Name: "l", Entries: [][]byte{[]byte("e")}}}})
	twice := encodeOperatorState(OperatorState{Lists: []NamedList{{Name: "l"}, {Name: "l"}}})
	badMode := encodeOperatorState(OperatorState{Lists: []NamedList{{Name: "l", Mode: 7}}})
	for _, bad := range [][]byte{nil, {0xff}, good[:len(good)-1], append(good, 0), {5, 1}, twice, badMode} {
		_, err := decodeOperatorState(bad)
		assert.ErrorIs(t, err, ErrIncompatibleState, "%x", bad)
	}
}

// TestDealState: each mode deals an operator's list state as Flink does.
// Split: each entry to exactly one new subtask, round-robin; union: all
// to all; broadcast: new subtask i gets old subtask i mod p's copy.
//
// Mutants this catches: union dealt as split (a subtask misses entries);
// broadcast taken from old subtask 0 always (subtask 1 of 2 gets the
// wrong copy); split counting per old subtask instead of across them
// (entries dealt twice).
func TestDealState(t *testing.T) {
	old := []OperatorState{
		{Lists: []NamedList{
			{Name: "s", Entries: [][]byte{[]byte("s0a"), []byte("s0b")}},
			{Name: "u", Mode: RedistributeUnion, Entries: [][]byte{[]byte("u0")}},
			{Name: "b", Mode: RedistributeBroadcast, Entries: [][]byte{[]byte("b0")}},
		}},
		{Lists: []NamedList{
			{Name: "s", Entries: [][]byte{[]byte("s1a")}},
			{Name: "u", Mode: RedistributeUnion, Entries: [][]byte{[]byte("u1")}},
			{Name: "b", Mode: RedistributeBroadcast, Entries: [][]byte{[]byte("b1")}},
		}},
	}
	strs := func(bs [][]byte) []string {
		out := make([]string, len(bs))
		for i, b := range bs {
			out[i] = string(b)
		}
		return out
	}
	var split []string
	for sub := range 3 {
		rs, err := dealState(old, sub, 3)
		require.NoError(t, err)
		s, mode, ok := rs.List("s")
		if sub < 3 && len(s) > 0 {
			require.True(t, ok)
			assert.Equal(t, RedistributeSplit, mode)
		}
		split = append(split, strs(s)...)
		u, _, _ := rs.List("u")
		assert.Equal(t, []string{"u0", "u1"}, strs(u), "union, subtask %d", sub)
		b, _, _ := rs.List("b")
		assert.Equal(t, []string{[]string{"b0", "b1"}[sub%2]}, strs(b), "broadcast, subtask %d", sub)
	}
	assert.ElementsMatch(t, []string{"s0a", "s0b", "s1a"}, split, "split: each entry once")

	mixed := []OperatorState{{Lists: []NamedList{{Name: "x"}}}, {Lists: []NamedList{{Name: "x", Mode: RedistributeUnion}}}}
	_, err := dealState(mixed, 0, 1)
	assert.ErrorIs(t, err, ErrIncompatibleState)
}

func TestDecodeMetadataValidates(t *testing.T) {
	good := Metadata{Version: metadataVersion, CheckpointID: 3, Operators: []OperatorMetadata{
		{UID: "src", Parallelism: 2, MaxParallelism: 128, Subtasks: []SubtaskMetadata{{Subtask: 1, File: "op0-1"}}},
	}}
	b, err := json.Marshal(good)
	require.NoError(t, err)
	md, err := DecodeMetadata(b)
	require.NoError(t, err)
	assert.Equal(t, good, md)
	for name, mutate := range map[string]func(*Metadata){
		"version":          func(m *Metadata) { m.Version = 99 },
		"format 1":         func(m *Metadata) { m.Version = 1 },
		"empty uid":        func(m *Metadata) { m.Operators[0].UID = "" },
		"duplicate uid":    func(m *Metadata) { m.Operators = append(m.Operators, m.Operators[0]) },
		"parallelism":      func(m *Metadata) { m.Operators[0].Parallelism = 0 },
		"above max":        func(m *Metadata) { m.Operators[0].Parallelism = 200 },
		"subtask range":    func(m *Metadata) { m.Operators[0].Subtasks[0].Subtask = 2 },
		"negative subtask": func(m *Metadata) { m.Operators[0].Subtasks[0].Subtask = -1 },
	} {
		m := good
		m.Operators = append([]OperatorMetadata(nil), good.Operators...)
		m.Operators[0].Subtasks = append([]SubtaskMetadata(nil), good.Operators[0].Subtasks...)
		mutate(&m)
		b, err := json.Marshal(m)
		require.NoError(t, err)
		_, err = DecodeMetadata(b)
		assert.ErrorIs(t, err, ErrIncompatibleState, name)
	}
	for _, bad := range []string{"", "{", `{"version":1,"unknown":2}`, `{"version":1} {}`} {
		_, err := DecodeMetadata([]byte(bad))
		assert.ErrorIs(t, err, ErrIncompatibleState, bad)
	}
}

func FuzzDecodeOperatorState(f *testing.F) {
	f.Add(encodeOperatorState(OperatorState{}))
	f.Add(encodeOperatorState(OperatorState{Keyed: []byte("k"), Lists: []NamedList{{Name: "l", Mode: RedistributeUnion, Entries: [][]byte{[]byte("a"), []byte("bb")}}}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeOperatorState(b)
		if err != nil {
			if !errors.Is(err, ErrIncompatibleState) {
				t.Fatalf("error %v does not match ErrIncompatibleState", err)
			}
			return
		}
		again, err := decodeOperatorState(encodeOperatorState(s))
		if err != nil || string(again.Keyed) != string(s.Keyed) || len(again.Lists) != len(s.Lists) {
			t.Fatalf("re-encoding changed the state: %v", err)
		}
	})
}

func FuzzDecodeMetadata(f *testing.F) {
	b, _ := json.Marshal(Metadata{Version: metadataVersion, CheckpointID: 1, Operators: []OperatorMetadata{
		{UID: "a", Parallelism: 1, MaxParallelism: 128, Subtasks: []SubtaskMetadata{{Subtask: 0, File: "op0-0"}}}}})
	f.Add(b)
	f.Add([]byte(`{"version":1,"operators":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		md, err := DecodeMetadata(b)
		if err != nil {
			return
		}
		for _, op := range md.Operators {
			if op.Parallelism < 1 || op.Parallelism > op.MaxParallelism {
				t.Fatalf("accepted parallelism %d of max %d", op.Parallelism, op.MaxParallelism)
			}
			for _, st := range op.Subtasks {
				if st.Subtask < 0 || st.Subtask >= op.Parallelism {
					t.Fatalf("accepted subtask %d of %d", st.Subtask, op.Parallelism)
				}
			}
		}
	})
}
