package snapshot

import (
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// corruptions are the ways a file on disk is damaged in these tests. Each
// applies at offset i of the file, or returns nil if it has nothing to do there.
var corruptions = []struct {
	name  string
	apply func(data []byte, i int) []byte
}{
	{"flip byte", func(data []byte, i int) []byte { data[i] ^= 0x20; return data }},
	{"truncate", func(data []byte, i int) []byte { return data[:i] }},
	{"append byte", func(data []byte, i int) []byte {
		if i > 0 {
			return nil
		}
		return append(data, 0)
	}},
}

// isVersionDamage reports whether the corruption at offset i hits the
// envelope's version field and leaves the file whole: that that leaves the file whole reads as ErrIncompatibleVersion.
func isVersionDamage(corruption string, i int) bool {
	return corruption == "flip byte" && (i == 4 || i == 5)
}

// TestCorruptFileIsDetected damages every byte of every file of a checkpoint
// in turn and checks that reading it reports the damaged file, never bad data.
func TestCorruptFileIsDetected(t *testing.T) {
	base := NewMemFS()
	s := newTestStore(t, base, StoreOptions{RetainedCheckpoints: 2})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	files := snapshotFiles("2")
	writeCheckpoint(t, s, 2, files)
	loc := checkpointAt(2)

	for _, name := range []string{"operator-a", "empty", manifestName} {
		path := loc.file(name)
		size := len(readRaw(t, base, path))
		for _, c := range corruptions {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				for i := range size {
					fsys := base.CrashClone()
					data := c.apply(readRaw(t, fsys, path), i)
					if data == nil {
						continue
					}
					writeRaw(t, fsys, path, data)
					s := newTestStore(t, fsys, StoreOptions{RetainedCheckpoints: 2})
					msg := fmt.Sprintf("offset %d", i)
					version := isVersionDamage(c.name, i)

					r, err := s.OpenCheckpoint(2)
					if name == manifestName {
						requireUnreadable(t, err, path, version, msg)
						latest, err := s.Latest()
						require.NoError(t, err, msg)
						assert.Equal(t, int64(1), latest.Manifest().CheckpointID, "a corrupt checkpoint is passed over")
						continue
					}
					require.NoError(t, err, msg)
					_, err = r.ReadFile(name)
					requireUnreadable(t, err, path, version, msg)
					requireUnreadable(t, r.Verify(), path, version, msg)
					for other, want := range files {
						if other != name {
							got, err := r.ReadFile(other)
							require.NoError(t, err, msg)
							require.Equal(t, want, got, msg)
						}
					}
				}
			})
		}
	}
	r, err := s.OpenCheckpoint(2)
	require.NoError(t, err)
	requireContents(t, r, files) // the damage was done to copies
}

// requireUnreadable checks that err reports the file at path as corrupt, or
// as of an incompatible version if version is set.
func requireUnreadable(t *testing.T, err error, path string, version bool, msg string) {
	t.Helper()
	if version {
		var verr *VersionError
		require.ErrorAs(t, err, &verr, msg)
		require.ErrorIs(t, err, ErrIncompatibleVersion, msg)
		assert.Equal(t, path, verr.Path, msg)
		return
	}
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt, msg)
	require.ErrorIs(t, err, ErrCorrupt, msg)
	assert.Equal(t, path, corrupt.Path, msg)
}

func TestMissingFileIsCorrupt(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	require.NoError(t, fsys.Remove("checkpoints/chk-00000000000000000001/operator-b"))
	r, err := s.Latest()
	require.NoError(t, err)
	err = r.Verify()
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	assert.Equal(t, "checkpoints/chk-00000000000000000001/operator-b", corrupt.Path)
	assert.Contains(t, corrupt.Error(), "listed in the manifest but missing")
}

func TestSwappedFilesAreCorrupt(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeCheckpoint(t, s, 1, map[string][]byte{"a": []byte("aaa"), "b": []byte("bbb")})
	loc := checkpointAt(1)
	a, b := readRaw(t, fsys, loc.file("a")), readRaw(t, fsys, loc.file("b"))
	writeRaw(t, fsys, loc.file("a"), b)
	writeRaw(t, fsys, loc.file("b"), a)
	r, err := s.Latest()
	require.NoError(t, err)
	_, err = r.ReadFile("a")
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	assert.Contains(t, corrupt.Reason, "manifest says")
}

func TestIncompatibleVersion(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeSavepoint(t, s, "from-the-future", snapshotFiles("future"))
	loc := savepointAt("from-the-future")
	for _, name := range []string{"operator-a", manifestName} {
		data := readRaw(t, fsys, loc.file(name))
		binary.BigEndian.PutUint16(data[4:], FormatVersion+1)
		writeRaw(t, fsys, loc.file(name), resealed(data))
	}
	_, err := s.OpenSavepoint("from-the-future")
	var verr *VersionError
	require.ErrorAs(t, err, &verr)
	require.ErrorIs(t, err, ErrIncompatibleVersion)
	assert.Equal(t, FormatVersion+1, verr.Version)
	assert.Equal(t, loc.file(manifestName), verr.Path)
	assert.EqualError(t, err, "snapshot: file savepoints/from-the-future/MANIFEST has format version 2, this package reads version 1")

	// A savepoint this version cannot read is kept, not cleaned up.
	require.NoError(t, s.Cleanup())
	savepoints, err := s.ListSavepoints()
	require.NoError(t, err)
	assert.Empty(t, savepoints)
	_, err = s.OpenSavepoint("from-the-future")
	require.ErrorIs(t, err, ErrIncompatibleVersion)
}

func TestHugeLengthFieldIsRefusedCheaply(t *testing.T) {
	fsys := NewMemFS()
	s := newTestStore(t, fsys, StoreOptions{})
	writeCheckpoint(t, s, 1, snapshotFiles("1"))
	path := checkpointAt(1).file("operator-a")
	data := readRaw(t, fsys, path)
	binary.BigEndian.PutUint64(data[7:], 1<<62)
	writeRaw(t, fsys, path, resealed(data))
	r, err := s.Latest()
	require.NoError(t, err)
	_, err = r.ReadFile("operator-a")
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt)
	assert.Contains(t, corrupt.Reason, "exceeds the limit")
}
