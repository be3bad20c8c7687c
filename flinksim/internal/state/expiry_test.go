package state

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/flinksim/go-flinksim/flinksim/internal/keygroup"
)

// expiringCounts registers "count" on b as a table with Expiry whose
// snapshots keep the values above *floor.
func expiringCounts(t *testing.T, b *Backend[string], floor *int64) *Map[string, int64] {
	t.Helper()
	m, err := Register(b, "count", "value", func() *Map[string, int64] {
		m := NewMap(b, "count", Codec[int64](int64Codec{}))
		m.SetExpiry(Expiry[int64]{Declared: reflect.TypeFor[int32](), Config: "ttl",
			Unexpired: func() func(int64) (int64, bool) {
				f := *floor
				return func(v int64) (int64, bool) { return v, v > f }
			}})
		return m
	})
	require.NoError(t, err)
	return m
}

// TestExpirySnapshotLeavesOutExpired: a table with Expiry writes only the
// values its filter keeps, in every key group, and describes itself as
// state of the declared type "with TTL"; a restore into a table without
// Expiry, or the reverse, is refused even with a trusted codec, while one
// into a table with Expiry restores the kept entries.
//
// Mutants: appendGroup ignoring the expiry (1000 keys restored); the count
// written before filtering (corrupt blob); describe without " with TTL";
// the TTL check dropped (the trusted restore succeeds) — each fails this
// test.
func TestExpirySnapshotLeavesOutExpired(t *testing.T) {
	full := keygroup.Range{Start: 0, End: maxP - 1}
	floor := int64(-1)
	b := NewBackend[string](full, stringCodec{})
	m := expiringCounts(t, b, &floor)
	for i := range 1000 {
		k := "k" + strconv.Itoa(i)
		b.SetCurrentKey(k, kgOf(k))
		m.Put(int64(i))
	}
	floor = 599 // 600 of the values "expire"
	blob := snap(t, b)

	c := NewBackend[string](full, stringCodec{})
	require.NoError(t, c.Restore([][]byte{blob}))
	restored := expiringCounts(t, c, &floor)
	assert.Equal(t, 400, restored.Keys())
	for i := range 1000 {
		k := "k" + strconv.Itoa(i)
		c.SetCurrentKey(k, kgOf(k))
		v, ok := restored.Get()
		assert.Equal(t, i > 599, ok, k)
		if ok {
			assert.Equal(t, int64(i), v)
		}
	}
	described := NewBackend[string](full, stringCodec{})
	require.NoError(t, described.Restore([][]byte{blob}))
	assert.Equal(t, "value state of int32 with TTL", described.restoredType["count"])

	plain := NewBackend[string](full, stringCodec{})
	require.NoError(t, plain.Restore([][]byte{blob}))
	_, err := Register(plain, "count", "value", func() *Map[string, int64] {
		m := NewMap(plain, "count", Codec[int64](int64Codec{}))
		m.TrustCodec()
		return m
	})
	require.ErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), `state "count" was value state of int32 with TTL in the snapshot, is declared value state of int64 (a restored state cannot gain or lose its time to live`)

	back := NewBackend[string](full, stringCodec{})
	require.NoError(t, back.Restore([][]byte{snap(t, fill(t, 10))}))
	_, err = Register(back, "count", "value", func() *Map[string, int64] {
		m := NewMap(back, "count", Codec[int64](int64Codec{}))
		m.SetExpiry(Expiry[int64]{Declared: reflect.TypeFor[int64](), Unexpired: func() func(int64) (int64, bool) { return nil }})
		m.TrustCodec()
		return m
	})
	require.ErrorIs(t, err, ErrIncompatible)
	assert.Contains(t, err.Error(), "was value state of int64 in the snapshot, is declared value state of int64 with TTL")
}
