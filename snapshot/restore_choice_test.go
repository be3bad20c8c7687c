package snapshot

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestChooseRestore: the three restore types of the managed service, on
// a first start (no snapshot: every type starts empty) and after.
//
// Mutants this catches: latest chosen by name instead of time ("b" wins
// over the newer "a"); a first start with a custom name failing instead
// of starting empty.
func TestChooseRestore(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	store, err := NewStore(NewMemFS(), StoreOptions{Clock: func() time.Time { return now }})
	require.NoError(t, err)
	for _, typ := range []RestoreType{RestoreFromLatestSnapshot, RestoreFromCustomSnapshot, SkipRestoreFromSnapshot} {
		ref, err := store.ChooseRestore(typ, "anything")
		require.NoError(t, err, "%s on a first start", typ)
		assert.Empty(t, ref, "%s on a first start", typ)
	}
	for _, name := range []string{"b", "a"} { // "a" is the newer
		w, err := store.BeginSavepoint(name)
		require.NoError(t, err)
		_, err = w.Commit(nil)
		require.NoError(t, err)
		now = now.Add(time.Minute)
	}
	for _, c := range []struct {
		typ  RestoreType
		name string
		ref  string
		err  error
	}{
		{RestoreFromLatestSnapshot, "", "savepoints/a", nil},
		{RestoreFromCustomSnapshot, "b", "savepoints/b", nil},
		{RestoreFromCustomSnapshot, "c", "", ErrNotFound},
		{RestoreFromCustomSnapshot, "", "", ErrInvalidRestore},
		{SkipRestoreFromSnapshot, "b", "", nil},
		{"RESTORE_FROM_NOWHERE", "", "", ErrInvalidRestore},
	} {
		ref, err := store.ChooseRestore(c.typ, c.name)
		assert.ErrorIs(t, err, c.err, "%s %q", c.typ, c.name)
		assert.Equal(t, c.ref, ref, "%s %q", c.typ, c.name)
	}
}
