package snapshot

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStoreRoundTrip(t *testing.T) {
	for _, fk := range fsKinds {
		t.Run(fk.name, func(t *testing.T) {
			fsys := fk.new(t)
			s := newTestStore(t, fsys, StoreOptions{})
			files := snapshotFiles("round trip")
			files["big"] = []byte(strings.Repeat("0123456789abcdef", 1<<16))
			props := map[string]string{"job": "wordcount", "parallelism": "4"}

			w, err := s.BeginCheckpoint(42)
			require.NoError(t, err)
			chk, err := writeAll(w, files, props)
			require.NoError(t, err)
			assert.Equal(t, KindCheckpoint, chk.Kind)
			assert.Equal(t, int64(42), chk.CheckpointID)
			assert.Equal(t, FormatVersion, chk.FormatVersion)
			assert.Equal(t, testTime, chk.CreatedAt)
			assert.Equal(t, props, chk.Props)
			assert.Equal(t, "checkpoints/chk-00000000000000000042", chk.Ref())
			assert.Equal(t, int64(len(files["big"])+2*len("state of operator a in round trip")), chk.TotalSize())

			w, err = s.BeginSavepoint("nightly-2025")
			require.NoError(t, err)
			sp, err := writeAll(w, files, nil)
			require.NoError(t, err)
			assert.Equal(t, "savepoints/nightly-2025", sp.Ref())
			assert.Nil(t, sp.Props)

			// A new Store over the same FS, as after a restart, sees the same.
			for _, s := range []*Store{s, newTestStore(t, fsys, StoreOptions{})} {
				checkpoints, err := s.ListCheckpoints()
				require.NoError(t, err)
				assert.Equal(t, []Manifest{chk}, checkpoints)
				savepoints, err := s.ListSavepoints()
				require.NoError(t, err)
				assert.Equal(t, []Manifest{sp}, savepoints)

				latest, err := s.Latest()
				require.NoError(t, err)
				assert.Equal(t, chk, latest.Manifest())
				requireContents(t, latest, files)
				require.NoError(t, latest.Verify())

				for _, open := range []func() (*Reader, error){
					func() (*Reader, error) { return s.OpenCheckpoint(42) },
					func() (*Reader, error) { return s.Open(chk.Ref()) },
				} {
					r, err := open()
					require.NoError(t, err)
					assert.Equal(t, chk, r.Manifest())
					requireContents(t, r, files)
				}
				for _, open := range []func() (*Reader, error){
					func() (*Reader, error) { return s.OpenSavepoint("nightly-2025") },
					func() (*Reader, error) { return s.Open(sp.Ref()) },
				} {
					r, err := open()
					require.NoError(t, err)
					assert.Equal(t, sp, r.Manifest())
					requireContents(t, r, files)
				}
			}
		})
	}
}

func TestManifestReturnedIsACopy(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{})
	props := map[string]string{"k": "v"}
	w, err := s.BeginCheckpoint(1)
	require.NoError(t, err)
	_, err = writeAll(w, snapshotFiles("copy"), props)
	require.NoError(t, err)
	props["k"] = "changed"

	r, err := s.Latest()
	require.NoError(t, err)
	m := r.Manifest()
	m.Props["k"] = "changed too"
	m.Files[0].Name = "renamed"
	assert.Equal(t, map[string]string{"k": "v"}, r.Manifest().Props)
	require.NoError(t, r.Verify())
}

func TestRetention(t *testing.T) {
	for _, retained := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("retained=%d", retained), func(t *testing.T) {
			s := newTestStore(t, NewMemFS(), StoreOptions{RetainedCheckpoints: retained})
			want := max(retained, 1)
			for id := int64(1); id <= 6; id++ {
				writeCheckpoint(t, s, id, snapshotFiles(fmt.Sprint(id)))
				checkpoints, err := s.ListCheckpoints()
				require.NoError(t, err)
				var wantIDs []int64
				for i := max(1, id-int64(want)+1); i <= id; i++ {
					wantIDs = append(wantIDs, i)
				}
				assert.Equal(t, wantIDs, checkpointIDsOf(checkpoints))
			}
			latest, err := s.Latest()
			require.NoError(t, err)
			assert.Equal(t, int64(6), latest.Manifest().CheckpointID)
			requireContents(t, latest, snapshotFiles("6"))
		})
	}
}

