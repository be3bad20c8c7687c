package snapshot

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestOpenPath: a savepoint written to a store over a directory opens by
// its path alone, reads back what was written, and opening it creates or
// removes nothing in the store (an in-progress snapshot stays).
func TestOpenPath(t *testing.T) {
	root := t.TempDir()
	store, err := NewStore(DirFS(root), StoreOptions{})
	require.NoError(t, err)
	w, err := store.BeginSavepoint("sp")
	require.NoError(t, err)
	require.NoError(t, w.WriteFile("data", []byte("hello")))
	_, err = w.Commit(nil)
	require.NoError(t, err)
	inProgress, err := store.BeginSavepoint("writing")
	require.NoError(t, err)
	defer inProgress.Abort()
	before, err := os.ReadDir(filepath.Join(root, "savepoints"))
	require.NoError(t, err)

	r, err := OpenPath(filepath.Join(root, "savepoints", "sp"))
	require.NoError(t, err)
	data, err := r.ReadFile("data")
	require.NoError(t, err)
	assert.Equal(t, "hello", string(data))
	assert.Equal(t, "savepoints/sp", r.Manifest().Ref())
	after, err := os.ReadDir(filepath.Join(root, "savepoints"))
	require.NoError(t, err)
	assert.Equal(t, len(before), len(after), "OpenPath changed the store")

	_, err = OpenPath(filepath.Join(root, "savepoints", "missing"))
	assert.True(t, errors.Is(err, ErrNotFound), "%v", err)
	_, err = OpenPath(filepath.Join(root, "elsewhere"))
	assert.True(t, errors.Is(err, ErrInvalidName), "%v", err)
}

// TestKeepExemptsFromRetention: a kept checkpoint survives newer ones past
// RetainedCheckpoints; the others are removed as before.
//
// Mutant this catches: retention ignoring kept (checkpoint 1 removed).
func TestKeepExemptsFromRetention(t *testing.T) {
	store, err := NewStore(NewMemFS(), StoreOptions{RetainedCheckpoints: 1})
	require.NoError(t, err)
	write := func(id int64) string {
		w, err := store.BeginCheckpoint(id)
		require.NoError(t, err)
		m, err := w.Commit(nil)
		require.NoError(t, err)
		return m.Ref()
	}
	first := write(1)
	require.NoError(t, store.Keep(first))
	write(2)
	write(3)
	ms, err := store.ListCheckpoints()
	require.NoError(t, err)
	var refs []string
	for _, m := range ms {
		refs = append(refs, m.Ref())
	}
	assert.Equal(t, []string{first, "checkpoints/chk-00000000000000000003"}, refs)
	assert.ErrorIs(t, store.Keep("savepoints/x"), ErrInvalidName)
}
