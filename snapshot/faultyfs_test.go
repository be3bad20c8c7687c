package snapshot

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFaultyFSCountsAndFails(t *testing.T) {
	var seen []string
	ffs := NewFaultyFS(NewMemFS(),
		FailOn(Fault{Op: OpSync, N: 2}, Fault{Op: OpAny, N: 9}),
		BeforeOp(func(op Op, name string, seq int64) { seen = append(seen, op.String()+" "+name) }))

	writeRaw(t, ffs, "a", []byte("x")) // create, write, sync, close
	f, err := ffs.Create("b")          // 5
	require.NoError(t, err)
	_, err = f.Write([]byte("y")) // 6
	require.NoError(t, err)
	err = f.Sync() // 7: the second sync
	require.ErrorIs(t, err, ErrInjected)
	assert.Contains(t, err.Error(), "sync b")
	require.NoError(t, f.Close())                     // 8
	require.ErrorIs(t, ffs.SyncDir("."), ErrInjected) // 9
	require.NoError(t, ffs.SyncDir("."))              // 10

	assert.Equal(t, int64(10), ffs.Count(OpAny))
	assert.Equal(t, int64(2), ffs.Count(OpSync))
	assert.Equal(t, int64(2), ffs.Count(OpSyncDir))
	assert.Equal(t, []string{"create a", "write a", "sync a", "close a", "create b", "write b", "sync b", "close b", "syncdir .", "syncdir ."}, seen)
	assert.Equal(t, "Op(200)", Op(200).String())
	assert.Zero(t, ffs.Count(Op(200)))
}

func TestFaultyFSFailedOpDoesNothing(t *testing.T) {
	mem := NewMemFS()
	ffs := NewFaultyFS(mem, FailOn(Fault{Op: OpRename, N: 1}, Fault{Op: OpClose, N: 1}))
	f, err := ffs.Create("a")
	require.NoError(t, err)
	require.ErrorIs(t, f.Close(), ErrInjected)
	_, err = f.Write([]byte("x"))
	require.Error(t, err, "a failed Close still closes")
	require.ErrorIs(t, ffs.Rename("a", "b"), ErrInjected)
	names, err := mem.ReadDir(".")
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, names)
}

func TestFaultyFSFailsReads(t *testing.T) {
	mem := NewMemFS()
	writeRaw(t, mem, "a", []byte("data"))
	ffs := NewFaultyFS(mem, FailOn(Fault{Op: OpRead, N: 1}))
	r, err := ffs.Open("a")
	require.NoError(t, err)
	_, err = r.Read(make([]byte, 4))
	require.ErrorIs(t, err, ErrInjected)
	require.NoError(t, r.Close())
}