func TestSavepointsAreNeverDeletedByTheStore(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeSavepoint(t, s, "before", snapshotFiles("before"))
	for id := int64(1); id <= 5; id++ {
		writeCheckpoint(t, s, id, snapshotFiles(fmt.Sprint(id)))
	}
	writeSavepoint(t, s, "after", snapshotFiles("after"))
	require.NoError(t, s.Cleanup())
	s = newTestStore(t, fsys, StoreOptions{})

	savepoints, err := s.ListSavepoints()
	require.NoError(t, err)
	require.Len(t, savepoints, 2)
	assert.Equal(t, "after", savepoints[0].SavepointName)
	assert.Equal(t, "before", savepoints[1].SavepointName)

	require.NoError(t, s.DeleteSavepoint("before"))
	_, err = s.OpenSavepoint("before")
	require.ErrorIs(t, err, ErrNotFound)
	r, err := s.OpenSavepoint("after")
	require.NoError(t, err)
	requireContents(t, r, snapshotFiles("after"))
	names, err := fsys.ReadDir(savepointsDir)
	require.NoError(t, err)
	assert.Equal(t, []string{"after"}, names)
}

func TestDeleteCheckpoint(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{RetainedCheckpoints: 2})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	writeCheckpoint(t, s, 2, snapshotFiles("2"))
	require.NoError(t, s.DeleteCheckpoint(2))
	latest, err := s.Latest()
	require.NoError(t, err)
	assert.Equal(t, int64(1), latest.Manifest().CheckpointID)
	require.NoError(t, s.DeleteCheckpoint(1))
	_, err = s.Latest()
	require.ErrorIs(t, err, ErrNotFound)
}

func TestNotFound(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{})
	w, err := s.BeginCheckpoint(9) // in progress: not yet found
	require.NoError(t, err)
	defer w.Abort()
	writeSavepoint(t, s, "sp", snapshotFiles("sp"))
	sp, err := s.OpenSavepoint("sp")
	require.NoError(t, err)

	for name, call := range map[string]func() error{
		"Latest":                      func() error { _, err := s.Latest(); return err },
		"OpenCheckpoint":              func() error { _, err := s.OpenCheckpoint(7); return err },
		"OpenCheckpoint in progress":  func() error { _, err := s.OpenCheckpoint(9); return err },
		"OpenSavepoint":               func() error { _, err := s.OpenSavepoint("nope"); return err },
		"Open":                        func() error { _, err := s.Open("savepoints/nope"); return err },
		"DeleteCheckpoint":            func() error { return s.DeleteCheckpoint(7) },
		"DeleteCheckpoint in progess": func() error { return s.DeleteCheckpoint(9) },
		"DeleteSavepoint":             func() error { return s.DeleteSavepoint("nope") },
		"ReadFile":                    func() error { _, err := sp.ReadFile("nope"); return err },
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, call(), ErrNotFound)
		})
	}
	checkpoints, err := s.ListCheckpoints()
	require.NoError(t, err)
	assert.Empty(t, checkpoints)
}

func TestExists(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{})
	w, err := s.BeginCheckpoint(1)
	require.NoError(t, err)
	_, err = s.BeginCheckpoint(1)
	require.ErrorIs(t, err, ErrExists, "in progress")
	require.NoError(t, w.WriteFile("f", []byte("x")))
	require.ErrorIs(t, w.WriteFile("f", []byte("y")), ErrExists)
	_, err = w.Commit(nil)
	require.NoError(t, err)
	_, err = s.BeginCheckpoint(1)
	require.ErrorIs(t, err, ErrExists, "committed")

	writeSavepoint(t, s, "sp", nil)
	_, err = s.BeginSavepoint("sp")
	require.ErrorIs(t, err, ErrExists)
}

