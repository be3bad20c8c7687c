package snapshot

import (
	"fmt"
	"path/filepath"
)

// OpenPath opens, for reading only, the snapshot kept in the directory
// path on disk: the directory of a savepoint or checkpoint of a store over
// [DirFS] (root/savepoints/<name>, root/checkpoints/chk-…). It neither
// creates nor cleans anything, so it is safe while another process writes
// the store. A path that does not end in a snapshot reference yields
// [ErrInvalidName]; a missing snapshot [ErrNotFound].
func OpenPath(path string) (*Reader, error) {
	path = filepath.Clean(path)
	parent := filepath.Dir(path)
	ref := filepath.Base(parent) + "/" + filepath.Base(path)
	loc, err := parseRef(ref)
	if err != nil {
		return nil, fmt.Errorf("%w (path %s)", err, path)
	}
	opts, err := StoreOptions{}.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{fs: DirFS(filepath.Dir(parent)), opts: opts}
	return s.open(loc)
}
