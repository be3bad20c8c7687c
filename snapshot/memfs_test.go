package snapshot

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemFSCrashClone(t *testing.T) {
	tests := []struct {
		name  string
		steps func(t *testing.T, m *MemFS)
		want  map[string]string // surviving files and their contents
	}{
		{"nothing synced", func(t *testing.T, m *MemFS) {
			writeUnsynced(t, m, "f", "data")
		}, map[string]string{}},
		{"data synced, entry not", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "f", []byte("data"))
		}, map[string]string{}},
		{"entry synced, data not", func(t *testing.T, m *MemFS) {
			writeUnsynced(t, m, "f", "data")
			require.NoError(t, m.SyncDir("."))
		}, map[string]string{"f": ""}},
		{"both synced", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "f", []byte("data"))
			require.NoError(t, m.SyncDir("."))
		}, map[string]string{"f": "data"}},
		{"writes after sync are lost", func(t *testing.T, m *MemFS) {
			f, err := m.Create("f")
			require.NoError(t, err)
			_, err = f.Write([]byte("kept"))
			require.NoError(t, err)
			require.NoError(t, f.Sync())
			_, err = f.Write([]byte(" lost"))
			require.NoError(t, err)
			require.NoError(t, m.SyncDir("."))
		}, map[string]string{"f": "kept"}},
		{"truncation not synced", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "f", []byte("old"))
			require.NoError(t, m.SyncDir("."))
			writeUnsynced(t, m, "f", "new")
		}, map[string]string{"f": "old"}},
		{"rename not synced", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "tmp", []byte("data"))
			require.NoError(t, m.SyncDir("."))
			require.NoError(t, m.Rename("tmp", "final"))
		}, map[string]string{"tmp": "data"}},
		{"rename synced", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "tmp", []byte("data"))
			require.NoError(t, m.Rename("tmp", "final"))
			require.NoError(t, m.SyncDir("."))
		}, map[string]string{"final": "data"}},
		{"remove not synced", func(t *testing.T, m *MemFS) {
			writeRaw(t, m, "f", []byte("data"))
			require.NoError(t, m.SyncDir("."))
			require.NoError(t, m.Remove("f"))
		}, map[string]string{"f": "data"}},
		{"directory entry not synced", func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("d"))
			writeRaw(t, m, "d/f", []byte("data"))
			require.NoError(t, m.SyncDir("d"))
		}, map[string]string{}},
		{"directory and entry synced", func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("d"))
			require.NoError(t, m.SyncDir("."))
			writeRaw(t, m, "d/f", []byte("data"))
			require.NoError(t, m.SyncDir("d"))
		}, map[string]string{"d/f": "data"}},
		{"removed directory not synced", func(t *testing.T, m *MemFS) {
			require.NoError(t, m.MkdirAll("d"))
			require.NoError(t, m.SyncDir("."))
			writeRaw(t, m, "d/f", []byte("data"))
			require.NoError(t, m.SyncDir("d"))
			require.NoError(t, m.RemoveAll("d"))
		}, map[string]string{"d/f": "data"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemFS()
			tt.steps(t, m)
			crashed := m.CrashClone()
			assert.Equal(t, tt.want, allFiles(t, crashed, "."))
			// The clone is durable as it stands and independent of m.
			assert.Equal(t, tt.want, allFiles(t, crashed.CrashClone(), "."))
			writeRaw(t, crashed, "new", []byte("x"))
			_, err := m.Size("new")
			require.ErrorIs(t, err, fs.ErrNotExist)
		})
	}
}

func TestMemFSCrashCloneDoesNotShareData(t *testing.T) {
	m := NewMemFS()
	f, err := m.Create("f")
	require.NoError(t, err)
	_, err = f.Write([]byte("abc"))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	require.NoError(t, m.SyncDir("."))
	clone := m.CrashClone()
	_, err = f.Write([]byte("def"))
	require.NoError(t, err)
	require.NoError(t, f.Sync())
	g, err := clone.Create("f")
	require.NoError(t, err)
	_, err = g.Write([]byte("xyz"))
	require.NoError(t, err)
	assert.Equal(t, []byte("abcdef"), readRaw(t, m, "f"))
	assert.Equal(t, []byte("xyz"), readRaw(t, clone, "f"))
}

func writeUnsynced(t *testing.T, fsys FS, name, data string) {
	t.Helper()
	f, err := fsys.Create(name)
	require.NoError(t, err)
	_, err = f.Write([]byte(data))
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// allFiles returns the files under dir, by path, with their contents.
func allFiles(t *testing.T, fsys FS, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	names, err := fsys.ReadDir(dir)
	require.NoError(t, err)
	for _, name := range names {
		p := name
		if dir != "." {
			p = dir + "/" + name
		}
		if _, err := fsys.Size(p); err == nil {
			files[p] = string(readRaw(t, fsys, p))
			continue
		}
		for sub, data := range allFiles(t, fsys, p) {
			files[sub] = data
		}
	}
	return files
}