func TestInvalidNames(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{})
	invalid := []string{"", "../x", "..", ".", "a/b", `a\b`, "/abs", ".hidden", "a..b", "tab\there",
		"nl\n", "\xff", "MANIFEST", strings.Repeat("n", MaxNameLength+1)}
	for _, name := range invalid {
		t.Run(fmt.Sprintf("%q", name), func(t *testing.T) {
			_, err := s.BeginSavepoint(name)
			require.ErrorIs(t, err, ErrInvalidName)
			_, err = s.OpenSavepoint(name)
			require.ErrorIs(t, err, ErrInvalidName)
			require.ErrorIs(t, s.DeleteSavepoint(name), ErrInvalidName)
			_, err = s.Open("savepoints/" + name)
			require.ErrorIs(t, err, ErrInvalidName)

			w, err := s.BeginSavepoint("valid")
			require.NoError(t, err)
			require.ErrorIs(t, w.WriteFile(name, []byte("x")), ErrInvalidName)
			require.NoError(t, w.Abort())
		})
	}
	t.Run("negative checkpoint id", func(t *testing.T) {
		_, err := s.BeginCheckpoint(-1)
		require.ErrorIs(t, err, ErrInvalidName)
		_, err = s.OpenCheckpoint(-1)
		require.ErrorIs(t, err, ErrInvalidName)
		require.ErrorIs(t, s.DeleteCheckpoint(-1), ErrInvalidName)
	})
	t.Run("valid names", func(t *testing.T) {
		for _, name := range []string{"a b", "ünïcödé", "v1.2.3", "x.", strings.Repeat("n", MaxNameLength)} {
			writeSavepoint(t, s, name, map[string][]byte{name: []byte(name)})
			r, err := s.OpenSavepoint(name)
			require.NoError(t, err)
			requireContents(t, r, map[string][]byte{name: []byte(name)})
		}
	})
}

func TestWriterLifecycle(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})

	t.Run("abort removes the directory and frees the id", func(t *testing.T) {
		w, err := s.BeginCheckpoint(5)
		require.NoError(t, err)
		require.NoError(t, w.WriteFile("f", []byte("x")))
		require.NoError(t, w.Abort())
		require.NoError(t, w.Abort(), "second Abort")
		names, err := fsys.ReadDir(checkpointsDir)
		require.NoError(t, err)
		assert.Empty(t, names)
		require.ErrorIs(t, w.WriteFile("g", nil), ErrClosed)
		_, err = w.Commit(nil)
		require.ErrorIs(t, err, ErrClosed)
		writeCheckpoint(t, s, 5, snapshotFiles("5"))
	})
	t.Run("commit closes the writer", func(t *testing.T) {
		w, err := s.BeginSavepoint("sp")
		require.NoError(t, err)
		_, err = w.Commit(nil)
		require.NoError(t, err)
		require.NoError(t, w.Abort(), "Abort after Commit")
		_, err = s.OpenSavepoint("sp")
		require.NoError(t, err, "Abort after Commit keeps the snapshot")
		require.ErrorIs(t, w.WriteFile("f", nil), ErrClosed)
		_, err = w.Commit(nil)
		require.ErrorIs(t, err, ErrClosed)
	})
	t.Run("invalid properties keep the writer open", func(t *testing.T) {
		w, err := s.BeginSavepoint("props")
		require.NoError(t, err)
		for _, props := range []map[string]string{{"": "v"}, {"k": "\xff"}, {"\xfe": "v"}, {strings.Repeat("k", 256): "v"}} {
			_, err = w.Commit(props)
			require.ErrorIs(t, err, ErrInvalidProperty)
		}
		m, err := w.Commit(map[string]string{"k": "v"})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"k": "v"}, m.Props)
	})
}

