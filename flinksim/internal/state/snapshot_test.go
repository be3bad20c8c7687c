package state

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

type stringCodec struct{}

func (stringCodec) Append(dst []byte, v string) []byte { return append(dst, v...) }
func (stringCodec) Decode(src []byte) (string, error)  { return string(src), nil }

type int64Codec struct{}

func (int64Codec) Append(dst []byte, v int64) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(v))
}
func (int64Codec) Decode(src []byte) (int64, error) {
	if len(src) != 8 {
		return 0, fmt.Errorf("want 8 bytes, got %d", len(src))
	}
	return int64(binary.BigEndian.Uint64(src)), nil
}

const maxP = 128

func kgOf(k string) int { return keygroup.Of([]byte(k), maxP) }

// fill makes a backend over all key groups with n keys in two states.
func fill(t *testing.T, n int) *Backend[string] {
	b := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
	counts, err := Register(b, "count", "value", func() *Map[string, int64] { return NewMap(b, "count", Codec[int64](int64Codec{})) })
	require.NoError(t, err)
	names, err := Register(b, "name", "value", func() *Map[string, string] { return NewMap(b, "name", Codec[string](stringCodec{})) })
	require.NoError(t, err)
	for i := 0; i < n; i++ {
		k := "k" + strconv.Itoa(i)
		b.SetCurrentKey(k, kgOf(k))
		counts.Put(int64(i))
		if i%2 == 0 {
			names.Put("n" + k)
		}
	}
	return b
}

func TestSnapshotRestoreAtEveryParallelism(t *testing.T) {
	const n = 1000
	blob := fill(t, n).Snapshot()
	for p := 1; p <= 5; p++ {
		seen := 0
		for i := 0; i < p; i++ {
			r := keygroup.RangeFor(i, p, maxP)
			b := NewBackend[string](r, stringCodec{})
			require.NoError(t, b.Restore([][]byte{blob}))
			counts, err := Register(b, "count", "value", func() *Map[string, int64] { return NewMap(b, "count", Codec[int64](int64Codec{})) })
			require.NoError(t, err)
			names, err := Register(b, "name", "value", func() *Map[string, string] { return NewMap(b, "name", Codec[string](stringCodec{})) })
			require.NoError(t, err)
			seen += counts.Keys()
			for j := 0; j < n; j++ {
				k := "k" + strconv.Itoa(j)
				if !r.Contains(kgOf(k)) {
					continue
				}
				b.SetCurrentKey(k, kgOf(k))
				v, ok := counts.Get()
				require.True(t, ok, k)
				assert.Equal(t, int64(j), v)
				name, ok := names.Get()
				assert.Equal(t, j%2 == 0, ok)
				if ok {
					assert.Equal(t, "n"+k, name)
				}
			}
		}
		assert.Equal(t, n, seen, "parallelism %d: every key restored exactly once", p)
	}
}

func TestUnregisteredRestoredStateSurvivesSnapshot(t *testing.T) {
	blob := fill(t, 50).Snapshot()
	b := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
	require.NoError(t, b.Restore([][]byte{blob}))
	_, err := Register(b, "count", "value", func() *Map[string, int64] { return NewMap(b, "count", Codec[int64](int64Codec{})) })
	require.NoError(t, err)
	again := b.Snapshot() // "name" was never registered
	c := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
	require.NoError(t, c.Restore([][]byte{again}))
	names, err := Register(c, "name", "value", func() *Map[string, string] { return NewMap(c, "name", Codec[string](stringCodec{})) })
	require.NoError(t, err)
	assert.Equal(t, 25, names.Keys())
}

func TestRestoreCorruptBlobs(t *testing.T) {
	blob := fill(t, 20).Snapshot()
	for _, bad := range [][]byte{
		nil,
		{2},
		blob[:len(blob)/2],
		append([]byte{1}, binary.AppendUvarint(nil, 1<<40)...),
	} {
		b := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
		assert.ErrorIs(t, b.Restore([][]byte{bad}), ErrCorruptState)
	}
	// A value the codec rejects surfaces when the state registers.
	b := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
	require.NoError(t, b.Restore([][]byte{blob}))
	_, err := Register(b, "name", "value", func() *Map[string, int64] { return NewMap(b, "name", Codec[int64](int64Codec{})) })
	assert.ErrorContains(t, err, `restore state "name"`)
}

func FuzzRestore(f *testing.F) {
	f.Add(NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{}).Snapshot())
	b := NewBackend[string](keygroup.Range{Start: 0, End: maxP - 1}, stringCodec{})
	m, _ := Register(b, "count", "value", func() *Map[string, int64] { return NewMap(b, "count", Codec[int64](int64Codec{})) })
	for i := 0; i < 5; i++ {
		k := strconv.Itoa(i)
		b.SetCurrentKey(k, kgOf(k))
		m.Put(int64(i))
	}
	f.Add(b.Snapshot())
	f.Fuzz(func(t *testing.T, blob []byte) {
		b := NewBackend[string](keygroup.Range{Start: 3, End: 70}, stringCodec{})
		if err := b.Restore([][]byte{blob}); err != nil {
			return
		}
		m, err := Register(b, "count", "value", func() *Map[string, int64] { return NewMap(b, "count", Codec[int64](int64Codec{})) })
		if err != nil {
			return
		}
		_ = b.Snapshot()
		_ = m.Keys()
	})
}
