package snapshot

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFSConformance runs the same script against every FS implementation.
func TestFSConformance(t *testing.T) {
	for _, fk := range fsKinds {
		t.Run(fk.name, func(t *testing.T) {
			fsys := fk.new(t)
			require.NoError(t, fsys.MkdirAll("a/b"))
			require.NoError(t, fsys.MkdirAll("a/b"), "MkdirAll of an existing directory")
			writeRaw(t, fsys, "a/b/f", []byte("hello"))
			writeRaw(t, fsys, "a/b/e", nil)
			writeRaw(t, fsys, "a/g", []byte("x"))

			assert.Equal(t, []byte("hello"), readRaw(t, fsys, "a/b/f"))
			size, err := fsys.Size("a/b/f")
			require.NoError(t, err)
			assert.Equal(t, int64(5), size)
			names, err := fsys.ReadDir("a/b")
			require.NoError(t, err)
			assert.Equal(t, []string{"e", "f"}, names, "sorted")
			names, err = fsys.ReadDir(".")
			require.NoError(t, err)
			assert.Equal(t, []string{"a"}, names)

			writeRaw(t, fsys, "a/b/f", []byte("hi"))
			assert.Equal(t, []byte("hi"), readRaw(t, fsys, "a/b/f"), "Create truncates")

			require.NoError(t, fsys.Rename("a/b/f", "a/b/e"))
			assert.Equal(t, []byte("hi"), readRaw(t, fsys, "a/b/e"), "Rename replaces")
			require.NoError(t, fsys.Rename("a/b/e", "a/moved"))
			require.NoError(t, fsys.SyncDir("a"))
			require.NoError(t, fsys.SyncDir("."))

			_, err = fsys.Open("a/b/e")
			require.ErrorIs(t, err, fs.ErrNotExist)
			_, err = fsys.Size("a/missing")
			require.ErrorIs(t, err, fs.ErrNotExist)
			_, err = fsys.ReadDir("missing")
			require.ErrorIs(t, err, fs.ErrNotExist)
			require.ErrorIs(t, fsys.Remove("a/missing"), fs.ErrNotExist)
			require.ErrorIs(t, fsys.Rename("a/missing", "a/x"), fs.ErrNotExist)
			_, err = fsys.Create("missing/f")
			require.ErrorIs(t, err, fs.ErrNotExist)
			require.Error(t, fsys.Remove("a"), "a non-empty directory")
			_, err = fsys.Size("a")
			require.Error(t, err, "Size of a directory")

			require.NoError(t, fsys.Remove("a/g"))
			require.NoError(t, fsys.RemoveAll("a"))
			require.NoError(t, fsys.RemoveAll("a"), "RemoveAll of a missing name")
			names, err = fsys.ReadDir(".")
			require.NoError(t, err)
			assert.Empty(t, names)

			f, err := fsys.Create("closed")
			require.NoError(t, err)
			require.NoError(t, f.Close())
			_, err = f.Write([]byte("x"))
			require.Error(t, err, "Write after Close")
		})
	}
}

func TestFSRefusesEscapingNames(t *testing.T) {
	for _, fk := range fsKinds {
		t.Run(fk.name, func(t *testing.T) {
			fsys := fk.new(t)
			for _, name := range []string{"../x", "/etc/passwd", "a/../../x", "", "a//b", "./a"} {
				_, err := fsys.Create(name)
				require.ErrorIs(t, err, fs.ErrInvalid, "%q", name)
				require.ErrorIs(t, fsys.MkdirAll(name), fs.ErrInvalid, "%q", name)
				require.ErrorIs(t, fsys.RemoveAll(name), fs.ErrInvalid, "%q", name)
			}
			require.ErrorIs(t, fsys.RemoveAll("."), fs.ErrInvalid, "the root")
		})
	}
}