func TestConcurrentWriters(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{RetainedCheckpoints: 10})
	const writers, filesPerWriter = 4, 16
	var wg sync.WaitGroup
	errs := make(chan error, writers*(filesPerWriter+1))
	for i := range writers {
		wg.Go(func() {
			w, err := s.BeginCheckpoint(int64(i))
			if err != nil {
				errs <- err
				return
			}
			var files sync.WaitGroup
			for j := range filesPerWriter {
				files.Go(func() {
					name := fmt.Sprintf("subtask-%02d", j)
					if err := w.WriteFile(name, []byte(fmt.Sprintf("checkpoint %d %s", i, name))); err != nil {
						errs <- err
					}
				})
			}
			files.Wait()
			if _, err := w.Commit(nil); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	checkpoints, err := s.ListCheckpoints()
	require.NoError(t, err)
	require.Equal(t, []int64{0, 1, 2, 3}, checkpointIDsOf(checkpoints))
	for _, m := range checkpoints {
		r, err := s.OpenCheckpoint(m.CheckpointID)
		require.NoError(t, err)
		require.Len(t, m.Files, filesPerWriter)
		for _, f := range m.Files {
			data, err := r.ReadFile(f.Name)
			require.NoError(t, err)
			assert.Equal(t, fmt.Sprintf("checkpoint %d %s", m.CheckpointID, f.Name), string(data))
		}
	}
}

func TestCleanupRemovesIncompleteSnapshots(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	writeSavepoint(t, s, "kept", snapshotFiles("kept"))
	inProgress, err := s.BeginSavepoint("in-progress")
	require.NoError(t, err)
	require.NoError(t, inProgress.WriteFile("f", []byte("x")))

	// Leftovers of a crash: directories without a manifest.
	for _, dir := range []string{"checkpoints/chk-00000000000000000002", "savepoints/torn"} {
		require.NoError(t, fsys.MkdirAll(dir))
		writeRaw(t, fsys, dir+"/operator-a", []byte("partial"))
		writeRaw(t, fsys, dir+"/.MANIFEST.tmp", []byte("partial"))
	}
	// Entries the store does not own.
	require.NoError(t, fsys.MkdirAll("checkpoints/not-a-checkpoint"))
	writeRaw(t, fsys, "savepoints/.DS_Store", nil)

	require.NoError(t, s.Cleanup())
	names, err := fsys.ReadDir(checkpointsDir)
	require.NoError(t, err)
	assert.Equal(t, []string{"chk-00000000000000000001", "not-a-checkpoint"}, names)
	names, err = fsys.ReadDir(savepointsDir)
	require.NoError(t, err)
	assert.Equal(t, []string{".DS_Store", "in-progress", "kept"}, names)

	_, err = inProgress.Commit(nil)
	require.NoError(t, err)
	r, err := s.OpenSavepoint("in-progress")
	require.NoError(t, err)
	requireContents(t, r, map[string][]byte{"f": []byte("x")})
}

func TestMaxFileSize(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{MaxFileSize: 1 << 20})
	w, err := s.BeginCheckpoint(1)
	require.NoError(t, err)
	require.ErrorIs(t, w.WriteFile("big", make([]byte, 1<<20+1)), ErrTooLarge)
	require.NoError(t, w.WriteFile("big", make([]byte, 1<<20)))
	_, err = w.Commit(nil)
	require.NoError(t, err)

	// A store with a smaller bound refuses to read the file.
	small := newTestStore(t, fsys, StoreOptions{MaxFileSize: 1 << 10})
	r, err := small.Latest()
	require.NoError(t, err, "the manifest is small")
	_, err = r.ReadFile("big")
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	assert.Contains(t, corrupt.Reason, "exceeds the limit")
}

func TestStoreOptionsValidation(t *testing.T) {
	for _, opts := range []StoreOptions{{RetainedCheckpoints: -1}, {MaxFileSize: -1}} {
		_, err := NewStore(NewMemFS(), opts)
		require.Error(t, err)
	}
}

func TestManifestInWrongDirectoryIsCorrupt(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{RetainedCheckpoints: 2})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	writeCheckpoint(t, s, 2, snapshotFiles("2"))
	writeRaw(t, fsys, checkpointAt(2).file(manifestName), readRaw(t, fsys, checkpointAt(1).file(manifestName)))

	_, err := s.OpenCheckpoint(2)
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	assert.Equal(t, "checkpoints/chk-00000000000000000002/MANIFEST", corrupt.Path)
	assert.Contains(t, corrupt.Reason, "manifest describes checkpoint 1")
	latest, err := s.Latest()
	require.NoError(t, err)
	assert.Equal(t, int64(1), latest.Manifest().CheckpointID, "the corrupt checkpoint is passed over")
	_, err = s.BeginCheckpoint(2)
	require.ErrorIs(t, err, ErrExists, "a corrupt checkpoint is not overwritten")
	require.NoError(t, s.DeleteCheckpoint(2), "but it can be deleted")
}

func TestErrorsNameTheirContext(t *testing.T) {
	s := newTestStore(t, NewMemFS(), StoreOptions{})
	_, err := s.OpenSavepoint("missing")
	assert.EqualError(t, err, `snapshot: not found: savepoint "missing"`)
	_, err = s.BeginSavepoint("../x")
	assert.EqualError(t, err, `snapshot: invalid name: savepoint name "../x" contains a path separator`)
	assert.True(t, errors.Is(err, ErrInvalidName))
}
