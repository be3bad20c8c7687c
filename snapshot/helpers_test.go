package snapshot

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testTime = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// fsKinds are the filesystems every store test runs on.
var fsKinds = []struct {
	name string
	new  func(t *testing.T) FS
}{
	{"MemFS", func(*testing.T) FS { return NewMemFS() }},
	{"DirFS", func(t *testing.T) FS { return DirFS(t.TempDir()) }},
	{"FaultyFS", func(*testing.T) FS { return NewFaultyFS(NewMemFS()) }},
}

// newTestStore opens a store with a fixed clock unless opts has one.
func newTestStore(t *testing.T, fsys FS, opts StoreOptions) *Store {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return testTime }
	}
	s, err := NewStore(fsys, opts)
	require.NoError(t, err)
	return s
}

// snapshotFiles returns distinct contents for a snapshot labelled label.
func snapshotFiles(label string) map[string][]byte {
	return map[string][]byte{
		"operator-a": []byte("state of operator a in " + label),
		"operator-b": []byte("state of operator b in " + label),
		"empty":      {},
	}
}

// writeAll writes files in name order, then commits; on an error it aborts
// and returns the error.
func writeAll(w *Writer, files map[string][]byte, props map[string]string) (Manifest, error) {
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := w.WriteFile(name, files[name]); err != nil {
			return Manifest{}, fmt.Errorf("%w (abort: %v)", err, w.Abort())
		}
	}
	return w.Commit(props)
}

func writeCheckpoint(t *testing.T, s *Store, id int64, files map[string][]byte) Manifest {
	t.Helper()
	w, err := s.BeginCheckpoint(id)
	require.NoError(t, err)
	m, err := writeAll(w, files, nil)
	require.NoError(t, err)
	return m
}

func writeSavepoint(t *testing.T, s *Store, name string, files map[string][]byte) Manifest {
	t.Helper()
	w, err := s.BeginSavepoint(name)
	require.NoError(t, err)
	m, err := writeAll(w, files, nil)
	require.NoError(t, err)
	return m
}

// requireContents checks that r's snapshot holds exactly files.
func requireContents(t *testing.T, r *Reader, files map[string][]byte) {
	t.Helper()
	var names []string
	for _, f := range r.Manifest().Files {
		names = append(names, f.Name)
	}
	require.Equal(t, slices.Sorted(maps.Keys(files)), names)
	for name, want := range files {
		got, err := r.ReadFile(name)
		require.NoError(t, err, name)
		require.Equal(t, want, got, name)
	}
}

func checkpointIDsOf(manifests []Manifest) []int64 {
	ids := []int64{}
	for _, m := range manifests {
		ids = append(ids, m.CheckpointID)
	}
	return ids
}

func readRaw(t *testing.T, fsys FS, name string) []byte {
	t.Helper()
	f, err := fsys.Open(name)
	require.NoError(t, err)
	defer f.Close()
	data, err := io.ReadAll(f)
	require.NoError(t, err)
	return data
}

func writeRaw(t *testing.T, fsys FS, name string, data []byte) {
	t.Helper()
	f, err := fsys.Create(name)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, f.Close())
}
