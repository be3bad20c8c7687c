package snapshot

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecordRoundTripAndChecks(t *testing.T) {
	m := NewMemFS()
	require.NoError(t, m.MkdirAll("catalog"))
	require.NoError(t, WriteRecord(m, "catalog/a.app", []byte("hello")))
	got, err := ReadRecord(m, "catalog/a.app", 0)
	require.NoError(t, err)
	assert.Equal(t, "hello", string(got))

	_, err = ReadRecord(m, "catalog/missing.app", 0)
	assert.ErrorIs(t, err, fs.ErrNotExist)

	_, err = ReadRecord(m, "catalog/a.app", 4)
	var corrupt *CorruptError
	require.ErrorAs(t, err, &corrupt, "a payload above the limit")

	// Every single flipped byte is found.
	data := readRaw(t, m, "catalog/a.app")
	for i := range data {
		bad := append([]byte(nil), data...)
		bad[i] ^= 0x20
		writeRaw(t, m, "catalog/b.app", bad)
		_, err := ReadRecord(m, "catalog/b.app", 0)
		require.Error(t, err, "byte %d flipped", i)
	}
	// A torn write: every prefix is refused.
	for n := range len(data) {
		writeRaw(t, m, "catalog/b.app", data[:n])
		_, err := ReadRecord(m, "catalog/b.app", 0)
		require.ErrorAs(t, err, &corrupt, "%d of %d bytes", n, len(data))
	}
	// A snapshot file is not a record.
	s, err := NewStore(m, StoreOptions{})
	require.NoError(t, err)
	w, err := s.BeginCheckpoint(1)
	require.NoError(t, err)
	require.NoError(t, w.WriteFile("state", []byte("x")))
	man, err := w.Commit(nil)
	require.NoError(t, err)
	_, err = ReadRecord(m, man.Ref()+"/state", 0)
	require.ErrorAs(t, err, &corrupt)
}

// TestRecordCrashAtEveryStep crashes a replacement of a record before each
// of its filesystem operations in turn: what survives is the old record or
// the new one, whole, never a mix or nothing.
//
// Mutant killed: WriteRecord without the directory sync (the new record is
// lost after it returned). A torn record, which MemFS cannot produce, is
// TestRecordRoundTripAndChecks's every-prefix case.
func TestRecordCrashAtEveryStep(t *testing.T) {
	base := NewMemFS()
	require.NoError(t, base.MkdirAll("catalog"))
	require.NoError(t, base.SyncDir("."))
	require.NoError(t, WriteRecord(base, "catalog/a.app", []byte("old")))
	var crashes []*MemFS
	ffs := NewFaultyFS(base, BeforeOp(func(Op, string, int64) { crashes = append(crashes, base.CrashClone()) }))
	require.NoError(t, WriteRecord(ffs, "catalog/a.app", []byte("new record")))
	crashes = append(crashes, base.CrashClone()) // after it returned
	require.NotEmpty(t, crashes)
	for i, c := range crashes {
		got, err := ReadRecord(c, "catalog/a.app", 0)
		require.NoError(t, err, "crash before step %d", i+1)
		if i == len(crashes)-1 {
			assert.Equal(t, "new record", string(got), "after WriteRecord returned")
		} else {
			assert.Contains(t, []string{"old", "new record"}, string(got), "crash before step %d", i+1)
		}
	}
}
