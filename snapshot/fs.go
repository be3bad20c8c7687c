package snapshot

import (
	"errors"
	"io"
	"io/fs"
)

// FS is the small filesystem a [Store] writes through, in the spirit of
// cockroachdb/pebble's vfs. Names are slash-separated paths relative to the
// filesystem's root, valid in the sense of [io/fs.ValidPath]; "." is the root.
// Errors for missing files match [io/fs.ErrNotExist].
//
// Implementations: [DirFS] (the operating system), [MemFS] (memory, with
// [MemFS.CrashClone] to simulate power loss) and [FaultyFS] (fault injection).
// Implementations must be safe for concurrent use.
type FS interface {
	// Create creates the named file, truncating it if it exists, and opens it
	// for writing. The parent directory must exist.
	Create(name string) (File, error)
	// Open opens the named file for reading.
	Open(name string) (io.ReadCloser, error)
	// Size returns the size in bytes of the named file.
	Size(name string) (int64, error)
	// Rename renames oldname to newname, replacing newname if it is a file.
	Rename(oldname, newname string) error
	// Remove removes the named file or empty directory.
	Remove(name string) error
	// RemoveAll removes name and everything it contains. A missing name is not an error.
	RemoveAll(name string) error
	// MkdirAll creates the directory dir and any missing parents.
	MkdirAll(dir string) error
	// ReadDir returns the names of the entries of dir, sorted.
	ReadDir(dir string) ([]string, error)
	// SyncDir makes the entries of dir durable: files and directories created
	// in it, renamed into or out of it, or removed from it.
	SyncDir(dir string) error
}

// File is a file open for writing. Data written is durable only after Sync
// returns; the file's name is durable only after [FS.SyncDir] of its directory.
type File interface {
	io.Writer
	// Sync makes the data written so far durable.
	Sync() error
	// Close closes the file.
	Close() error
}

// Errors the FS implementations wrap in an [io/fs.PathError].
var (
	errIsDir    = errors.New("is a directory")
	errNotDir   = errors.New("not a directory")
	errNotEmpty = errors.New("directory not empty")
)

// isNotExist reports whether err says a file or directory does not exist.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
