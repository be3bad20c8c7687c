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
		{List: [][]byte{[]byte("a"), {}, []byte("ccc")}},
		{Keyed: []byte{1, 2, 3}, List: [][]byte{{4}}},
	} {
		got, err := decodeOperatorState(encodeOperatorState(s))
		require.NoError(t, err)
		assert.Equal(t, s.Keyed, got.Keyed)
		assert.Equal(t, len(s.List), len(got.List))
		for i := range s.List {
			assert.Equal(t, string(s.List[i]), string(got.List[i]))
		}
	}
}

func TestDecodeOperatorStateRejectsMalformedInput(t *testing.T) {
	good := encodeOperatorState(OperatorState{Keyed: []byte("k"), List: [][]byte{[]byte("e")}})
	for _, bad := range [][]byte{nil, {0xff}, good[:len(good)-1], append(good, 0), {5, 1}} {
		_, err := decodeOperatorState(bad)
		assert.ErrorIs(t, err, ErrIncompatibleState, "%x", bad)
	}
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
	f.Add(encodeOperatorState(OperatorState{Keyed: []byte("k"), List: [][]byte{[]byte("a"), []byte("bb")}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := decodeOperatorState(b)
		if err != nil {
			if !errors.Is(err, ErrIncompatibleState) {
				t.Fatalf("error %v does not match ErrIncompatibleState", err)
			}
			return
		}
		again, err := decodeOperatorState(encodeOperatorState(s))
		if err != nil || string(again.Keyed) != string(s.Keyed) || len(again.List) != len(s.List) {
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
